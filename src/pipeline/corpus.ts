// The corpus upload service behind /admin/corpus (scripts/upload-corpus.ts drives it):
// versions are created, filled a document at a time (vectors first, then the D1 rows
// that mark a document stored), activated once complete, abandoned or pruned. The
// vector bindings come from deps (deps.ts is the only place that builds them).
import type { Config } from '../config';
import {
  activateCorpusVersion,
  activeCorpusVersion,
  chunkIdsOf,
  createCorpusVersion,
  deleteCorpusVersion,
  documentsOf,
  findCorpusVersion,
  listCorpusVersions,
  prunableVersions,
  storeDocument,
  storedDocCount,
  storedDocIds,
  type CorpusVersionRow,
} from '../db/corpus';
import type { Database } from '../db/client';
import type { Deps } from '../deps';
import { AppError } from '../errors';
import type { VectorBindings } from '../retrieval/bindings';
import type { Chunk } from '../retrieval/chunk';
import { EmbeddingError } from '../errors';
import { embeddingMismatch } from '../retrieval/hybrid';
import { embeddingText } from '../retrieval/vector';

/** Abandoned uploads (loading, untouched this long) are pruned too. */
const STALE_UPLOAD_MS = 24 * 60 * 60 * 1000;

export type VersionSpec = { chunker: { targetTokens: number; overlapTokens: number }; embeddingModel: string; dimensions: number };
export type StoredDocument = { docId: string; title: string; url: string | null; contentHash: string };

/** The active version, every version, and whether uploads embed (Vectorize answers). */
export async function corpusOverview(deps: Deps) {
  const [active, versions] = await Promise.all([activeCorpusVersion(deps.db), listCorpusVersions(deps.db)]);
  const vectors = await deps.corpusVectors();
  const mismatch = active ? embeddingMismatch(active, { model: deps.config.EMBEDDING_MODEL, dimensions: deps.config.EMBEDDING_DIMENSIONS }) : false;
  return { active, versions, vectors: vectors !== null, mismatch };
}

/** Create the version (a repeat finds it) and say which documents it already holds, so an upload resumes. */
export async function openCorpusVersion(version: string, spec: VersionSpec, deps: Deps): Promise<{ row: CorpusVersionRow | undefined; storedDocIds: string[] }> {
  refuseEmbeddingMismatch({ version, embeddingModel: spec.embeddingModel, dimensions: spec.dimensions }, deps.config);
  const row = await createCorpusVersion(deps.db, { version, ...spec }, deps.clock.now());
  return { row, storedDocIds: await storedDocIds(deps.db, version) };
}

/** Store one document of a loading version, replacing any partial copy. */
export async function storeCorpusDocument(version: string, document: StoredDocument, chunks: Chunk[], deps: Deps): Promise<void> {
  const row = await findCorpusVersion(deps.db, version);
  if (!row) throw new AppError('not_found', 404, `No corpus version ${version}`);
  if (row.status === 'complete') throw new AppError('conflict', 409, `Corpus version ${version} is complete and immutable`);
  refuseEmbeddingMismatch(row, deps.config);
  // Vectors first: the D1 rows are what marks a document stored, so a failure here leaves it to be retried whole.
  const vectors = await deps.corpusVectors();
  if (vectors) await storeVectors(vectors, version, chunks);
  await storeDocument(deps.db, version, document, chunks);
}

/** Make a complete version the active one; `replace` allows it to drop more than CORPUS_MAX_REMOVED_SHARE of the active docs. */
export async function activateCorpus(version: string, expected: { docs: number; replace: boolean }, deps: Deps) {
  const row = await findCorpusVersion(deps.db, version);
  if (!row) throw new AppError('not_found', 404, `No corpus version ${version}`);
  refuseEmbeddingMismatch(row, deps.config);
  const stored = await storedDocCount(deps.db, version);
  if (stored !== expected.docs) throw new AppError('conflict', 409, `Corpus version ${version} holds ${stored} of ${expected.docs} documents; finish the upload first`);
  if (!expected.replace) await refuseShrink(deps.db, version, deps.config.CORPUS_MAX_REMOVED_SHARE);
  const vectorized = (await deps.corpusVectors()) !== null;
  return activateCorpusVersion(deps.db, version, deps.clock.now(), { vectorized });
}

/** The version's documents: what an upload compares itself against. */
export async function corpusDocuments(version: string, deps: Deps) {
  if (!(await findCorpusVersion(deps.db, version))) throw new AppError('not_found', 404, `No corpus version ${version}`);
  return documentsOf(deps.db, version);
}

/** Delete an unfinished upload: rows, FTS entries and vectors. */
export async function abandonCorpusVersion(version: string, deps: Deps): Promise<{ chunks: number }> {
  const row = await findCorpusVersion(deps.db, version);
  if (!row) throw new AppError('not_found', 404, `No corpus version ${version}`);
  if (row.active || row.status !== 'loading') throw new AppError('conflict', 409, `Corpus version ${version} is ${row.active ? 'active' : row.status}; only an unfinished upload can be abandoned`);
  const chunkIds = await chunkIdsOf(deps.db, version);
  const vectors = await deps.corpusVectors();
  if (vectors) await vectors.store.deleteChunks(version, chunkIds);
  await deleteCorpusVersion(deps.db, version);
  return { chunks: chunkIds.length };
}

/** Delete every version but the active one and the newest `keep` (and stale unfinished uploads). */
export async function pruneCorpus(keep: number, deps: Deps): Promise<{ version: string; chunks: number; vectors: number }[]> {
  const vectors = await deps.corpusVectors();
  const pruned: { version: string; chunks: number; vectors: number }[] = [];
  for (const row of await prunableVersions(deps.db, keep, deps.clock.now(), STALE_UPLOAD_MS)) {
    const chunkIds = await chunkIdsOf(deps.db, row.version);
    const deletedVectors = vectors ? await vectors.store.deleteChunks(row.version, chunkIds) : 0;
    await deleteCorpusVersion(deps.db, row.version);
    pruned.push({ version: row.version, chunks: chunkIds.length, vectors: deletedVectors });
  }
  return pruned;
}

/** A version built for another embedding model than the Worker's config can be neither written nor activated. */
function refuseEmbeddingMismatch(row: Pick<CorpusVersionRow, 'version' | 'embeddingModel' | 'dimensions'>, config: Config) {
  if (embeddingMismatch(row, { model: config.EMBEDDING_MODEL, dimensions: config.EMBEDDING_DIMENSIONS })) {
    throw new AppError(
      'embedding_mismatch',
      409,
      `Corpus version ${row.version} is for ${row.embeddingModel} (${row.dimensions} dimensions) but the Worker is configured for ${config.EMBEDDING_MODEL} (${config.EMBEDDING_DIMENSIONS}); re-run the upload to build a version for the configured model`,
    );
  }
}

/** Embed a document's chunks and upsert them into the version's namespace. Idempotent: vector ids derive from version + chunk id. */
async function storeVectors(vectors: VectorBindings, version: string, chunks: Chunk[]): Promise<void> {
  try {
    const values = await vectors.embedder.embed(chunks.map(embeddingText));
    await vectors.store.upsert(
      version,
      chunks.map((chunk, i) => ({ chunk, values: values[i]! })),
    );
  } catch (error) {
    if (error instanceof EmbeddingError && error.reason === 'embedding_dimensions_mismatch') throw new AppError('embedding_mismatch', 409, error.message);
    throw new AppError('embedding_unavailable', 503, `Embedding or vector upsert failed; the document was not stored, retry it: ${String(error)}`);
  }
}

/**
 * A new version may drop at most `maxShare` of the active version's docs unless
 * the caller says `replace`: a one-doc folder uploaded by mistake must not wipe a
 * 173-article help center (and, after the prune, its rollback).
 */
async function refuseShrink(db: Database, version: string, maxShare: number) {
  const active = await activeCorpusVersion(db);
  if (!active || active.version === version) return;
  const [before, after] = await Promise.all([documentsOf(db, active.version), documentsOf(db, version)]);
  const kept = new Set(after.map((d) => d.docId));
  const removed = before.filter((d) => !kept.has(d.docId)).map((d) => d.docId);
  if (before.length === 0 || removed.length / before.length <= maxShare) return;
  throw new AppError(
    'corpus_would_shrink',
    409,
    `Version ${version} drops ${removed.length} of the ${before.length} active docs (more than ${Math.round(maxShare * 100)}%); upload with --replace if that is intended`,
    { removed: removed.slice(0, 50), removed_count: removed.length, active_docs: before.length },
  );
}
