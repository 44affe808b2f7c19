import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { database } from '../../src/db/client';
import type { SourceDoc } from '../../src/retrieval/chunk';
import { frequentTerms } from '../../src/db/corpus';
import { LexicalRetriever, queryTerms } from '../../src/retrieval/lexical';
import { docsFrom, emptyCorpus, loadCorpus } from '../helpers';
import recorded from './fixtures/top8.json';

// The top 8 per question as the one-stage search before issue 18 ranks them
// (scripts/record-top8.ts), on the sample help center, WixQA and TechQA: dropping
// near-universal terms and ranking in two stages must not move a single result.
const sources = {
  sample: import.meta.glob('../../corpus/docs/*.md', { query: '?raw', import: 'default', eager: true }),
  wixqa: import.meta.glob('../../../shared/data/retrieval/wixqa/docs/*.md', { query: '?raw', import: 'default', eager: true }),
  techqa: import.meta.glob('../../../shared/data/retrieval/techqa/docs/*.md', { query: '?raw', import: 'default', eager: true }),
} as Record<keyof typeof recorded, Record<string, string>>;

function docsOf(set: keyof typeof recorded): SourceDoc[] {
  return docsFrom(sources[set]).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

describe('lexical top 8 on the public question sets', () => {
  const retriever = new LexicalRetriever(database(env.DB));

  it.each(Object.keys(recorded) as (keyof typeof recorded)[])('%s: every question gets the recorded top 8, in order', async (set) => {
    // Each set is searched alone, as it was recorded.
    await emptyCorpus();
    const { version } = await loadCorpus(docsOf(set));
    const expected = recorded[set];
    expect(expected.length).toBeGreaterThan(90);
    const differing: { query: string; expected: string[]; actual: string[] }[] = [];
    let withFrequentTerms = 0;
    for (const { query, chunkIds } of expected) {
      if ((await frequentTerms(database(env.DB), queryTerms(query), version)).size > 0) withFrequentTerms += 1;
      const actual = (await retriever.retrieve(query, 8)).chunks.map((c) => c.chunkId);
      if (JSON.stringify(actual) !== JSON.stringify(chunkIds)) differing.push({ query: query.slice(0, 80), expected: chunkIds, actual });
    }
    expect(differing).toEqual([]);
    // Not vacuous: these sets' questions do use words found in half the chunks ("wix", "site", "account").
    expect(withFrequentTerms).toBeGreaterThan(0);
  }, 240_000);
});
