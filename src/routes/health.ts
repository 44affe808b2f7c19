import { Hono } from 'hono';
import { activeCorpusVersion } from '../db/corpus';
import { buildDeps, describePorts } from '../deps';

export const health = new Hono<{ Bindings: Env }>();

/** Which implementation each port uses, and whether a corpus is loaded. Config errors surface here first. */
health.get('/health', async (c) => {
  const deps = buildDeps(c.env);
  const corpus = await activeCorpusVersion(deps.db);
  return c.json({
    status: 'ok',
    ports: describePorts(deps),
    corpus: corpus ? { version: corpus.version, docs: corpus.docCount, chunks: corpus.chunkCount, vectorized: corpus.vectorized } : null,
  });
});
