import { env } from 'cloudflare:workers';
import { describe, expect, it, onTestFinished } from 'vitest';
import { uploadCorpus, type UploadSummary } from '../../scripts/lib/corpus-client';
import { app } from '../../src/app';
import { buildDeps } from '../../src/deps';
import { fuseByRrf } from '../../src/retrieval/hybrid';
import type { RetrievedChunk } from '../../src/retrieval/types';
import { AiDouble } from '../doubles/ai';
import { VectorizeDouble } from '../doubles/vectorize';
import { ADMIN_TOKEN, sampleDocs } from '../helpers';

// One index for the file, like the one deployed index: D1 (one per file) and Vectorize stay in step.
const index = new VectorizeDouble(768);

/** The Worker with AI and VECTORIZE bound to doubles (and any var overridden), called like the real fetch handler. */
function cloudWorker(vars: Partial<Record<string, string>> = {}, bindings = { ai: new AiDouble(), vectorize: index }) {
  // RETRIEVER=auto: the vitest config runs every other test lexical.
  const workerEnv = { ...env, RETRIEVER: 'auto', ...vars, AI: bindings.ai, VECTORIZE: bindings.vectorize } as Env;
  const fetcher = async (input: string, init?: RequestInit) => app.fetch(new Request(input, init), workerEnv);
  return {
    ...bindings,
    env: workerEnv,
    fetch: fetcher,
    upload: (docs = sampleDocs()): Promise<UploadSummary> => uploadCorpus(docs, { baseUrl: 'https://deflect.test', token: ADMIN_TOKEN, fetcher, backoffMs: 1 }),
    retrieve: (query: string) => buildDeps(workerEnv).retriever.retrieve(query, 8),
    health: async () => (await fetcher('https://deflect.test/health')).json() as Promise<Record<string, any>>,
  };
}

const chunk = (id: string): RetrievedChunk => ({
  chunkId: id,
  docId: id.split('#')[0]!,
  title: id,
  headingPath: '',
  url: null,
  text: id,
  score: 0,
  lexicalRank: null,
  lexicalScore: 1,
  vectorRank: null,
  vectorScore: 0.5,
});

describe('fuseByRrf', () => {
  it('ranks chunks both retrievers found above chunks only one found, and keeps each rank as evidence', () => {
    const fused = fuseByRrf(
      [
        { retriever: 'lexical', chunks: [chunk('a#0'), chunk('b#0'), chunk('c#0')] },
        { retriever: 'vector', chunks: [chunk('d#0'), chunk('b#0'), chunk('a#0')] },
      ],
      60,
      3,
    );
    expect(fused.map((c) => c.chunkId)).toEqual(['a#0', 'b#0', 'd#0']);
    expect(fused[0]).toMatchObject({ lexicalRank: 1, vectorRank: 3, lexicalScore: 1, vectorScore: 0.5, score: 1 / 61 + 1 / 63 });
    expect(fused[2]).toMatchObject({ lexicalRank: null, vectorRank: 1 });
  });
});

describe('hybrid retrieval with Workers AI and Vectorize', () => {
  it('upload embeds every chunk into the namespace named by the version and marks it vectorized', async () => {
    const worker = cloudWorker();
    const summary = await worker.upload();
    expect(summary).toMatchObject({ activated: true, vectors: true });
    expect(worker.vectorize.countIn(summary.version)).toBe(summary.chunks);
    expect(worker.ai.calls.every((c) => c.texts.length <= 100 && c.model === '@cf/baai/bge-base-en-v1.5')).toBe(true);
    const health = await worker.health();
    expect(health).toMatchObject({ status: 'ok', corpus: { version: summary.version, vectorized: true }, ports: { retriever: { implementation: 'hybrid' } } });
  });

  it('fuses vector and lexical ranks, querying only the active version namespace', async () => {
    const worker = cloudWorker();
    const summary = await worker.upload();
    const retrieval = await worker.retrieve('I forgot my password, how can I reset it?');
    expect(retrieval).toMatchObject({ retriever: 'hybrid', corpusVersion: summary.version, degraded: null });
    expect(retrieval.chunks[0]!.docId).toBe('reset-password');
    expect(retrieval.chunks.some((c) => c.lexicalRank !== null && c.vectorRank !== null)).toBe(true);
    expect(retrieval.chunks.length).toBe(8);
    expect(worker.vectorize.queries.at(-1)).toMatchObject({ namespace: summary.version, topK: 20 });
  });

  it('falls back to lexical with degraded=vector_unavailable when Workers AI fails', async () => {
    const worker = cloudWorker();
    await worker.upload();
    worker.ai.failures = 100;
    const retrieval = await worker.retrieve('I forgot my password, how can I reset it?');
    expect(retrieval).toMatchObject({ retriever: 'lexical', degraded: 'vector_unavailable' });
    expect(retrieval.chunks[0]!.docId).toBe('reset-password');
  });

  it('falls back to lexical with degraded=vector_unavailable when Vectorize is down', async () => {
    const worker = cloudWorker();
    await worker.upload();
    worker.vectorize.down = true;
    onTestFinished(() => {
      worker.vectorize.down = false;
    });
    const retrieval = await worker.retrieve('reset password');
    expect(retrieval).toMatchObject({ retriever: 'lexical', degraded: 'vector_unavailable' });
    expect(retrieval.chunks.length).toBeGreaterThan(0);
  });

  it('detects an embedding model changed without re-uploading: health says so, vectors are not queried, writes are refused', async () => {
    const bindings = { ai: new AiDouble(), vectorize: index };
    const uploaded = await cloudWorker({}, bindings).upload();
    const changed = cloudWorker({ EMBEDDING_MODEL: '@cf/baai/bge-m3' }, bindings);

    const health = await changed.health();
    expect(health.status).toBe('degraded');
    expect(health.problems).toEqual([expect.objectContaining({ code: 'embedding_mismatch' })]);
    const queriesBefore = bindings.vectorize.queries.length;
    const retrieval = await changed.retrieve('reset password');
    expect(retrieval).toMatchObject({ retriever: 'lexical', degraded: 'embedding_mismatch', corpusVersion: uploaded.version });
    expect(bindings.vectorize.queries.length).toBe(queriesBefore);

    const write = await changed.fetch(`https://deflect.test/admin/corpus/versions/${uploaded.version}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ chunker: { targetTokens: 250, overlapTokens: 40 }, embedding_model: '@cf/baai/bge-base-en-v1.5', dimensions: 768 }),
    });
    expect(write.status).toBe(409);
    expect(await write.json()).toMatchObject({ error: { code: 'embedding_mismatch' } });
  });

  it('an index of other dimensions than EMBEDDING_DIMENSIONS is refused before anything is stored', async () => {
    const worker = cloudWorker({}, { ai: new AiDouble(), vectorize: new VectorizeDouble(384) });
    await expect(worker.upload()).rejects.toThrow(/409.*embedding_mismatch/);
  });

  it('a failed embedding stores nothing for that document; the retried upload completes', async () => {
    const worker = cloudWorker({ EMBEDDING_MAX_RETRIES: '0' });
    worker.ai.failures = 1;
    const docs = sampleDocs().map((d) => (d.id === 'cancel-subscription' ? { ...d, body: `${d.body}\n\nRetried.\n` } : d));
    const summary = await uploadCorpus(docs, { baseUrl: 'https://deflect.test', token: ADMIN_TOKEN, fetcher: worker.fetch, backoffMs: 1 });
    expect(summary).toMatchObject({ activated: true, uploadedDocs: 42 });
    expect(worker.vectorize.countIn(summary.version)).toBe(summary.chunks);
  });

  it('pruning an old version deletes its vectors too', async () => {
    const worker = cloudWorker({ CORPUS_KEEP_VERSIONS: '1' });
    const first = await worker.upload(sampleDocs().map((d) => (d.id === 'saml-sso' ? { ...d, body: `${d.body}\n\nFirst.\n` } : d)));
    const second = await worker.upload(sampleDocs().map((d) => (d.id === 'saml-sso' ? { ...d, body: `${d.body}\n\nSecond.\n` } : d)));
    expect(second.pruned).toContain(first.version);
    expect(worker.vectorize.countIn(first.version)).toBe(0);
    expect(worker.vectorize.countIn(second.version)).toBe(second.chunks);
  });
});

describe('uploads when Vectorize does not answer', () => {
  it('refuses with 503 embedding_unavailable instead of silently making a lexical-only version', async () => {
    const vectorize = new VectorizeDouble(768);
    vectorize.down = true;
    const worker = cloudWorker({}, { ai: new AiDouble(), vectorize });
    const docs = sampleDocs().map((d) => (d.id === 'scan-receipts' ? { ...d, body: `${d.body}\n\nOutage.\n` } : d));
    await expect(uploadCorpus(docs, { baseUrl: 'https://deflect.test', token: ADMIN_TOKEN, fetcher: worker.fetch, attempts: 2, backoffMs: 1 })).rejects.toThrow(
      /503.*embedding_unavailable/,
    );
    const versions = await env.DB.prepare('SELECT count(*) AS n FROM corpus_versions WHERE vectorized = 0 AND status = ?').bind('complete').first<{ n: number }>();
    expect(versions!.n).toBe(0);
  });
});
