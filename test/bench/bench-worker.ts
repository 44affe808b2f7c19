// The product's Worker plus bench-only instruments, started by scripts/bench.ts and
// scripts/record-top8.ts in local workerd (never deployed):
// - POST /bench/lexical times each query through the product's LexicalRetriever or the
//   pre-issue-18 baseline, inside the isolate, where D1 round trips advance the clock;
// - GET /bench/d1 (POST to reset) counts the D1 statements each stage sends;
// - BENCH_QUEUE_PAUSED=true leaves queue messages unconsumed, so ingest is measured alone.
import worker from '../../src/index';
import { database } from '../../src/db/client';
import type { QueueBody } from '../../src/queue-messages';
import { activeCorpusVersion } from '../../src/db/corpus';
import { LexicalRetriever } from '../../src/retrieval/lexical';
import { QUEUE_PAUSED_VAR, type D1Counts, type LexicalBenchRequest, type LexicalBenchResult } from '../../scripts/lib/lexical-bench';
import { baselineSearch } from './baseline-lexical';

type Stage = keyof D1Counts;
const emptyCounts = (): D1Counts => ({
  ingest: { statements: 0, roundTrips: 0, invocations: 0 },
  tickets: { statements: 0, roundTrips: 0, invocations: 0 },
  outbox: { statements: 0, roundTrips: 0, invocations: 0 },
  other: { statements: 0, roundTrips: 0, invocations: 0 },
});
let counts = emptyCounts();

/** One counting binding per stage and underlying binding, kept, so the product's per-binding caches still hit. */
const counted = new Map<string, { base: D1Database; wrapped: D1Database }>();
const unwrapped = new WeakMap<D1PreparedStatement, D1PreparedStatement>();
function countingDb(base: D1Database, stage: Stage): D1Database {
  const kept = counted.get(stage);
  if (kept?.base === base) return kept.wrapped;
  const statement = (s: D1PreparedStatement): D1PreparedStatement => {
    const proxy = new Proxy(s, {
      get(target, name) {
        const value = Reflect.get(target, name, target);
        if (name === 'bind') return (...params: unknown[]) => statement(target.bind(...params));
        if (name === 'run' || name === 'all' || name === 'first' || name === 'raw')
          return (...args: unknown[]) => {
            counts[stage].statements += 1;
            counts[stage].roundTrips += 1;
            return (value as (...a: unknown[]) => unknown).apply(target, args);
          };
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    unwrapped.set(proxy, s);
    return proxy;
  };
  const wrapped = new Proxy(base, {
    get(target, name) {
      if (name === 'prepare') return (query: string) => statement(target.prepare(query));
      if (name === 'batch')
        return (statements: D1PreparedStatement[]) => {
          counts[stage].statements += statements.length;
          counts[stage].roundTrips += 1;
          return target.batch(statements.map((s) => unwrapped.get(s) ?? s));
        };
      if (name === 'exec')
        return (query: string) => {
          counts[stage].statements += 1;
          counts[stage].roundTrips += 1;
          return target.exec(query);
        };
      const value = Reflect.get(target, name, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  counted.set(stage, { base, wrapped });
  return wrapped;
}

/** Kept per stage too: the product caches its parsed config per env object. */
const envs = new Map<Stage, { base: Env; wrapped: Env }>();
function instrumented(env: Env, stage: Stage): Env {
  counts[stage].invocations += 1;
  const kept = envs.get(stage);
  if (kept?.base === env) return kept.wrapped;
  const wrapped = { ...env, DB: countingDb(env.DB, stage) };
  envs.set(stage, { base: env, wrapped });
  return wrapped;
}

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

const paused = (env: Env) => (env as unknown as Record<string, string | undefined>)[QUEUE_PAUSED_VAR] === 'true';

export default {
  ...worker,
  async fetch(request, env, ctx) {
    const url = new URL(request.url);
    if (request.method === 'POST' && url.pathname === '/bench/lexical') return Response.json(await benchLexical(env, await request.json()));
    if (url.pathname === '/bench/d1') {
      const snapshot = counts;
      if (request.method === 'POST') counts = emptyCounts();
      return Response.json(snapshot);
    }
    const stage: Stage = request.method === 'POST' && url.pathname === '/api/tickets' ? 'ingest' : 'other';
    return worker.fetch(request, instrumented(env, stage), ctx);
  },
  async queue(batch, env, ctx) {
    // Left for later, far beyond the run: the consumer-off ingest measurement.
    if (paused(env)) return batch.retryAll({ delaySeconds: 43_200 });
    const stage: Stage = batch.queue.startsWith('deflect-tickets') && !batch.queue.endsWith('-dlq') ? 'tickets' : batch.queue.startsWith('deflect-outbox') && !batch.queue.endsWith('-dlq') ? 'outbox' : 'other';
    return worker.queue(batch, instrumented(env, stage));
  },
} satisfies ExportedHandler<Env, QueueBody>;
