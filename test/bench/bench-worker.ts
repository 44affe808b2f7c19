// The product's Worker plus one bench-only route, started by scripts/bench.ts and
// scripts/record-top8.ts in local workerd (never deployed). POST /bench/lexical times
// each query through the product's LexicalRetriever or the pre-issue-18 baseline,
// inside the isolate, where D1 round trips advance the clock.
import worker from '../../src/index';
import { database } from '../../src/db/client';
import { activeCorpusVersion } from '../../src/db/corpus';
import { LexicalRetriever } from '../../src/retrieval/lexical';
import type { LexicalBenchRequest, LexicalBenchResult } from '../../scripts/lib/lexical-bench';
import { baselineSearch } from './baseline-lexical';

async function benchLexical(env: Env, body: LexicalBenchRequest): Promise<LexicalBenchResult> {
  const db = database(env.DB);
  const retriever = new LexicalRetriever(db);
  const results: LexicalBenchResult = [];
  for (const query of body.queries) {
    const started = Date.now();
    if (body.impl === 'product') {
      const { chunks } = await retriever.retrieve(query, body.topK);
      results.push({ ms: Date.now() - started, chunkIds: chunks.map((c) => c.chunkId), scores: chunks.map((c) => c.lexicalScore ?? 0) });
    } else {
      const active = await activeCorpusVersion(db);
      const hits = active ? await baselineSearch(db, active.version, query, body.topK) : [];
      results.push({ ms: Date.now() - started, chunkIds: hits.map((h) => h.chunkId), scores: hits.map((h) => -h.bm25) });
    }
  }
  return results;
}

export default {
  ...worker,
  async fetch(request, env, ctx) {
    const url = new URL(request.url);
    if (request.method === 'POST' && url.pathname === '/bench/lexical') return Response.json(await benchLexical(env, await request.json()));
    return worker.fetch(request, env, ctx);
  },
} satisfies ExportedHandler<Env>;
