// The FTS5 index holds the active corpus version only (migrations 0011, 0012): bm25 and the
// frequent-word filter count every indexed row, so a help center must score the same
// whatever else is stored for rollback. Before, Chairly's help center uploaded over the
// sample scored its French payout question 0.60 where an empty database gave 0.95.
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { database } from '../../src/db/client';
import { activateCorpusVersion, cachedActiveCorpusVersion, deleteCorpusVersion } from '../../src/db/corpus';
import { LexicalRetriever } from '../../src/retrieval/lexical';
import { activeChunkIds, ADMIN_TOKEN, docsFrom, emptyCorpus, indexedChunkIds, loadCorpus, request, sampleDocs } from '../helpers';

const chairly = docsFrom(import.meta.glob('../../corpus/check-helpcenter-2/docs/*.md', { query: '?raw', import: 'default', eager: true }) as Record<string, string>);
const db = database(env.DB);
const retriever = new LexicalRetriever(db);

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

/** Flip the flags as another isolate (or a Worker from before 0011) would: no call into this isolate's code. */
async function flipElsewhere(version: string): Promise<void> {
  await env.DB.batch([
    env.DB.prepare('UPDATE corpus_versions SET active = 0 WHERE active = 1'),
    env.DB.prepare('UPDATE corpus_versions SET active = 1 WHERE version = ?').bind(version),
  ]);
}

let alone: { sampleAlone: [string, number | null][][]; chairlyAlone: [string, number | null][][] } | undefined;

/** Both help centers stored, Chairly's active; each one's scores when it was stored alone (measured once: uploads are rate limited). */
async function bothStored() {
  if (!alone) {
    await emptyCorpus();
    await loadCorpus(sampleDocs());
    const sampleAlone = await scores(SAMPLE_QUERIES);
    await emptyCorpus();
    await loadCorpus(chairly);
    alone = { sampleAlone, chairlyAlone: await scores(CHAIRLY_QUERIES) };
  }
  await emptyCorpus();
  const sample = await loadCorpus(sampleDocs());
  const help = await loadCorpus(chairly);
  return { sample, help, ...alone };
}

describe('the search index holds the active version only', () => {
  it('scores a help center uploaded over another as it scores it alone, and a rollback as the old one alone', async () => {
    const { sample, sampleAlone, chairlyAlone } = await bothStored();
    expect(chairlyAlone[0]!.length).toBeGreaterThan(0);
    expect(await scores(CHAIRLY_QUERIES)).toEqual(chairlyAlone);
    expect(await indexedChunkIds()).toEqual(await activeChunkIds());

    await activate(sample.version, sample.docs);
    expect(await scores(SAMPLE_QUERIES)).toEqual(sampleAlone);
    expect(await indexedChunkIds()).toEqual(await activeChunkIds());
  });

  it('activating the active version again re-indexes it: the repair for an index that drifted', async () => {
    await emptyCorpus();
    const summary = await loadCorpus(chairly);
    const before = await scores(CHAIRLY_QUERIES);
    await env.DB.prepare("INSERT INTO chunks_fts(chunks_fts) VALUES ('delete-all')").run();
    expect(await indexedChunkIds()).toEqual([]);
    await activate(summary.version, summary.docs);
    expect(await indexedChunkIds()).toEqual(await activeChunkIds());
    expect(await scores(CHAIRLY_QUERIES)).toEqual(before);
  });

  it('follows a flip made elsewhere, and an isolate whose cached version left the index finds the new one', async () => {
    const { sample, help, sampleAlone } = await bothStored();
    expect((await cachedActiveCorpusVersion(db))!.version).toBe(help.version);
    await flipElsewhere(sample.version);
    expect(await indexedChunkIds()).toEqual(await activeChunkIds());
    // This isolate still caches Chairly's version, whose rows are no longer indexed.
    expect((await cachedActiveCorpusVersion(db))!.version).toBe(help.version);
    const found = await retriever.retrieve(SAMPLE_QUERIES[0]!, 8);
    expect(found.corpusVersion).toBe(sample.version);
    expect([await scores(SAMPLE_QUERIES)]).toEqual([sampleAlone]);
  });

  it('an isolate that cached "no corpus" finds a first version activated elsewhere', async () => {
    await emptyCorpus();
    const help = await loadCorpus(chairly);
    await env.DB.prepare('UPDATE corpus_versions SET active = 0').run();
    expect((await retriever.retrieve(CHAIRLY_QUERIES[1]!, 8)).corpusVersion).toBeNull();
    await flipElsewhere(help.version);
    const found = await retriever.retrieve(CHAIRLY_QUERIES[1]!, 8);
    expect(found.corpusVersion).toBe(help.version);
    expect(found.chunks.length).toBeGreaterThan(0);
  });

  it('an activation after a full FTS5 rebuild (every stored version indexed) leaves the active one alone', async () => {
    const { sample, help, chairlyAlone } = await bothStored();
    await env.DB.prepare("INSERT INTO chunks_fts(chunks_fts) VALUES ('rebuild')").run();
    expect((await indexedChunkIds()).length).toBeGreaterThan((await activeChunkIds()).length);
    await activate(sample.version, sample.docs);
    await activate(help.version, help.docs);
    expect(await indexedChunkIds()).toEqual(await activeChunkIds());
    expect(await scores(CHAIRLY_QUERIES)).toEqual(chairlyAlone);
  });

  it('activating a version a prune deleted meanwhile leaves the active one active and searchable', async () => {
    const { sample, help, chairlyAlone } = await bothStored();
    await deleteCorpusVersion(db, sample.version);
    await expect(activateCorpusVersion(db, sample.version, Date.now(), { vectorized: false })).rejects.toThrow(/vanished/);
    expect((await env.DB.prepare('SELECT version FROM corpus_versions WHERE active = 1').all()).results).toEqual([{ version: help.version }]);
    expect(await scores(CHAIRLY_QUERIES)).toEqual(chairlyAlone);
  });

  it('migrations 0011 and 0012 repair an index that holds every stored version, as before them', async () => {
    const { chairlyAlone } = await bothStored();
    await env.DB.prepare(
      `INSERT INTO chunks_fts(rowid, title, heading_path, text) SELECT id, title, heading_path, text FROM chunks
       WHERE version NOT IN (SELECT version FROM corpus_versions WHERE active = 1)`,
    ).run();
    expect(await scores(CHAIRLY_QUERIES)).not.toEqual(chairlyAlone);

    const repairs = env.TEST_MIGRATIONS.filter((m) => m.name.startsWith('0011_') || m.name.startsWith('0012_'));
    expect(repairs).toHaveLength(2);
    for (const query of repairs.flatMap((m) => m.queries)) await env.DB.prepare(query).run();
    expect(await indexedChunkIds()).toEqual(await activeChunkIds());
    expect(await scores(CHAIRLY_QUERIES)).toEqual(chairlyAlone);
  });
});
