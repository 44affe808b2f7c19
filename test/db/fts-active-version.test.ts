// The FTS5 index holds the active corpus version only (migration 0011): bm25 and the
// frequent-word filter count every indexed row, so a help center must score the same
// whatever else is stored for rollback. Before, Chairly's help center uploaded over the
// sample scored its French payout question 0.60 where an empty database gave 0.95.
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { database } from '../../src/db/client';
import { LexicalRetriever } from '../../src/retrieval/lexical';
import { ADMIN_TOKEN, docsFrom, emptyCorpus, loadCorpus, request, sampleDocs } from '../helpers';

const chairly = docsFrom(import.meta.glob('../../corpus/check-helpcenter-2/docs/*.md', { query: '?raw', import: 'default', eager: true }) as Record<string, string>);
const retriever = new LexicalRetriever(database(env.DB));

const CHAIRLY_QUERIES = [
  "Versements sur notre compte\nCombien de temps faut-il normalement pour que l'argent arrive sur notre compte bancaire ?",
  'How do I add a Book button to Google Maps?',
  'Can a client cancel their own appointment online?',
];
const SAMPLE_QUERIES = ['How do I import my data from QuickBooks?', 'What is your refund policy?'];

/** Each query's top 8 with its bm25 score: what the confidence features are computed from. */
async function scores(queries: string[]): Promise<[string, number | null][][]> {
  const out: [string, number | null][][] = [];
  for (const query of queries) out.push((await retriever.retrieve(query, 8)).chunks.map((c) => [c.chunkId, c.lexicalScore]));
  return out;
}

async function activate(version: string, docs: number): Promise<void> {
  const response = await request(`/admin/corpus/versions/${version}/activate`, {
    method: 'POST',
    token: ADMIN_TOKEN,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ docs, replace: true }),
  });
  expect(response.status).toBe(200);
}

async function indexedTerm(term: string): Promise<number> {
  const row = await env.DB.prepare('SELECT doc FROM chunks_fts_vocab WHERE term = ?').bind(term).first<{ doc: number }>();
  return row?.doc ?? 0;
}

describe('the search index holds the active version only', () => {
  it('scores a help center uploaded over another as it scores it alone, and a rollback as the old one alone', async () => {
    await emptyCorpus();
    await loadCorpus(sampleDocs());
    const sampleAlone = await scores(SAMPLE_QUERIES);
    await emptyCorpus();
    await loadCorpus(chairly);
    const chairlyAlone = await scores(CHAIRLY_QUERIES);
    expect(chairlyAlone[0]!.length).toBeGreaterThan(0);

    await emptyCorpus();
    const sample = await loadCorpus(sampleDocs());
    await loadCorpus(chairly);
    expect(await scores(CHAIRLY_QUERIES)).toEqual(chairlyAlone);
    // "quickbooks" is the sample's word: stored for rollback, not searched.
    expect(await indexedTerm('quickbook')).toBe(0);

    await activate(sample.version, sample.docs);
    expect(await scores(SAMPLE_QUERIES)).toEqual(sampleAlone);
    expect(await indexedTerm('quickbook')).toBeGreaterThan(0);
    expect(await indexedTerm('salon')).toBe(0);
  });

  it('activating the active version again changes nothing', async () => {
    await emptyCorpus();
    const summary = await loadCorpus(chairly);
    const before = await scores(CHAIRLY_QUERIES);
    await activate(summary.version, summary.docs);
    expect(await scores(CHAIRLY_QUERIES)).toEqual(before);
  });

  it('migration 0011 drops the rows of versions the old index kept', async () => {
    await emptyCorpus();
    await loadCorpus(chairly);
    const chairlyAlone = await scores(CHAIRLY_QUERIES);
    await emptyCorpus();
    await loadCorpus(sampleDocs());
    await loadCorpus(chairly);
    // The index as the triggers before 0011 left it: the stored sample's rows too.
    await env.DB.prepare(
      `INSERT INTO chunks_fts(rowid, title, heading_path, text) SELECT id, title, heading_path, text FROM chunks
       WHERE version NOT IN (SELECT version FROM corpus_versions WHERE active = 1)`,
    ).run();
    expect(await scores(CHAIRLY_QUERIES)).not.toEqual(chairlyAlone);

    const migration = env.TEST_MIGRATIONS.find((m) => m.name.startsWith('0011_'))!;
    for (const query of migration.queries) await env.DB.prepare(query).run();
    expect(await scores(CHAIRLY_QUERIES)).toEqual(chairlyAlone);
    expect(await indexedTerm('quickbook')).toBe(0);
  });
});
