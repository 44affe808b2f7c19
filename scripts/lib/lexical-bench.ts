// The wire shapes of the bench Workers (test/bench/bench-worker.ts, test/bench/minimal-worker.ts).

/** `product`: the shipped LexicalRetriever; `baseline`: the search before issue 18, timed beside it. */
export type LexicalBenchRequest = { queries: string[]; topK: number; impl: 'product' | 'baseline' };

/** Per query: wall time inside the isolate (D1 round trips advance it) and the ranked chunk ids. */
export type LexicalBenchResult = { ms: number; chunkIds: string[]; scores: number[] }[];

/** D1 use per stage since the last reset: statements sent, and round trips (a batch is one). */
export type D1Counts = Record<'ingest' | 'tickets' | 'outbox' | 'other', { statements: number; roundTrips: number; invocations: number }>;

export const BENCH_ENTRYPOINT = 'test/bench/bench-worker.ts';
export const MINIMAL_ENTRYPOINT = 'test/bench/minimal-worker.ts';
/** [vars] value that makes both bench Workers leave queue messages unconsumed (ingest measured alone). */
export const QUEUE_PAUSED_VAR = 'BENCH_QUEUE_PAUSED';
