// Shared settings for property-based tests. `npm test` runs a small fixed-seed
// sample; `npm run test:fuzz` runs FUZZ_RUNS (≥ 10,000 in all) with a fresh seed.
import fc from 'fast-check';
import { afterAll, inject } from 'vitest';

let inputs = 0;

/** Each fuzz file reports how many generated inputs it checked; scripts/fuzz.ts adds them up. */
afterAll(() => {
  if (inputs > 0) console.log(`fuzz-inputs: ${inputs}`);
});

/** The number of runs is a share of FUZZ_RUNS (default 60: the fixed-seed sample `npm test` runs). */
export function fuzzParameters<T>(share = 1): fc.Parameters<T> {
  const runs = inject('fuzzRuns') || 60;
  const seed = inject('fuzzSeed') || 20261125;
  const numRuns = Math.max(1, Math.round(runs * share));
  inputs += numRuns;
  return { numRuns, seed, verbose: 1 };
}

/** Fuzz tests run long under `npm run test:fuzz`; time them by their size, not vitest's 5 s default. */
export const FUZZ_TIMEOUT_MS = 15 * 60 * 1000;

/** A Queue binding double that records what was sent, with the binding's send/sendBatch contract. */
export function recordingQueue<T = unknown>(): Queue<T> & { sent: T[] } {
  const sent: T[] = [];
  return {
    sent,
    async send(body: T) {
      sent.push(body);
      return undefined as never;
    },
    async sendBatch(messages: Iterable<MessageSendRequest<T>>) {
      for (const m of messages) sent.push(m.body);
      return undefined as never;
    },
    async metrics() {
      return { backlogCount: 0, backlogBytes: 0 } as never;
    },
  } as Queue<T> & { sent: T[] };
}
