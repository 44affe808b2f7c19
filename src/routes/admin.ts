// Admin API (Bearer ADMIN_TOKEN): the corpus upload protocol used by
// scripts/upload-corpus.ts, locally and against a deployed Worker.
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
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
import { buildDeps } from '../deps';
import { AppError, EmbeddingError } from '../errors';
import { usableVectorBindings, type VectorBindings } from '../retrieval/bindings';
import type { Chunk } from '../retrieval/chunk';
import { embeddingMismatch } from '../retrieval/hybrid';
import { embeddingText } from '../retrieval/vector';
import { requireBearer } from '../middleware/auth';
import { rateLimit } from '../middleware/rate-limit';
import { limitBody, parseJson, requireJson } from '../middleware/body';
import { validationHook } from './validation';

const VersionParam = z.object({ version: z.string().regex(/^v_[0-9a-f]{16}$/) });
const ChunkerSchema = z.strictObject({ targetTokens: z.number().int().positive(), overlapTokens: z.number().int().min(0) });

const DocumentBody = z
  .strictObject({
    title: z.string().min(1).max(500),
    url: z.string().max(2000).nullable(),
    content_hash: z.string().regex(/^[0-9a-f]{64}$/),
    chunks: z
      .array(
        z.strictObject({
          chunk_id: z.string().min(1).max(300),
          heading_path: z.string().max(1000),
          text: z.string().min(1).max(50_000),
          token_count: z.number().int().min(0),
          position: z.number().int().min(0),
        }),
      )
      .min(1)
      .max(2000),
  })
  .openapi('CorpusDocument');

/** Abandoned uploads (loading, untouched this long) are pruned too. */
const STALE_UPLOAD_MS = 24 * 60 * 60 * 1000;

const json = (schema: z.ZodType, description: string) => ({ description, content: { 'application/json': { schema } } });
const Any = z.record(z.string(), z.unknown());

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

function versionJson(row: Awaited<ReturnType<typeof findCorpusVersion>>) {
  if (!row) return null;
  return {
    version: row.version,
    status: row.status,
    active: row.active,
    embedding_model: row.embeddingModel,
    dimensions: row.dimensions,
    chunker: row.chunker,
    docs: row.docCount,
    chunks: row.chunkCount,
    vectorized: row.vectorized,
    created_at: new Date(row.createdAt).toISOString(),
    activated_at: row.activatedAt ? new Date(row.activatedAt).toISOString() : null,
  };
}

export const admin = new OpenAPIHono<{ Bindings: Env }>({ defaultHook: validationHook });
// ADMIN_TOKEN also opens the console: guessing it here must cost budget as the login form does.
admin.use('/admin/*', rateLimit('admin'));
admin.use('/admin/*', requireBearer('ADMIN_TOKEN'));
admin.on(['PUT', 'POST'], '/admin/*', limitBody('MAX_ADMIN_BODY_BYTES'));
admin.put('/admin/*', requireJson());
admin.post('/admin/*', parseJson());

admin.openapi(
  createRoute({
    method: 'get',
    path: '/admin/corpus',
    security: [{ bearer: [] }],
    responses: { 200: json(Any, 'Chunker and embedding settings in force, and every corpus version') },
  }),
  async (c) => {
    const deps = buildDeps(c.env);
    const [active, versions] = await Promise.all([activeCorpusVersion(deps.db), listCorpusVersions(deps.db)]);
    return c.json(
      {
        settings: {
          chunker: { targetTokens: deps.config.CHUNK_TARGET_TOKENS, overlapTokens: deps.config.CHUNK_OVERLAP_TOKENS },
          embedding_model: deps.config.EMBEDDING_MODEL,
          dimensions: deps.config.EMBEDDING_DIMENSIONS,
          vectors: (await usableVectorBindings(c.env, deps.config)) !== null,
          keep_versions: deps.config.CORPUS_KEEP_VERSIONS,
          max_removed_share: deps.config.CORPUS_MAX_REMOVED_SHARE,
        },
        active: active?.version ?? null,
        embedding_mismatch: active ? embeddingMismatch(active, { model: deps.config.EMBEDDING_MODEL, dimensions: deps.config.EMBEDDING_DIMENSIONS }) : false,
        versions: versions.map(versionJson),
      },
      200,
    );
  },
);

admin.openapi(
  createRoute({
    method: 'put',
    path: '/admin/corpus/versions/{version}',
    security: [{ bearer: [] }],
    request: {
      params: VersionParam,
      body: {
        required: true,
        content: {
          'application/json': {
            schema: z.strictObject({ chunker: ChunkerSchema, embedding_model: z.string().min(1), dimensions: z.number().int().positive() }),
          },
        },
      },
    },
    responses: {
      200: json(Any, 'The version (created if new) and the doc ids it already holds'),
      409: json(Any, 'embedding_mismatch: the version is for another embedding model than the Worker is configured for'),
    },
  }),
  async (c) => {
    const deps = buildDeps(c.env);
    const { version } = c.req.valid('param');
    const body = c.req.valid('json');
    refuseEmbeddingMismatch({ version, embeddingModel: body.embedding_model, dimensions: body.dimensions }, deps.config);
    const row = await createCorpusVersion(
      deps.db,
      { version, chunker: body.chunker, embeddingModel: body.embedding_model, dimensions: body.dimensions },
      deps.clock.now(),
    );
    return c.json({ ...versionJson(row), stored_doc_ids: await storedDocIds(deps.db, version) }, 200);
  },
);

admin.openapi(
  createRoute({
    method: 'put',
    path: '/admin/corpus/versions/{version}/documents/{doc_id}',
    security: [{ bearer: [] }],
    request: {
      params: VersionParam.extend({ doc_id: z.string().min(1).max(200) }),
      body: { required: true, content: { 'application/json': { schema: DocumentBody } } },
    },
    responses: {
      200: json(Any, 'Stored (replacing any partial copy); embedded into the version namespace when AI + VECTORIZE are bound'),
      409: json(Any, 'Version is complete; create a new one'),
      503: json(Any, 'embedding_unavailable: Workers AI or Vectorize failed; nothing was stored, retry'),
    },
  }),
  async (c) => {
    const deps = buildDeps(c.env);
    const { version, doc_id: docId } = c.req.valid('param');
    const body = c.req.valid('json');
    const row = await findCorpusVersion(deps.db, version);
    if (!row) throw new AppError('not_found', 404, `No corpus version ${version}`);
    if (row.status === 'complete') throw new AppError('conflict', 409, `Corpus version ${version} is complete and immutable`);
    refuseEmbeddingMismatch(row, deps.config);
    const chunks = body.chunks.map((chunk) => ({
      chunkId: chunk.chunk_id,
      docId,
      title: body.title,
      headingPath: chunk.heading_path,
      url: body.url,
      text: chunk.text,
      tokenCount: chunk.token_count,
      position: chunk.position,
    }));
    // Vectors first: the D1 rows are what marks a document stored, so a failure here leaves it to be retried whole.
    const vectors = await usableVectorBindings(c.env, deps.config);
    if (vectors) await storeVectors(vectors, version, chunks);
    await storeDocument(deps.db, version, { docId, title: body.title, url: body.url, contentHash: body.content_hash }, chunks);
    return c.json({ version, doc_id: docId, chunks: body.chunks.length }, 200);
  },
);

admin.openapi(
  createRoute({
    method: 'post',
    path: '/admin/corpus/versions/{version}/activate',
    security: [{ bearer: [] }],
    request: {
      params: VersionParam,
      body: {
        required: true,
        content: {
          'application/json': {
            schema: z.strictObject({
              docs: z.number().int().positive(),
              replace: z.boolean().optional().openapi({ description: 'Allow dropping more than CORPUS_MAX_REMOVED_SHARE of the active docs' }),
            }),
          },
        },
      },
    },
    responses: {
      200: json(Any, 'Now the active version'),
      409: json(Any, 'Not every document is stored yet, the version is for another embedding model, or (corpus_would_shrink) it drops too many active docs without `replace`'),
    },
  }),
  async (c) => {
    const deps = buildDeps(c.env);
    const { version } = c.req.valid('param');
    const { docs, replace = false } = c.req.valid('json');
    const row = await findCorpusVersion(deps.db, version);
    if (!row) throw new AppError('not_found', 404, `No corpus version ${version}`);
    refuseEmbeddingMismatch(row, deps.config);
    const stored = await storedDocCount(deps.db, version);
    if (stored !== docs) throw new AppError('conflict', 409, `Corpus version ${version} holds ${stored} of ${docs} documents; finish the upload first`);
    if (!replace) await refuseShrink(deps.db, version, deps.config.CORPUS_MAX_REMOVED_SHARE);
    const vectorized = (await usableVectorBindings(c.env, deps.config)) !== null;
    return c.json(versionJson(await activateCorpusVersion(deps.db, version, deps.clock.now(), { vectorized })), 200);
  },
);

admin.openapi(
  createRoute({
    method: 'get',
    path: '/admin/corpus/versions/{version}/documents',
    security: [{ bearer: [] }],
    request: { params: VersionParam },
    responses: { 200: json(Any, "The version's documents (id, title, content hash): what an upload compares itself against") },
  }),
  async (c) => {
    const deps = buildDeps(c.env);
    const { version } = c.req.valid('param');
    if (!(await findCorpusVersion(deps.db, version))) throw new AppError('not_found', 404, `No corpus version ${version}`);
    const rows = await documentsOf(deps.db, version);
    return c.json({ version, documents: rows.map((d) => ({ doc_id: d.docId, title: d.title, content_hash: d.contentHash })) }, 200);
  },
);

admin.openapi(
  createRoute({
    method: 'delete',
    path: '/admin/corpus/versions/{version}',
    security: [{ bearer: [] }],
    request: { params: VersionParam },
    responses: {
      200: json(Any, 'The unfinished upload is gone (rows, FTS entries and vectors)'),
      409: json(Any, 'Only an inactive version that is still loading can be abandoned; complete ones are pruned'),
    },
  }),
  async (c) => {
    const deps = buildDeps(c.env);
    const { version } = c.req.valid('param');
    const row = await findCorpusVersion(deps.db, version);
    if (!row) throw new AppError('not_found', 404, `No corpus version ${version}`);
    if (row.active || row.status !== 'loading') throw new AppError('conflict', 409, `Corpus version ${version} is ${row.active ? 'active' : row.status}; only an unfinished upload can be abandoned`);
    const chunkIds = await chunkIdsOf(deps.db, version);
    const vectors = await usableVectorBindings(c.env, deps.config);
    if (vectors) await vectors.store.deleteChunks(version, chunkIds);
    await deleteCorpusVersion(deps.db, version);
    return c.json({ version, deleted: true, chunks: chunkIds.length }, 200);
  },
);

admin.openapi(
  createRoute({
    method: 'post',
    path: '/admin/corpus/prune',
    security: [{ bearer: [] }],
    request: {
      body: { required: false, content: { 'application/json': { schema: z.strictObject({ keep: z.number().int().min(1).max(50).optional() }) } } },
    },
    responses: { 200: json(Any, 'Versions deleted (rows, FTS entries and vectors); the active one and the newest `keep` are kept') },
  }),
  async (c) => {
    const deps = buildDeps(c.env);
    const keep = c.req.valid('json')?.keep ?? deps.config.CORPUS_KEEP_VERSIONS;
    const vectors = await usableVectorBindings(c.env, deps.config);
    const pruned: { version: string; chunks: number; vectors: number }[] = [];
    for (const row of await prunableVersions(deps.db, keep, deps.clock.now(), STALE_UPLOAD_MS)) {
      const chunkIds = await chunkIdsOf(deps.db, row.version);
      const deletedVectors = vectors ? await vectors.store.deleteChunks(row.version, chunkIds) : 0;
      await deleteCorpusVersion(deps.db, row.version);
      pruned.push({ version: row.version, chunks: chunkIds.length, vectors: deletedVectors });
    }
    return c.json({ keep, pruned }, 200);
  },
);
