// Admin API (Bearer ADMIN_TOKEN): the corpus upload protocol used by
// scripts/upload-corpus.ts, locally and against a deployed Worker.
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import {
  activateCorpusVersion,
  activeCorpusVersion,
  createCorpusVersion,
  findCorpusVersion,
  listCorpusVersions,
  storeDocument,
  storedDocIds,
} from '../db/corpus';
import { buildDeps } from '../deps';
import { AppError } from '../errors';
import { requireBearer } from '../middleware/auth';
import { limitBody, requireJson } from '../middleware/body';
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
admin.use('/admin/*', requireBearer('ADMIN_TOKEN'));
admin.on(['PUT', 'POST'], '/admin/*', limitBody('MAX_ADMIN_BODY_BYTES'));
admin.put('/admin/*', requireJson());

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
        },
        active: active?.version ?? null,
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
    responses: { 200: json(Any, 'The version (created if new) and the doc ids it already holds') },
  }),
  async (c) => {
    const deps = buildDeps(c.env);
    const { version } = c.req.valid('param');
    const body = c.req.valid('json');
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
    responses: { 200: json(Any, 'Stored (replacing any partial copy)'), 409: json(Any, 'Version is complete; create a new one') },
  }),
  async (c) => {
    const deps = buildDeps(c.env);
    const { version, doc_id: docId } = c.req.valid('param');
    const body = c.req.valid('json');
    const row = await findCorpusVersion(deps.db, version);
    if (!row) throw new AppError('not_found', 404, `No corpus version ${version}`);
    if (row.status === 'complete') throw new AppError('conflict', 409, `Corpus version ${version} is complete and immutable`);
    await storeDocument(
      deps.db,
      version,
      { docId, title: body.title, url: body.url, contentHash: body.content_hash },
      body.chunks.map((chunk) => ({
        chunkId: chunk.chunk_id,
        docId,
        title: body.title,
        headingPath: chunk.heading_path,
        url: body.url,
        text: chunk.text,
        tokenCount: chunk.token_count,
        position: chunk.position,
      })),
    );
    return c.json({ version, doc_id: docId, chunks: body.chunks.length }, 200);
  },
);

admin.openapi(
  createRoute({
    method: 'post',
    path: '/admin/corpus/versions/{version}/activate',
    security: [{ bearer: [] }],
    request: { params: VersionParam },
    responses: { 200: json(Any, 'Now the active version') },
  }),
  async (c) => {
    const deps = buildDeps(c.env);
    const { version } = c.req.valid('param');
    if (!(await findCorpusVersion(deps.db, version))) throw new AppError('not_found', 404, `No corpus version ${version}`);
    if ((await storedDocIds(deps.db, version)).length === 0) throw new AppError('conflict', 409, `Corpus version ${version} has no documents`);
    return c.json(versionJson(await activateCorpusVersion(deps.db, version, deps.clock.now())), 200);
  },
);
