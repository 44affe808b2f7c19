import { describe, expect, it } from 'vitest';
import { OfflineResponder, readableIntent } from '../../src/respond/offline';
import type { RetrievedChunk } from '../../src/retrieval/types';
import { confidenceFeatures } from '../../src/decide/confidence-features';
import { calibrate, DEFAULT_CALIBRATION } from '../../src/decide/calibration';
import { queryTerms } from '../../src/retrieval/lexical';

const chunk = (over: Partial<RetrievedChunk>): RetrievedChunk => ({
  chunkId: 'api-rate-limits#2',
  docId: 'api-rate-limits',
  title: 'API rate limits and 429 errors',
  headingPath: 'API rate limits and 429 errors > Handle 429 errors',
  url: 'https://help.tallybook.example/articles/api-rate-limits',
  text: '## Handle 429 errors\n\n1. Stop sending requests when you receive a **429**.\n2. Wait the number of seconds in `Retry-After`.\n3. Retry the request.\n\n| Plan | Limit |\n|---|---|\n\nOur office dog is called Biscuit.',
  score: 1,
  lexicalRank: 1,
  lexicalScore: 12,
  vectorRank: null,
  vectorScore: null,
  ...over,
});

const ticket = (fromName: string | null) => ({ subject: '429 errors', text: 'We keep getting 429 errors from the API. What should we do when it happens?', fromName });

describe('OfflineResponder replies', () => {
  it('quotes the matching steps cleanly, with the article title and link', async () => {
    const { response } = await new OfflineResponder().respond({ ticket: ticket('Ada Lovelace'), chunks: [chunk({}), chunk({ chunkId: 'other#0', docId: 'other', title: 'Other', score: 0.3, lexicalRank: 2 })] });
    const reply = response!.suggested_reply;
    expect(reply).toContain('1. Stop sending requests when you receive a 429.\n2. Wait the number of seconds in Retry-After.\n3. Retry the request.');
    expect(reply).toContain('The full article: API rate limits and 429 errors: https://help.tallybook.example/articles/api-rate-limits');
    expect(reply).not.toMatch(/##|\*\*|`|\|---/);
    expect(reply).not.toContain('Biscuit');
    expect(response!.doc_sources).toEqual(['api-rate-limits#2']);
  });

  it('greets with "Hi," only: a display name never reaches the reply', async () => {
    const hostile = 'Bob <a href="https://evil.example">click</a> https://evil.example';
    const { response } = await new OfflineResponder().respond({ ticket: ticket(hostile), chunks: [chunk({})] });
    expect(response!.suggested_reply.startsWith('Hi,\n\n')).toBe(true);
    expect(response!.suggested_reply).not.toContain('evil.example');
    expect(response!.suggested_reply).not.toContain('Bob');
  });

  it('scores its confidence as a probability from the retrieval evidence', async () => {
    const clear = await new OfflineResponder().respond({ ticket: ticket(null), chunks: [chunk({}), chunk({ chunkId: 'b#0', docId: 'b', title: 'Invoices', text: 'Invoices', score: 0.2, lexicalRank: 2 })] });
    const tie = await new OfflineResponder().respond({ ticket: ticket(null), chunks: [chunk({ text: 'Requests' }), chunk({ chunkId: 'b#0', docId: 'b', title: 'API keys', text: 'errors', score: 0.99, lexicalRank: 2 })] });
    const [p, q] = [clear.response!.confidence_score, tie.response!.confidence_score];
    expect(p).toBeGreaterThan(0);
    expect(p).toBeLessThan(1);
    expect(p).toBeGreaterThan(q);
  });

  it('scores the evidence the pipeline already computed, the same as computing it itself', async () => {
    const chunks = [chunk({}), chunk({ chunkId: 'b#0', docId: 'b', title: 'Invoices', text: 'Invoices', score: 0.2, lexicalRank: 2 })];
    const own = await new OfflineResponder().respond({ ticket: ticket(null), chunks });
    const terms = queryTerms(`${ticket(null).subject}\n${ticket(null).text}`);
    const evidence = confidenceFeatures(terms, chunks, null);
    const given = await new OfflineResponder().respond({ ticket: ticket(null), chunks, evidence });
    expect(given.response!.confidence_score).toBe(own.response!.confidence_score);
    // And it does read what it is given: weaker evidence, a lower score.
    const weaker = await new OfflineResponder().respond({ ticket: ticket(null), chunks, evidence: { ...evidence, selection_share: 0, selection_margin: 0 } });
    expect(weaker.response!.confidence_score).toBe(calibrate(DEFAULT_CALIBRATION, { ...evidence, selection_share: 0, selection_margin: 0 }));
    expect(weaker.response!.confidence_score).not.toBe(own.response!.confidence_score);
  });
});

describe('readableIntent', () => {
  it('keeps a named doc id as its slug', () => {
    expect(readableIntent('reset-password', 'Reset your password')).toBe('reset_password');
  });

  it('names an imported doc by its title, not its 64-character hash id', () => {
    const hash = 'a3f1c9e07b2d4f6a8c0e1b3d5f7a9c1e3b5d7f9a1c3e5b7d9f1a3c5e7b9d1f3a';
    expect(readableIntent(hash, 'How do I connect my domain?')).toBe('how_do_i_connect_my_domain');
    expect(readableIntent(`zendesk-${hash.slice(0, 16)}`, 'Zahlungsmethode ändern')).toBe('zahlungsmethode_ändern');
  });

  it('caps a long title at 60 characters without a trailing underscore', () => {
    const intent = readableIntent('0123456789abcdef0123', 'Why is my invoice dated the next day when I create it in the evening in my time zone?');
    expect(intent.length).toBeLessThanOrEqual(60);
    expect(intent).toMatch(/^why_is_my_invoice_dated_the_next_day[a-z_]*[a-z]$/);
  });
});
