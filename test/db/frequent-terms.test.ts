// The frequent-word filter of lexical search looks words up in FTS5's vocabulary,
// which holds what the porter tokenizer made of them: the JS stemmer must agree.
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { stemmer } from 'stemmer';
import { database } from '../../src/db/client';
import { frequentTerms } from '../../src/db/corpus';
import { parseDoc } from '../../src/retrieval/chunk';
import { docsFrom, emptyCorpus, loadCorpus, sampleDocs } from '../helpers';

const wixDocs = import.meta.glob('../../../shared/data/retrieval/wixqa/docs/*.md', { query: '?raw', import: 'default', eager: true }) as Record<string, string>;

describe('frequentTerms on the real FTS5 vocabulary', () => {
  it('stems every indexed word as the porter tokenizer did, on the sample and WixQA help centers', async () => {
    await emptyCorpus();
    const docs = [...sampleDocs(), ...docsFrom(wixDocs)];
    await loadCorpus(docs);
    const { results } = await env.DB.prepare('SELECT term FROM chunks_fts_vocab').all<{ term: string }>();
    const vocabulary = new Set(results.map((r) => r.term));
    // The indexed columns, split as unicode61 splits them; only plain ASCII words are stemmed.
    const { results: rows } = await env.DB.prepare('SELECT title, heading_path AS headingPath, text FROM chunks').all<{ title: string; headingPath: string | null; text: string }>();
    const tokens = rows.flatMap((r) => `${r.title} ${r.headingPath ?? ''} ${r.text}`.toLowerCase().split(/[^\p{L}\p{N}]+/u));
    const words = new Set(tokens.filter((t) => /^[a-z]{3,64}$/.test(t)));
    expect(words.size).toBeGreaterThan(3000);
    const disagreeing = [...words].filter((w) => !vocabulary.has(stemmer(w)));
    expect(disagreeing).toEqual([]);
  }, 120_000);

  it('finds a frequent word by any of its inflections, and leaves rare ones alone', async () => {
    await emptyCorpus();
    const filler = Array.from({ length: 6 }, (_, i) => parseDoc(`# Topic ${i}\n\nAccounts and billing, note ${i}.`, `note-${i}`));
    const { version } = await loadCorpus([...filler, parseDoc('# Exports\n\nExporting invoices to CSV.', 'exports')]);
    const frequent = await frequentTerms(database(env.DB), ['accounts', 'account', 'billing', 'exporting', 'csv', 'café'], version);
    expect([...frequent].sort()).toEqual(['account', 'accounts', 'billing']);
  });
});
