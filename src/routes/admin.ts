// Admin API (Bearer ADMIN_TOKEN): the corpus upload protocol used by
// scripts/upload-corpus.ts, locally and against a deployed Worker. HTTP only:
// the service it translates to is pipeline/corpus.ts.
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { AppEnv } from '../app-env';
import type { CorpusVersionRow } from '../db/corpus';
import { limitBody, parseJson, requireJson } from '../middleware/body';
import { requireBearer } from '../middleware/auth';
import { rateLimit } from '../middleware/rate-limit';
import {
  abandonCorpusVersion,
  activateCorpus,
  corpusDocuments,
  corpusOverview,
  openCorpusVersion,
  pruneCorpus,
  storeCorpusDocument,
} from '../pipeline/corpus';
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

const json = (schema: z.ZodType, description: string) => ({ description, content: { 'application/json': { schema } } });
const Any = z.record(z.string(), z.unknown());

function versionJson(row: CorpusVersionRow | undefined) {
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

export const admin = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
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
    const { deps } = c.var;
    const { active, versions, vectors, mismatch } = await corpusOverview(deps);
    return c.json(
      {
        settings: {
          chunker: { targetTokens: deps.config.CHUNK_TARGET_TOKENS, overlapTokens: deps.config.CHUNK_OVERLAP_TOKENS },
          embedding_model: deps.config.EMBEDDING_MODEL,
          dimensions: deps.config.EMBEDDING_DIMENSIONS,
          vectors,
          keep_versions: deps.config.CORPUS_KEEP_VERSIONS,
          max_removed_share: deps.config.CORPUS_MAX_REMOVED_SHARE,
        },
        active: active?.version ?? null,
        embedding_mismatch: mismatch,
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
    const { version } = c.req.valid('param');
    const body = c.req.valid('json');
    const { row, storedDocIds } = await openCorpusVersion(version, { chunker: body.chunker, embeddingModel: body.embedding_model, dimensions: body.dimensions }, c.var.deps);
    return c.json({ ...versionJson(row), stored_doc_ids: storedDocIds }, 200);
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
    const { version, doc_id: docId } = c.req.valid('param');
    const body = c.req.valid('json');
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
    await storeCorpusDocument(version, { docId, title: body.title, url: body.url, contentHash: body.content_hash }, chunks, c.var.deps);
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
    const { version } = c.req.valid('param');
    const { docs, replace = false } = c.req.valid('json');
    return c.json(versionJson(await activateCorpus(version, { docs, replace }, c.var.deps)), 200);
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
    const { version } = c.req.valid('param');
    const rows = await corpusDocuments(version, c.var.deps);
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
    const { version } = c.req.valid('param');
    const { chunks } = await abandonCorpusVersion(version, c.var.deps);
    return c.json({ version, deleted: true, chunks }, 200);
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
    const keep = c.req.valid('json')?.keep ?? c.var.deps.config.CORPUS_KEEP_VERSIONS;
    return c.json({ keep, pruned: await pruneCorpus(keep, c.var.deps) }, 200);
  },
);
