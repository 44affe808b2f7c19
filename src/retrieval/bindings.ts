// The AI and VECTORIZE bindings. Locally (wrangler dev --local, vitest) they are
// declared but are proxies that throw "needs to be run remotely" when called, so
// "declared" is not "usable": uploads probe Vectorize once per env before
// embedding, and queries fall back to lexical on any failure.
import type { Config } from '../config';
import { AppError } from '../errors';
import { WorkersAiEmbedder, type Embedder } from './embed';
import { VectorStore } from './vector';

export type VectorBindings = { embedder: Embedder; store: VectorStore };

type Bindings = Pick<Env, 'AI' | 'VECTORIZE'>;

/** The embedder and vector store over env.AI + env.VECTORIZE when both are declared (they may still fail when called). */
export function declaredVectorBindings(env: Bindings, config: Config): VectorBindings | null {
  if (!env.AI || !env.VECTORIZE) return null;
  return {
    embedder: new WorkersAiEmbedder(env.AI, {
      model: config.EMBEDDING_MODEL,
      dimensions: config.EMBEDDING_DIMENSIONS,
      timeoutMs: config.OUTBOUND_TIMEOUT_MS,
      maxRetries: config.EMBEDDING_MAX_RETRIES,
    }),
    store: new VectorStore(env.VECTORIZE),
  };
}

const probes = new WeakMap<object, Promise<number | null>>();

/** The index's dimensions, or null when Vectorize cannot be reached. Both index API versions answer describe(). */
function indexDimensions(env: Bindings): Promise<number | null> {
  let probe = probes.get(env);
  if (!probe) {
    probe = (async () => {
      try {
        const info = (await env.VECTORIZE.describe()) as { config?: { dimensions?: number }; dimensions?: number };
        return info.config?.dimensions ?? info.dimensions ?? null;
      } catch {
        return null;
      }
    })();
    probes.set(env, probe);
  }
  return probe;
}

/**
 * The vector bindings when Vectorize answers, else null (lexical only). An index
 * whose dimensions differ from EMBEDDING_DIMENSIONS is refused loudly: its vectors
 * could never be queried with the configured model.
 */
export async function usableVectorBindings(env: Bindings, config: Config): Promise<VectorBindings | null> {
  const declared = declaredVectorBindings(env, config);
  if (!declared) return null;
  const dimensions = await indexDimensions(env);
  if (dimensions === null) return null;
  if (dimensions !== config.EMBEDDING_DIMENSIONS) {
    throw new AppError(
      'embedding_mismatch',
      409,
      `The Vectorize index has ${dimensions} dimensions but EMBEDDING_DIMENSIONS is ${config.EMBEDDING_DIMENSIONS} (${config.EMBEDDING_MODEL}); create an index for the configured model or change the config`,
    );
  }
  return declared;
}
