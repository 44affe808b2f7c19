// Ticket text is never FTS5 syntax: any string, including operators, quotes,
// unbalanced parentheses, emoji and very long text, returns results or nothing.
import { env } from 'cloudflare:workers';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { database } from '../../src/db/client';
import { LexicalRetriever } from '../../src/retrieval/lexical';
import { loadCorpus } from '../helpers';
import { FUZZ_TIMEOUT_MS, fuzzParameters } from './fuzz';

beforeAll(async () => {
  await loadCorpus();
});

const FTS_SYNTAX = ['"', '*', 'NEAR', 'NEAR(', 'AND', 'OR', 'NOT', '-', '+', '(', ')', '^', ':', '{', '}', 'title:', '🙂', '\u0000', "'"];

const queryText = fc.oneof(
  fc.string({ maxLength: 300 }),
  fc.string({ unit: 'grapheme', maxLength: 300 }),
  fc.array(fc.oneof(fc.constantFrom(...FTS_SYNTAX), fc.string({ maxLength: 12 })), { maxLength: 40 }).map((parts) => parts.join(' ')),
  fc.string({ minLength: 5000, maxLength: 12_000 }),
);

describe('lexical retrieval fuzzed', { timeout: FUZZ_TIMEOUT_MS }, () => {
  const retriever = new LexicalRetriever(database(env.DB));

  it('never throws and returns at most topK chunks of the active corpus', async () => {
    await fc.assert(
      fc.asyncProperty(queryText, async (text) => {
        const result = await retriever.retrieve(text, 8);
        expect(result.chunks.length).toBeLessThanOrEqual(8);
        for (const chunk of result.chunks) expect(Number.isFinite(chunk.score)).toBe(true);
      }),
      fuzzParameters(0.5),
    );
  });
});
