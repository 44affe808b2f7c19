import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { database } from '../../src/db/client';
import { ftsQuery, LexicalRetriever, queryTerms } from '../../src/retrieval/lexical';
import { docsFrom, loadCorpus } from '../helpers';

// WixQA (expert-written split, public sample): real customer phrasing against real help-center articles.
const wixDocs = import.meta.glob('../../../shared/data/retrieval/wixqa/docs/*.md', { query: '?raw', import: 'default', eager: true }) as Record<string, string>;
const [wixQuestions] = Object.values(
  import.meta.glob('../../../shared/data/retrieval/wixqa/questions.jsonl', { query: '?raw', import: 'default', eager: true }) as Record<string, string>,
);

const retriever = new LexicalRetriever(database(env.DB));

const hostile: [string, string][] = [
  ['double quotes', 'how do I "reset my password'],
  ['a lone quote', '"'],
  ['star', 'pass* reset*'],
  ['NEAR', 'NEAR(password reset, 2)'],
  ['column filter', 'title:password OR text:reset'],
  ['minus', '-password -reset'],
  ['boolean words', 'password AND OR NOT reset'],
  ['unbalanced parentheses', '((password reset'],
  ['closing parenthesis', 'password) reset)'],
  ['caret and plus', '^password + reset'],
  ['emoji', '🔒🔑 password 😡 reset 🙏'],
  ['only emoji', '😡😡😡'],
  ['only punctuation', '"*()-:^+'],
  ['empty', ''],
  ['NUL and control characters', 'pass\u0000word\u0007 reset'],
  ['10 KB of text', 'I forgot my password and the reset email never arrives. '.repeat(200).slice(0, 10_240)],
  ['10 KB of distinct words', Array.from({ length: 1500 }, (_, i) => `w${i}x`).join(' ')],
];

describe('LexicalRetriever on real D1 FTS5', () => {
  it.each(hostile)('answers a query with %s with results or an empty list, never an error', async (_, query) => {
    await loadCorpus();
    const retrieval = await retriever.retrieve(query, 8);
    expect(Array.isArray(retrieval.chunks)).toBe(true);
    expect(retrieval.degraded).toBeNull();
    if (/password/.test(query)) expect(retrieval.chunks[0]?.docId).toBe('reset-password');
  });

  it('turns user text into quoted terms only, so FTS5 never sees an operator', () => {
    const match = ftsQuery(queryTerms('NEAR("reset" password*) -login OR (2fa'))!;
    expect(match).toBe('"near" OR "reset" OR "password" OR "login" OR "2fa"');
  });

  it("searches a term's synonyms with it, once each", () => {
    expect(ftsQuery(['refund', 'terms', 'policy'])).toBe('"refund" OR "terms" OR "policy" OR "policies" OR "conditions"');
  });

  it('searches a ticket by its topic, not by a subject that only says it is a question', async () => {
    expect(queryTerms('Quick question: What are your refund terms?')).toEqual(['refund', 'terms']);
    await loadCorpus();
    const retrieval = await retriever.retrieve('Question\nWhat are your refund terms?', 8);
    expect(retrieval.chunks[0]?.docId).toBe('refund-policy');
  });

  it('finds the gold WixQA article in the top 5 for at least 85% of the questions', async () => {
    const docs = docsFrom(wixDocs);
    await loadCorpus(docs);
    const questions = wixQuestions!
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { question: string; gold_doc_ids: string[] });
    let recall = 0;
    for (const q of questions) {
      const ranked = [...new Set((await retriever.retrieve(q.question, 8)).chunks.map((c) => c.docId))].slice(0, 5);
      recall += ranked.filter((id) => q.gold_doc_ids.includes(id)).length / q.gold_doc_ids.length;
    }
    expect(questions.length).toBe(94);
    expect(recall / questions.length).toBeGreaterThanOrEqual(0.85);
  }, 120_000);
});
