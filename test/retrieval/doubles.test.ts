import { describe, expect, it } from 'vitest';
import { EmbeddingError } from '../../src/errors';
import { WorkersAiEmbedder } from '../../src/retrieval/embed';
import { VectorStore } from '../../src/retrieval/vector';
import { AiDouble, embedText } from '../doubles/ai';
import { VectorizeDouble } from '../doubles/vectorize';

const MODEL = '@cf/baai/bge-base-en-v1.5';
const embedder = (ai: AiDouble, overrides: Partial<{ dimensions: number; timeoutMs: number; maxRetries: number }> = {}) =>
  new WorkersAiEmbedder(ai, { model: MODEL, dimensions: 768, timeoutMs: 1000, maxRetries: 2, backoffMs: 1, ...overrides });

describe('WorkersAiEmbedder against the Workers AI double', () => {
  it('embeds 250 texts in batches of at most 100', async () => {
    const ai = new AiDouble();
    const vectors = await embedder(ai).embed(Array.from({ length: 250 }, (_, i) => `text ${i}`));
    expect(vectors).toHaveLength(250);
    expect(ai.calls.map((c) => c.texts.length)).toEqual([100, 100, 50]);
  });

  it('retries a transient failure and then succeeds', async () => {
    const ai = new AiDouble();
    ai.failures = 2;
    expect(await embedder(ai).embed(['reset password'])).toHaveLength(1);
    expect(ai.calls).toHaveLength(3);
  });

  it('gives up after its retries with embedding_failed', async () => {
    const ai = new AiDouble();
    ai.failures = 10;
    await expect(embedder(ai).embed(['x'])).rejects.toMatchObject({ reason: 'embedding_failed' });
    expect(ai.calls).toHaveLength(3);
  });

  it('times out a slow call instead of waiting for it', async () => {
    const ai = new AiDouble();
    ai.delayMs = 500;
    const started = Date.now();
    await expect(embedder(ai, { timeoutMs: 50, maxRetries: 0 }).embed(['x'])).rejects.toBeInstanceOf(EmbeddingError);
    expect(Date.now() - started).toBeLessThan(400);
  });

  it('refuses vectors of another size than EMBEDDING_DIMENSIONS', async () => {
    await expect(embedder(new AiDouble(), { dimensions: 1024 }).embed(['x'])).rejects.toMatchObject({ reason: 'embedding_dimensions_mismatch' });
  });

  it('the double refuses more than 100 texts per call, like Workers AI', async () => {
    await expect(new AiDouble().run(MODEL, { text: Array.from({ length: 101 }, () => 'x') })).rejects.toThrow(/100/);
  });
});

describe('VectorizeDouble keeps the binding contract', () => {
  const near = (text: string) => embedText(text, 768);

  it('ranks by cosine similarity within a namespace only', async () => {
    const index = new VectorizeDouble(768);
    await index.upsert([
      { id: 'a', values: near('reset your password'), namespace: 'v1', metadata: { doc_id: 'reset' } },
      { id: 'b', values: near('export invoices to csv'), namespace: 'v1', metadata: { doc_id: 'export' } },
      { id: 'c', values: near('reset your password'), namespace: 'v2', metadata: { doc_id: 'reset' } },
    ]);
    const result = await index.query(near('how do I reset my password'), { topK: 5, namespace: 'v1', returnMetadata: 'all' });
    expect(result.matches.map((m) => m.id)).toEqual(['a', 'b']);
    expect(result.matches[0]!.score).toBeGreaterThan(result.matches[1]!.score);
  });

  it('refuses topK above 20 with metadata or values, and above 100 without', async () => {
    const index = new VectorizeDouble(768);
    await expect(index.query(near('x'), { topK: 21, returnMetadata: 'all' })).rejects.toThrow(/topK/);
    await expect(index.query(near('x'), { topK: 21, returnValues: true })).rejects.toThrow(/topK/);
    await expect(index.query(near('x'), { topK: 50 })).resolves.toMatchObject({ count: 0 });
    await expect(index.query(near('x'), { topK: 101 })).rejects.toThrow(/topK/);
  });

  it('filters on indexed metadata and refuses wrong dimensions, long ids and oversized batches', async () => {
    const index = new VectorizeDouble(768);
    await index.upsert([
      { id: 'a', values: near('one'), metadata: { doc_id: 'x', lang: 'en' } },
      { id: 'b', values: near('two'), metadata: { doc_id: 'y', lang: 'en' } },
    ]);
    expect((await index.query(near('one'), { filter: { doc_id: { $in: ['y'] } } })).matches.map((m) => m.id)).toEqual(['b']);
    expect((await index.query(near('one'), { filter: { lang: 'en' } })).matches).toEqual([]);
    await expect(index.upsert([{ id: 'c', values: [1, 2, 3] }])).rejects.toThrow(/dimensions/);
    await expect(index.upsert([{ id: 'x'.repeat(65), values: near('z') }])).rejects.toThrow(/64 bytes/);
    await expect(index.upsert(Array.from({ length: 1001 }, (_, i) => ({ id: `v${i}`, values: near('z') })))).rejects.toThrow(/1000/);
  });

  it('VectorStore writes 64-byte-safe ids in the version namespace and caps topK at 20', async () => {
    const index = new VectorizeDouble(768);
    const store = new VectorStore(index);
    const chunkId = `${'f'.repeat(64)}#0`;
    await store.upsert('v_0123456789abcdef', [{ chunk: { chunkId, docId: 'f'.repeat(64) }, values: near('billing') }]);
    expect(index.countIn('v_0123456789abcdef')).toBe(1);
    const hits = await store.query('v_0123456789abcdef', near('billing'), 50);
    expect(hits).toEqual([{ chunkId, docId: 'f'.repeat(64), score: expect.closeTo(1, 5) }]);
    expect(index.queries.at(-1)).toMatchObject({ topK: 20, namespace: 'v_0123456789abcdef' });
  });
});
