import { describe, expect, it } from 'vitest';
import { chunkDoc, estimateTokens, parseDoc } from '../../src/retrieval/chunk';
import { corpusVersion } from '../../src/retrieval/corpus';
import { sampleDocs } from '../helpers';

const params = { targetTokens: 250, overlapTokens: 40 };
const words = (n: number, word = 'ledger') => Array.from({ length: n }, (_, i) => `${word}${i}`).join(' ');

describe('chunkDoc', () => {
  it('keeps doc id, title, url and the heading path on every chunk of a sample article', () => {
    const doc = sampleDocs().find((d) => d.id === 'reset-password')!;
    const chunks = chunkDoc(doc, params);
    expect(chunks.length).toBeGreaterThan(1);
    for (const chunk of chunks) {
      expect(chunk).toMatchObject({ docId: 'reset-password', title: 'Reset your password', url: 'https://help.tallybook.example/articles/reset-password' });
      expect(chunk.chunkId).toBe(`reset-password#${chunk.position}`);
    }
    expect(chunks.map((c) => c.headingPath)).toContain('Reset a forgotten password');
    expect(chunks.find((c) => c.headingPath === 'Reset a forgotten password')!.text).toContain('Forgot password?');
  });

  it('nests heading paths (## > ###) and reads HTML help-center exports the same way', () => {
    const doc = parseDoc(
      `<h1>Invoices</h1><h2>Send</h2><p>${words(60, 'send')}</p><h3>By email</h3><p>${words(80, 'mail')}</p><h2>Void</h2><p>${words(70, 'void')}</p>`,
      'invoices',
    );
    const chunks = chunkDoc(doc, { targetTokens: 150, overlapTokens: 0 });
    expect(doc.title).toBe('Invoices');
    expect(chunks.map((c) => c.headingPath)).toEqual(['Send', 'Send > By email', 'Void']);
  });

  it("decodes an export's character references and keeps its links' targets, as a reply will quote them", () => {
    const doc = parseDoc(
      '<h1>Reset your password</h1><p>If you can&rsquo;t sign in &mdash; it&#8217;s fine &ndash; go to <a href="https://app.example/login" class="btn">the sign-in page</a>, ' +
        'then Extras &rarr; Sécurité &eacute;t&eacute; &Uuml;ber &#x1F600; na&iuml;ve. Literal: &amp;lt;b&amp;gt; and &bogus; stay text.</p>',
      'reset',
    );
    const [chunk] = chunkDoc(doc, params);
    expect(chunk!.text).toBe(
      'If you can’t sign in — it’s fine – go to the sign-in page (https://app.example/login), then Extras → Sécurité été Über 😀 naïve. Literal: &lt;b&gt; and &bogus; stay text.',
    );
  });

  it('reads references the way HTML parsers do: upper-case basics, Windows-1252 numbers, and no prototype names', () => {
    const doc = parseDoc('<h1>T</h1><p>A &AMP; B &LT;3 &#146;quoted&#148; &#150; &constructor; &toString; &#0; &#xD800; <a href="https://x.example/a">open',
      't');
    expect(chunkDoc(doc, params)[0]!.text).toBe('A & B <3 ’quoted” – &constructor; &toString; &#0; &#xD800; open');
  });

  it('cuts a long section into windows near the size target, repeating the overlap', () => {
    const doc = parseDoc(`# Long\n\n## Steps\n\n${words(900)}`, 'long');
    const chunks = chunkDoc(doc, params);
    expect(chunks.length).toBeGreaterThanOrEqual(4);
    for (const chunk of chunks) expect(chunk.tokenCount).toBeLessThanOrEqual(params.targetTokens + params.overlapTokens + 5);
    const [first, second] = chunks;
    const tail = first!.text.split(/\s+/).slice(-Math.floor(params.overlapTokens * 0.75));
    expect(second!.text.startsWith(tail.join(' '))).toBe(true);
  });

  it('merges a tiny section into its neighbour and names its heading in the text', () => {
    const doc = parseDoc(`# Export\n\n## Export to CSV\n\n${words(100, 'csv')}\n\n## Note\n\nExports run nightly.\n\n## Other\n\n${words(200, 'other')}`, 'export');
    const chunks = chunkDoc(doc, params);
    const merged = chunks.find((c) => c.text.includes('Exports run nightly.'))!;
    expect(merged.text).toContain('csv0');
    expect(merged.text).toContain('Note\nExports run nightly.');
    expect(chunks.some((c) => c.text.trim() === 'Exports run nightly.')).toBe(false);
    expect(estimateTokens(merged.text)).toBeLessThanOrEqual(params.targetTokens);
  });
});

describe('corpusVersion', () => {
  const identity = { docs: sampleDocs(), chunker: params, embeddingModel: '@cf/baai/bge-base-en-v1.5', dimensions: 768 };

  it('is the same for the same docs in any order', async () => {
    expect(await corpusVersion({ ...identity, docs: [...identity.docs].reverse() })).toBe(await corpusVersion(identity));
  });

  it('changes with a doc, the chunker parameters, the embedding model or its dimensions', async () => {
    const base = await corpusVersion(identity);
    const [first, ...rest] = identity.docs;
    const variants = await Promise.all([
      corpusVersion({ ...identity, docs: [{ ...first!, body: `${first!.body}\nOne more line.` }, ...rest] }),
      corpusVersion({ ...identity, chunker: { ...params, targetTokens: 300 } }),
      corpusVersion({ ...identity, chunker: { ...params, overlapTokens: 0 } }),
      corpusVersion({ ...identity, embeddingModel: '@cf/baai/bge-large-en-v1.5' }),
      corpusVersion({ ...identity, dimensions: 1024 }),
    ]);
    expect(new Set([base, ...variants]).size).toBe(6);
    for (const v of [base, ...variants]) expect(v).toMatch(/^v_[0-9a-f]{16}$/);
  });
});
