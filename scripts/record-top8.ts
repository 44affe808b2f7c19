// Records the lexical top 8 per question on the three public sets
// (scripts/lib/retrieval-sets.ts) into test/retrieval/fixtures/top8.json, which
// test/retrieval/top8-identity.test.ts asserts the product reproduces. Recorded from the
// one-stage search issue 18's speed-up replaced (test/bench/baseline-lexical.ts), so the
// test keeps checking that the speed-up moves nothing. Re-record only on purpose, when
// what a ticket searches for changes (query terms, chunking), never to make it pass.
// Usage: npx tsx scripts/record-top8.ts
import { writeFile } from 'node:fs/promises';
import { uploadCorpus } from './lib/corpus-client';
import { LOCAL_ADMIN_TOKEN, startLocalWorker } from './lib/local-worker';
import { retrievalSets } from './lib/retrieval-sets';
import { BENCH_ENTRYPOINT, type LexicalBenchResult } from './lib/lexical-bench';
const FIXTURE = 'test/retrieval/fixtures/top8.json';
const TOP_K = 8;

async function main() {
  const fixture: Record<string, { query: string; chunkIds: string[] }[]> = {};
  for (const set of await retrievalSets()) {
    // A fresh D1 per set: bm25's statistics cover every row in the FTS5 table.
    const worker = await startLocalWorker({ entrypoint: BENCH_ENTRYPOINT });
    try {
      await uploadCorpus(set.docs, { baseUrl: worker.url, token: LOCAL_ADMIN_TOKEN });
      const response = await worker.fetch('/bench/lexical', { method: 'POST', body: JSON.stringify({ queries: set.queries, topK: TOP_K, impl: 'baseline' }) });
      const results = (await response.json()) as LexicalBenchResult;
      fixture[set.name] = set.queries.map((query, i) => ({ query, chunkIds: results[i]!.chunkIds }));
      process.stderr.write(`${set.name}: ${set.queries.length} questions\n`);
    } finally {
      await worker.stop();
    }
  }
  await writeFile(FIXTURE, `${JSON.stringify(fixture, null, 1)}\n`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.stack : error);
  process.exit(1);
});
