// The AI and VECTORIZE bindings. Locally (wrangler dev --local, vitest) they are
// declared but are proxies that throw "needs to be run remotely" when called, so
// "declared" is not "usable": uploads probe Vectorize (once per env) before
// embedding, and queries fall back to lexical on any failure.
import type { Config } from '../config';
import { EmbeddingError } from '../errors';
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

/** Local dev's stand-in for a remote binding (miniflare remote-proxy) answers every call with this. */
const LOCAL_PROXY = /needs to be run remotely/i;

const probes = new WeakMap<object, number | 'local'>();

/**
 * The index's dimensions, or 'local' when the binding is local dev's stand-in.
 * Any other failure is an outage, not a mode: it is thrown (503 at the edge), never cached,
 * so an upload can never silently become lexical-only in the cloud.
 */
async function probeIndex(env: Bindings): Promise<number | 'local'> {
  const known = probes.get(env);
  if (known !== undefined) return known;
  let result: number | 'local';
  try {
    const info = (await env.VECTORIZE.describe()) as { config?: { dimensions?: number }; dimensions?: number };
    result = info.config?.dimensions ?? info.dimensions ?? 0;
  } catch (error) {
    if (!LOCAL_PROXY.test(String(error))) throw new EmbeddingError('index_unavailable', `Vectorize did not answer: ${String(error)}`);
    result = 'local';
  }
  probes.set(env, result);
  return result;
}

/**
 * The vector bindings when Vectorize answers, null when RETRIEVER=lexical, when AI
 * or VECTORIZE is not bound, or when it is local dev's stand-in (lexical only). An index whose dimensions differ
 * from EMBEDDING_DIMENSIONS is refused loudly: its vectors could never be queried
 * with the configured model.
 */
export async function usableVectorBindings(env: Bindings, config: Config): Promise<VectorBindings | null> {
  // A lexical-only deployment (and npm start) never embeds, so it never touches the bindings.
  if (config.RETRIEVER === 'lexical') return null;
  const declared = declaredVectorBindings(env, config);
  if (!declared) return null;
  const dimensions = await probeIndex(env);
  if (dimensions === 'local') return null;
  if (dimensions !== config.EMBEDDING_DIMENSIONS) {
    throw new EmbeddingError(
      'index_dimensions_mismatch',
      `The Vectorize index has ${dimensions} dimensions but EMBEDDING_DIMENSIONS is ${config.EMBEDDING_DIMENSIONS} (${config.EMBEDDING_MODEL}); create an index for the configured model or change the config`,
    );
  }
  return declared;
}
