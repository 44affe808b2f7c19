import { Hono } from 'hono';
import { activeCorpusVersion } from '../db/corpus';
import { NO_MAILER_CONFIGURED } from '../act/unconfigured-mailer';
import type { AppEnv } from '../app-env';
import { describePorts } from '../deps';
import { embeddingMismatch } from '../retrieval/hybrid';

export const health = new Hono<AppEnv>();

/**
 * Which implementation each port uses, and whether a corpus is loaded. Config errors
 * surface here first; so does an embedding model changed without re-uploading.
 */
health.get('/health', async (c) => {
  const { deps } = c.var;
  const corpus = await activeCorpusVersion(deps.db);
  const configured = { model: deps.config.EMBEDDING_MODEL, dimensions: deps.config.EMBEDDING_DIMENSIONS };
  const mismatch = corpus !== undefined && embeddingMismatch(corpus, configured);
  const problems: { code: string; message: string }[] = mismatch
    ? [
        {
          code: 'embedding_mismatch',
          message: `The active corpus ${corpus.version} was built for ${corpus.embeddingModel} (${corpus.dimensions} dimensions) but EMBEDDING_MODEL is ${configured.model} (${configured.dimensions}): its vectors cannot be queried with the configured model; upload the corpus again`,
        },
      ]
    : [];
  if (deps.mailer.name === 'none') {
    problems.push({
      code: NO_MAILER_CONFIGURED,
      message: 'MAILER=auto found no mail provider: replies that Email Routing cannot send inline fail with no_mailer_configured; set MAILCHANNELS_API_KEY or MAILER=send_email (MAILER=log for local runs)',
    });
  }
  const ports = describePorts(deps);
  // Hybrid searches vectors only in a vectorized corpus built for the configured model; otherwise it answers lexically.
  if (ports.retriever?.implementation === 'hybrid' && (!corpus?.vectorized || mismatch)) ports.retriever = { implementation: 'lexical', mode: 'local' };
  return c.json({
    status: problems.length > 0 ? 'degraded' : 'ok',
    ports,
    corpus: corpus
      ? {
          version: corpus.version,
          docs: corpus.docCount,
          chunks: corpus.chunkCount,
          vectorized: corpus.vectorized,
          embedding_model: corpus.embeddingModel,
          dimensions: corpus.dimensions,
        }
      : null,
    problems,
  });
});
