// The searchable corpus: versions, documents, chunks and their FTS5 index.
// Queries name the active version, so a half-loaded upload is never seen.
import { and, desc, eq, ne, sql } from 'drizzle-orm';
// The Porter algorithm, as FTS5's porter tokenizer applies it (checked against D1's own vocabulary in test/db).
import { stemmer } from 'stemmer';
import type { Chunk } from '../retrieval/chunk';
import type { Database } from './client';
import { chunks, corpusVersions, documents } from './schema';

export type CorpusVersionRow = typeof corpusVersions.$inferSelect;
export type ChunkRow = typeof chunks.$inferSelect;

export async function activeCorpusVersion(db: Database): Promise<CorpusVersionRow | undefined> {
  return db.query.corpusVersions.findFirst({ where: eq(corpusVersions.active, true) });
}

/**
 * How long an isolate answers retrieval from its cached active version. The isolate
 * that activates a version drops its cache at once; any other sees the flip within this.
 */
const ACTIVE_VERSION_CACHE_MS = 10_000;
let activationsInIsolate = 0;
const activeVersionCache = new WeakMap<Database, { row: CorpusVersionRow | undefined; until: number; activations: number }>();

/**
 * The active version for retrieval: one D1 read per isolate per ACTIVE_VERSION_CACHE_MS, not one
 * per ticket. "None" is not cached: a first upload another isolate activates is searched at once.
 */
export async function cachedActiveCorpusVersion(db: Database, now = Date.now()): Promise<CorpusVersionRow | undefined> {
  const cached = activeVersionCache.get(db);
  if (cached?.row && cached.until > now && cached.activations === activationsInIsolate) return cached.row;
  return freshActiveCorpusVersion(db, now);
}

/** The active version read now, and cached as cachedActiveCorpusVersion caches it. */
export async function freshActiveCorpusVersion(db: Database, now = Date.now()): Promise<CorpusVersionRow | undefined> {
  const row = await activeCorpusVersion(db);
  activeVersionCache.set(db, { row, until: now + ACTIVE_VERSION_CACHE_MS, activations: activationsInIsolate });
  return row;
}

export async function findCorpusVersion(db: Database, version: string): Promise<CorpusVersionRow | undefined> {
  return db.query.corpusVersions.findFirst({ where: eq(corpusVersions.version, version) });
}

export async function listCorpusVersions(db: Database): Promise<CorpusVersionRow[]> {
  return db.select().from(corpusVersions).orderBy(desc(corpusVersions.createdAt));
}

export async function createCorpusVersion(
  db: Database,
  row: Pick<CorpusVersionRow, 'version' | 'embeddingModel' | 'dimensions' | 'chunker'>,
  now: number,
): Promise<CorpusVersionRow> {
  await db.insert(corpusVersions).values({ ...row, createdAt: now }).onConflictDoNothing();
  const stored = await findCorpusVersion(db, row.version);
  if (!stored) throw new Error(`corpus version ${row.version} cannot be read`);
  return stored;
}

/** Doc ids already fully stored for a version: what a resumed upload can skip. */
export async function storedDocIds(db: Database, version: string): Promise<string[]> {
  const rows = await db.select({ docId: documents.docId }).from(documents).where(eq(documents.version, version));
  return rows.map((r) => r.docId);
}

/**
 * Store one document and its chunks atomically (one D1 batch), replacing any
 * partial copy, so a resumed upload never leaves half a document.
 */
export async function storeDocument(
  db: Database,
  version: string,
  doc: { docId: string; title: string; url: string | null; contentHash: string },
  docChunks: Chunk[],
): Promise<void> {
  const remove = db.delete(chunks).where(and(eq(chunks.version, version), eq(chunks.docId, doc.docId)));
  const removeDoc = db.delete(documents).where(and(eq(documents.version, version), eq(documents.docId, doc.docId)));
  const insertDoc = db.insert(documents).values({ version, ...doc });
  // D1 binds at most 100 parameters per statement: 10 columns × 9 rows stays below.
  const inserts = [];
  for (let i = 0; i < docChunks.length; i += 9) {
    inserts.push(db.insert(chunks).values(docChunks.slice(i, i + 9).map((c) => ({ version, ...c }))));
  }
  await db.batch([remove, removeDoc, ...inserts, insertDoc]);
}

/** Documents stored for a version (each with all its chunks, see storeDocument). */
export async function storedDocCount(db: Database, version: string): Promise<number> {
  const rows = await db.select({ n: sql<number>`count(*)` }).from(documents).where(eq(documents.version, version));
  return rows[0]?.n ?? 0;
}

/**
 * Flip `active` to this version in one batch. A loading version becomes complete
 * (counts and `vectorized` recorded once); a complete one is simply re-activated,
 * which is how a team rolls back. The flip re-indexes: the FTS5 index holds the
 * active version only, and the flag's trigger (migration 0012) replaces its rows in
 * the same transaction, so bm25 scores a help center by its own statistics, as the
 * confidence was fitted, whatever else is stored for rollback.
 */
export async function activateCorpusVersion(
  db: Database,
  version: string,
  now: number,
  completion: { vectorized: boolean },
): Promise<CorpusVersionRow> {
  const counts = await db
    .select({ docs: sql<number>`count(distinct ${chunks.docId})`, chunks: sql<number>`count(*)` })
    .from(chunks)
    .where(eq(chunks.version, version));
  const stats = counts[0] ?? { docs: 0, chunks: 0 };
  // A version deleted meanwhile (a prune racing this call) is never half-activated:
  // without it, the first flip would leave no version active.
  const exists = sql`exists (select 1 from corpus_versions where version = ${version})`;
  await db.batch([
    db
      .update(corpusVersions)
      .set({ status: 'complete', docCount: stats.docs, chunkCount: stats.chunks, vectorized: completion.vectorized })
      .where(and(eq(corpusVersions.version, version), eq(corpusVersions.status, 'loading'))),
    db
      .update(corpusVersions)
      .set({ active: false })
      .where(and(eq(corpusVersions.active, true), ne(corpusVersions.version, version), exists)),
    // Setting the flag re-indexes (migration 0012), on the active version too: the repair for an index that drifted.
    db.update(corpusVersions).set({ active: true, activatedAt: now }).where(eq(corpusVersions.version, version)),
  ]);
  activationsInIsolate += 1;
  const row = await findCorpusVersion(db, version);
  if (!row) throw new Error(`corpus version ${version} vanished`);
  return row;
}

/**
 * Versions a prune may delete: never the active one; complete versions beyond the
 * newest `keep` (kept for rollback); loading versions untouched for `staleMs`
 * (abandoned uploads; a recent one may still be in progress).
 */
export async function prunableVersions(db: Database, keep: number, now: number, staleMs: number): Promise<CorpusVersionRow[]> {
  const all = await listCorpusVersions(db);
  const complete = all
    .filter((v) => v.status === 'complete')
    .sort((a, b) => (b.activatedAt ?? b.createdAt) - (a.activatedAt ?? a.createdAt));
  const kept = new Set(complete.filter((v) => v.active).concat(complete.filter((v) => !v.active).slice(0, Math.max(0, keep - 1))).map((v) => v.version));
  return all.filter((v) => !v.active && !kept.has(v.version) && (v.status === 'complete' || now - v.createdAt > staleMs));
}

export async function chunkIdsOf(db: Database, version: string): Promise<string[]> {
  const rows = await db.select({ chunkId: chunks.chunkId }).from(chunks).where(eq(chunks.version, version));
  return rows.map((r) => r.chunkId);
}

/** Delete an inactive version's chunks, documents and row in one batch (it has no FTS rows: only the active version is indexed). */
export async function deleteCorpusVersion(db: Database, version: string): Promise<void> {
  // Re-checked in every statement: a version activated meanwhile is never emptied.
  const inactive = sql`not exists (select 1 from corpus_versions where version = ${version} and active = 1)`;
  await db.batch([
    db.delete(chunks).where(and(eq(chunks.version, version), inactive)),
    db.delete(documents).where(and(eq(documents.version, version), inactive)),
    db.delete(corpusVersions).where(and(eq(corpusVersions.version, version), eq(corpusVersions.active, false))),
  ]);
}

export async function chunksByIds(db: Database, version: string, chunkIds: string[]): Promise<ChunkRow[]> {
  if (chunkIds.length === 0) return [];
  return db.query.chunks.findMany({ where: (c, { and, eq, inArray }) => and(eq(c.version, version), inArray(c.chunkId, chunkIds)) });
}

export type LexicalHit = ChunkRow & { bm25: number };

/**
 * A word as the FTS5 vocabulary stores it (the index's tokenizer is porter). Words of
 * 3-64 ASCII letters are stemmed here; any other word is looked up as typed, which at
 * worst misses a frequent word and so keeps it in the search.
 */
function vocabularyTerm(word: string): string {
  return /^[a-z]{3,64}$/.test(word) ? stemmer(word) : word;
}

/**
 * The terms among these that occur in at least half the indexed rows (the active
 * version's: the index holds no other, migration 0011). FTS5 clamps such a term's idf
 * to 1e-6, so it cannot move a ranking, but every row it matches is scored. Terms are
 * looked up by their porter stem, as the vocabulary holds them ("accounts" as "account").
 */
export async function frequentTerms(db: Database, terms: string[], activeVersion: string): Promise<Set<string>> {
  if (terms.length === 0) return new Set();
  const stems = new Map(terms.map((t) => [t, vocabularyTerm(t)]));
  const rows = await db.all<{ term: string }>(sql`
    SELECT term FROM chunks_fts_vocab
    WHERE term IN (${sql.join([...new Set(stems.values())].map((t) => sql`${t}`), sql`, `)})
      AND doc * 2 >= (SELECT count(*) FROM chunks WHERE version = ${activeVersion})`);
  const frequent = new Set(rows.map((r) => r.term));
  return new Set(terms.filter((t) => frequent.has(stems.get(t)!)));
}

export type RowRange = { first: number; last: number };

const rowRanges = new WeakMap<Database, Map<string, RowRange | null>>();

/**
 * A version's chunk rowids, when they form a range that no other version's rows fall
 * in (an upload inserts its rows in order): FTS5 then filters by rowid itself, with no
 * join per match. Cached per version row: a complete version's rows never change.
 */
export async function exclusiveRowRange(db: Database, version: Pick<CorpusVersionRow, 'version' | 'createdAt'>): Promise<RowRange | null> {
  const key = `${version.version}@${version.createdAt}`;
  let cache = rowRanges.get(db);
  if (!cache) rowRanges.set(db, (cache = new Map()));
  if (cache.has(key)) return cache.get(key)!;
  const [row] = await db.all<{ first: number | null; last: number | null; n: number; inRange: number }>(sql`
    WITH v AS (SELECT min(id) AS first, max(id) AS last, count(*) AS n FROM chunks WHERE version = ${version.version})
    SELECT first, last, n, (SELECT count(*) FROM chunks WHERE id BETWEEN v.first AND v.last) AS inRange FROM v`);
  const range = row && row.first !== null && row.last !== null && row.n === row.inRange ? { first: row.first, last: row.last } : null;
  cache.set(key, range);
  return range;
}

/**
 * FTS5 bm25 search within one version. `match` must come from `ftsQuery()`:
 * user text is never passed to MATCH as syntax. Title hits weigh most. Two stages
 * in one statement: ids and scores of the top `limit` first, then only their rows,
 * so the sort never carries the text of every match. With the version's exclusive
 * rowid range the first stage never leaves the FTS5 index.
 */
export async function searchChunks(db: Database, version: string, match: string, limit: number, range: RowRange | null = null): Promise<LexicalHit[]> {
  const ranked = range
    ? sql`SELECT rowid AS id, bm25(chunks_fts, 4.0, 2.0, 1.0) AS bm25 FROM chunks_fts
          WHERE chunks_fts MATCH ${match} AND rowid BETWEEN ${range.first} AND ${range.last}
          ORDER BY bm25 LIMIT ${limit}`
    : sql`SELECT c.id, bm25(chunks_fts, 4.0, 2.0, 1.0) AS bm25
          FROM chunks_fts JOIN chunks c ON c.id = chunks_fts.rowid
          WHERE chunks_fts MATCH ${match} AND c.version = ${version}
          ORDER BY bm25 LIMIT ${limit}`;
  return db.all<LexicalHit>(sql`
    WITH ranked AS (${ranked})
    SELECT c.id AS rowid, c.version, c.chunk_id AS chunkId, c.doc_id AS docId, c.title, c.heading_path AS headingPath,
           c.url, c.text, c.token_count AS tokenCount, c.position, ranked.bm25
    FROM ranked JOIN chunks c ON c.id = ranked.id
    ORDER BY ranked.bm25`);
}

/** A version's documents, for the upload's "what will change" plan and the shrink guard. */
export async function documentsOf(db: Database, version: string): Promise<Pick<typeof documents.$inferSelect, 'docId' | 'title' | 'contentHash'>[]> {
  return db
    .select({ docId: documents.docId, title: documents.title, contentHash: documents.contentHash })
    .from(documents)
    .where(eq(documents.version, version))
    .orderBy(documents.docId);
}
