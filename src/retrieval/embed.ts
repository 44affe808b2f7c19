// Query and chunk embeddings through Workers AI. Every call has a timeout and a
// bounded retry, and the answer is checked: a model that returns vectors of the
// wrong size must fail loudly, never land in an index of another dimension.
import { z } from 'zod';
import { EmbeddingError } from '../errors';
import { EMBEDDING_POOLING } from './corpus';

/** Workers AI embeds at most 100 texts per call. */
const EMBED_BATCH_LIMIT = 100;
/** bge models see 512 tokens; ~2,000 characters keeps a long ticket inside that. */
const EMBED_MAX_CHARS = 2000;

export interface Embedder {
  readonly model: string;
  readonly dimensions: number;
  embed(texts: string[]): Promise<number[][]>;
}

const EmbeddingOutput = z.object({ data: z.array(z.array(z.number())) });

export type EmbedderOptions = { model: string; dimensions: number; timeoutMs: number; maxRetries: number; backoffMs?: number };

export class WorkersAiEmbedder implements Embedder {
  readonly model: string;
  readonly dimensions: number;

  constructor(
    private readonly ai: Ai,
    private readonly options: EmbedderOptions,
  ) {
    this.model = options.model;
    this.dimensions = options.dimensions;
  }

  async embed(texts: string[]): Promise<number[][]> {
    const vectors: number[][] = [];
    for (let i = 0; i < texts.length; i += EMBED_BATCH_LIMIT) {
      vectors.push(...(await this.embedBatch(texts.slice(i, i + EMBED_BATCH_LIMIT).map((t) => t.slice(0, EMBED_MAX_CHARS)))));
    }
    return vectors;
  }

  private async embedBatch(batch: string[]): Promise<number[][]> {
    let lastError: unknown;
    for (let attempt = 0; attempt <= this.options.maxRetries; attempt++) {
      if (attempt > 0) await sleep((this.options.backoffMs ?? 250) * 2 ** (attempt - 1));
      try {
        const output = await this.ai.run(
          this.model,
          { text: batch, pooling: EMBEDDING_POOLING },
          { signal: AbortSignal.timeout(this.options.timeoutMs) },
        );
        return this.checked(output, batch.length);
      } catch (error) {
        if (error instanceof EmbeddingError) throw error;
        lastError = error;
      }
    }
    throw new EmbeddingError('embedding_failed', `Workers AI ${this.model} failed after ${this.options.maxRetries + 1} attempts: ${String(lastError)}`);
  }

  private checked(output: unknown, expected: number): number[][] {
    const parsed = EmbeddingOutput.safeParse(output);
    if (!parsed.success || parsed.data.data.length !== expected) {
      throw new EmbeddingError('embedding_failed', `Workers AI ${this.model} returned no embeddings for ${expected} texts`);
    }
    const wrong = parsed.data.data.find((v) => v.length !== this.dimensions);
    if (wrong) {
      throw new EmbeddingError(
        'embedding_dimensions_mismatch',
        `${this.model} returns ${wrong.length} dimensions but EMBEDDING_DIMENSIONS is ${this.dimensions}`,
      );
    }
    return parsed.data.data;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
