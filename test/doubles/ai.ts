// A Workers AI double for the bge embedding models: same input and output shape,
// same batch limit, deterministic vectors. Texts are hashed bag-of-words (with a
// crude stemmer), so texts that share words are near in cosine space, the way a
// real embedding model puts paraphrases near each other.

const MODELS: Record<string, number> = {
  '@cf/baai/bge-small-en-v1.5': 384,
  '@cf/baai/bge-base-en-v1.5': 768,
  '@cf/baai/bge-large-en-v1.5': 1024,
  '@cf/baai/bge-m3': 1024,
};
const MAX_TEXTS = 100;

export type AiCall = { model: string; texts: string[] };

export class AiDouble implements Ai {
  aiGatewayLogId: string | null = null;
  readonly calls: AiCall[] = [];
  /** Calls that fail before one succeeds: simulates a Workers AI outage or 5xx. */
  failures = 0;
  /** Added latency per call, for timeout tests. */
  delayMs = 0;

  /** Only the embedding form of run() is modelled; anything else is refused like an unknown model. */
  async run(model: string, inputs: unknown, options?: AiOptions): Promise<any> {
    const dimensions = MODELS[model];
    if (!dimensions) throw new Error(`AiError: 5007: No such model ${model} or task`);
    const text = (inputs as { text?: unknown }).text;
    const texts = typeof text === 'string' ? [text] : text;
    if (!Array.isArray(texts) || texts.some((t) => typeof t !== 'string')) {
      throw new Error('AiError: 5006: Error: required properties at \'/\' are \'text\'');
    }
    if (texts.length > MAX_TEXTS) throw new Error(`AiError: 5006: Error: '/text' must NOT have more than ${MAX_TEXTS} items`);
    this.calls.push({ model, texts: [...texts] });
    if (this.delayMs > 0) await waitOrAbort(this.delayMs, options?.signal);
    if (this.failures > 0) {
      this.failures -= 1;
      throw new Error('AiError: 3040: Capacity temporarily exceeded, please try again.');
    }
    return { shape: [texts.length, dimensions], data: texts.map((t) => embedText(t, dimensions)), pooling: 'cls' };
  }

  gateway(): AiGateway {
    throw new Error('AiDouble models embeddings only');
  }
  aiSearch(): AiSearchNamespace {
    throw new Error('AiDouble models embeddings only');
  }
  autorag(): AutoRAG {
    throw new Error('AiDouble models embeddings only');
  }
  async models(): Promise<AiModelsSearchObject[]> {
    return Object.keys(MODELS).map((name) => ({ name }) as AiModelsSearchObject);
  }
  toMarkdown(): any {
    throw new Error('AiDouble models embeddings only');
  }
}

function waitOrAbort(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(signal.reason ?? new Error('aborted'));
    });
  });
}

const STOP = new Set('a an and are as at be by can do for from how i in is it my of on or the to we what with you your'.split(' '));

function stem(word: string): string {
  return word.replace(/(ing|ed|es|s)$/, '').slice(0, 8);
}

function hash(text: string, seed: number): number {
  let h = 2166136261 ^ seed;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

/** Hashed bag of stemmed words, L2-normalised. */
export function embedText(text: string, dimensions: number): number[] {
  const vector = new Array<number>(dimensions).fill(0);
  for (const word of text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []) {
    if (STOP.has(word)) continue;
    const token = stem(word);
    vector[hash(token, 1) % dimensions]! += hash(token, 2) % 2 === 0 ? 1 : -1;
  }
  const norm = Math.hypot(...vector);
  return norm === 0 ? vector : vector.map((v) => v / norm);
}
