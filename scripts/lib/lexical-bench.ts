// The wire shape of the bench Worker's POST /bench/lexical (test/bench/bench-worker.ts).

/** `product`: the shipped LexicalRetriever; `baseline`: the search before issue 18, timed beside it. */
export type LexicalBenchRequest = { queries: string[]; topK: number; impl: 'product' | 'baseline' };

/** Per query: wall time inside the isolate (D1 round trips advance it) and the ranked chunk ids. */
export type LexicalBenchResult = { ms: number; chunkIds: string[]; scores: number[] }[];

export const BENCH_ENTRYPOINT = 'test/bench/bench-worker.ts';
