// npm run bench: speed and cost of the real Worker, run locally in workerd with a
// fresh local D1 per scenario, each figure beside a reference measured in the same
// run (a minimal Worker, the pre-issue-18 search) so the report quotes ratios.
// Method and results: BENCHMARKS.md.
import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import autocannon from 'autocannon';
import { unstable_readConfig } from 'wrangler';
import { chunkDoc, estimateTokens, type ChunkerParams, type SourceDoc } from '../src/retrieval/chunk';
import { BENCH_USAGE, parseBenchArgs, type BenchOptions } from './lib/bench-args';
import { benchHostile } from './lib/bench-hostile';
import { benchRouting } from './lib/bench-routing';
import { BENCH_ENTRYPOINT, MINIMAL_ENTRYPOINT, QUEUE_PAUSED_VAR, type D1Counts, type LexicalBenchResult } from './lib/lexical-bench';
import { parseCases } from './lib/cases';
import { uploadCorpus } from './lib/corpus-client';
import { costPlans, OUTPUT_TOKENS, SYSTEM_PROMPT_TOKENS } from './lib/cost';
import { DEFAULT_PRICES } from '../src/respond/pricing';
import { readDocs } from './lib/docs';
import { LOCAL_ADMIN_TOKEN, LOCAL_API_TOKEN, OFFLINE_ENV, startLocalWorker, type LocalWorker } from './lib/local-worker';
import { measureBatchOfTen, measureJsPerTicket, startNodeWorker } from './lib/node-worker';
import { cpuMs, waitUntilIdle, workerRuntimePid } from './lib/process-cpu';
import { progressBar } from './lib/progress';
import { readTicket, runCases, waitForDecision } from './lib/run-cases';
import { spread, type Spread } from './lib/stats';
import { syntheticDocs, syntheticQueries } from './lib/synthetic';

const EMAIL_SAMPLE = '../shared/data/mime/quoted-gmail-on-wrote.eml';
const TICKETS_PER_ROUND = 20;
const wranglerBin = path.join('node_modules', '.bin', 'wrangler');
const log = (line: string) => process.stderr.write(`${line}\n`);
const auth = { authorization: `Bearer ${LOCAL_API_TOKEN}` };

async function loadSample(worker: LocalWorker, docs: SourceDoc[]) {
  await uploadCorpus(docs, { baseUrl: worker.url, token: LOCAL_ADMIN_TOKEN });
}

async function chunkerOf(worker: LocalWorker): Promise<ChunkerParams> {
  const response = await worker.fetch('/admin/corpus', { headers: { authorization: `Bearer ${LOCAL_ADMIN_TOKEN}` } });
  return ((await response.json()) as { settings: { chunker: ChunkerParams } }).settings.chunker;
}

let serial = 0;
async function postApiTicket(worker: LocalWorker, text: string, subject = ''): Promise<string> {
  serial += 1;
  const response = await worker.fetch('/api/tickets', {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify({ from: `bench-${serial}@customers.example`, subject, text, message_id: `<bench-${serial}-${Date.now()}@bench.deflect>` }),
  });
  const body = (await response.json()) as { ticket_id?: string };
  if (!body.ticket_id) throw new Error(`POST /api/tickets → ${response.status}`);
  return body.ticket_id;
}

async function postEmailTicket(worker: LocalWorker, raw: string, to: string): Promise<string> {
  serial += 1;
  const messageId = `<bench-${serial}-${Date.now()}@bench.deflect>`;
  const mail = raw.replace(/^Message-I[Dd]:.*$/m, `Message-ID: ${messageId}`);
  const response = await worker.fetch(`/cdn-cgi/handler/email?${new URLSearchParams({ from: `bench-${serial}@customers.example`, to })}`, { method: 'POST', body: mail });
  if (!response.ok) throw new Error(`email() handler → ${response.status}: ${(await response.text()).split('\n')[0]}`);
  const found = await worker.fetch(`/api/tickets?${new URLSearchParams({ message_id: messageId })}`, { headers: auth });
  if (found.status !== 200) throw new Error(`email accepted but no ticket stored under ${messageId}`);
  return ((await found.json()) as { ticket: { id: string } }).ticket.id;
}

/**
 * CPU per ticket: the workerd process's CPU (utime+stime) across a round of tickets
 * submitted, processed by the real queue consumer and delivered, minus its idle rate,
 * divided by the round size. Includes local D1's SQLite work, which on Cloudflare
 * runs outside the Worker's CPU budget: an upper bound.
 */
async function cpuPerTicket(worker: LocalWorker, submit: (i: number) => Promise<string>, runs: number): Promise<Spread> {
  const pid = workerRuntimePid(worker.pid);
  const idleStart = cpuMs(pid);
  const idleStarted = Date.now();
  await new Promise((r) => setTimeout(r, 3000));
  const idlePerMs = (cpuMs(pid) - idleStart) / (Date.now() - idleStarted);
  const perTicket: number[] = [];
  for (let round = 0; round < runs; round++) {
    const before = cpuMs(pid);
    const started = Date.now();
    const ids: string[] = [];
    for (let i = 0; i < TICKETS_PER_ROUND; i++) ids.push(await submit(round * TICKETS_PER_ROUND + i));
    await waitUntilIdle(pid);
    const used = cpuMs(pid) - before - idlePerMs * (Date.now() - started);
    for (const id of ids) {
      const view = await readTicket(worker, id);
      if (!['done', 'ignored'].includes(view.ticket.status)) throw new Error(`ticket ${id} is ${view.ticket.status} after the round: measurement invalid`);
    }
    perTicket.push(Math.max(0, used) / TICKETS_PER_ROUND);
  }
  return spread(perTicket);
}

async function bundle(runs: number) {
  const outdir = await mkdtemp(path.join(os.tmpdir(), 'deflect-bundle-'));
  try {
    execFileSync(wranglerBin, ['deploy', '--dry-run', '--outdir', outdir], { stdio: 'pipe', env: { ...process.env, ...OFFLINE_ENV } });
    const files = (await readdir(outdir)).filter((f) => f.endsWith('.js'));
    let raw = 0;
    let gzip = 0;
    for (const f of files) {
      const bytes = await readFile(path.join(outdir, f));
      raw += (await stat(path.join(outdir, f))).size;
      gzip += gzipSync(bytes).length;
    }
    // wrangler check startup profiles the bundle's top-level evaluation in local workerd.
    const startup: number[] = [];
    for (let i = 0; i < runs; i++) {
      const profile = path.join(outdir, `startup-${i}.cpuprofile`);
      execFileSync(wranglerBin, ['check', 'startup', '--outfile', profile], { stdio: 'pipe', env: { ...process.env, ...OFFLINE_ENV } });
      startup.push(profileCpuMs(JSON.parse(await readFile(profile, 'utf8'))));
    }
    return { raw_bytes: raw, gzip_bytes: gzip, startup_cpu_ms: spread(startup) };
  } finally {
    await rm(outdir, { recursive: true, force: true });
  }
}

type CpuProfile = { nodes: { id: number; callFrame: { functionName: string } }[]; samples: number[]; timeDeltas: number[] };

/** Sampled time that was not idle, in ms (the first delta is the wait before sampling began). */
function profileCpuMs(profile: CpuProfile): number {
  const idle = new Set(profile.nodes.filter((n) => n.callFrame.functionName === '(idle)').map((n) => n.id));
  let us = 0;
  for (let i = 1; i < profile.samples.length; i++) if (!idle.has(profile.samples[i]!)) us += profile.timeDeltas[i]!;
  return us / 1000;
}

type IngestRun = { entrypoint: string; consumer: boolean; docs: SourceDoc[] | null };

/** autocannon against POST /api/tickets of one Worker; the product's rows are checked after the queue drained. */
async function ingestLoad(run: IngestRun, durationS: number) {
  const worker = await startLocalWorker({ entrypoint: run.entrypoint, vars: run.consumer ? {} : { [QUEUE_PAUSED_VAR]: 'true' } });
  try {
    if (run.docs) await loadSample(worker, run.docs);
    let n = 0;
    const acceptedIds = new Set<string>();
    const result = await autocannon({
      url: worker.url,
      connections: 10,
      duration: durationS,
      requests: [
        {
          method: 'POST',
          path: '/api/tickets',
          headers: { ...auth, 'content-type': 'application/json' },
          setupRequest: (req) => {
            n += 1;
            return { ...req, body: JSON.stringify({ from: `load-${n}@customers.example`, subject: 'Password', text: `I forgot my password, how do I reset it? (${n})` }) };
          },
          onResponse: (status, body) => {
            if (status === 202) acceptedIds.add((JSON.parse(body) as { ticket_id: string }).ticket_id);
          },
        },
      ],
    });
    const summary = {
      consumer: run.consumer ? 'on, same process' : 'off (messages left queued)',
      requests_per_s: { mean: result.requests.mean, p50: result.requests.p50 },
      latency_ms: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max },
      accepted: acceptedIds.size,
      non_2xx: result.non2xx,
      errors: result.errors,
    };
    if (!run.docs) return summary;
    if (run.consumer) {
      await waitUntilIdle(workerRuntimePid(worker.pid), { timeoutMs: 600_000 });
      // A bench that left a ticket or a delivery unfinished lost work: fail, do not report.
      await worker.drain(120_000);
    }
    const stored = new Set(worker.query<{ id: string }>('select id from tickets').map((r) => r.id));
    const [row] = worker.query<{ decided: number }>("select count(*) as decided from tickets where status in ('done','ignored')");
    return {
      ...summary,
      accepted_and_stored: [...acceptedIds].filter((id) => stored.has(id)).length,
      stored: stored.size,
      // Requests still in flight when autocannon closed its connections: committed, but nobody read the 202.
      stored_unanswered: [...stored].filter((id) => !acceptedIds.has(id)).length,
      decided_after_drain: run.consumer ? (row?.decided ?? 0) : null,
    };
  } finally {
    await worker.stop();
  }
}

/** The minimal Worker, deflect with its consumer off, deflect with it on: one after the other in the same run. */
async function ingestScenario(docs: SourceDoc[], durationS: number) {
  const minimal = await ingestLoad({ entrypoint: MINIMAL_ENTRYPOINT, consumer: false, docs: null }, durationS);
  const consumerOff = await ingestLoad({ entrypoint: BENCH_ENTRYPOINT, consumer: false, docs }, durationS);
  const consumerOn = await ingestLoad({ entrypoint: BENCH_ENTRYPOINT, consumer: true, docs }, durationS);
  const ratio = (r: { requests_per_s: { mean: number } }) => Number((r.requests_per_s.mean / minimal.requests_per_s.mean).toFixed(2));
  return {
    duration_s: durationS,
    connections: 10,
    minimal_worker: minimal,
    deflect_consumer_off: consumerOff,
    deflect_consumer_on: consumerOn,
    requests_per_s_ratio_to_minimal: { consumer_off: ratio(consumerOff), consumer_on: ratio(consumerOn) },
  };
}

async function lexicalBench(worker: LocalWorker, queries: string[], impl: 'product' | 'baseline'): Promise<LexicalBenchResult> {
  const response = await worker.fetch('/bench/lexical', { method: 'POST', body: JSON.stringify({ queries, topK: 8, impl }) });
  if (!response.ok) throw new Error(`/bench/lexical → ${response.status}: ${await response.text()}`);
  return (await response.json()) as LexicalBenchResult;
}

/**
 * The product's lexical retrieval and the pre-issue-18 search on the same index,
 * query by query in alternating order, timed inside the isolate; top-8 compared.
 */
async function retrievalAt(chunks: number, queries: number) {
  const worker = await startLocalWorker({ entrypoint: BENCH_ENTRYPOINT });
  try {
    const docs = syntheticDocs(chunks, await chunkerOf(worker));
    const bar = progressBar(`loading ${chunks} chunks`, docs.length);
    const started = Date.now();
    await uploadCorpus(docs, { baseUrl: worker.url, token: LOCAL_ADMIN_TOKEN, onProgress: (p) => bar.update(p.done) });
    bar.finish();
    const loadS = (Date.now() - started) / 1000;
    const product: number[] = [];
    const baseline: number[] = [];
    let identical = 0;
    let sameScores = 0;
    for (const [i, query] of syntheticQueries(queries).entries()) {
      const order = i % 2 === 0 ? (['product', 'baseline'] as const) : (['baseline', 'product'] as const);
      const results: Record<string, LexicalBenchResult[number]> = {};
      for (const impl of order) results[impl] = (await lexicalBench(worker, [query], impl))[0]!;
      product.push(results.product!.ms);
      baseline.push(results.baseline!.ms);
      if (JSON.stringify(results.product!.chunkIds) === JSON.stringify(results.baseline!.chunkIds)) identical += 1;
      // Synthetic chunks tie exactly on the rare terms; today's search breaks such ties by the dropped terms' ~1e-6 idf.
      const { scores } = results.product!;
      if (scores.length === results.baseline!.scores.length && scores.every((score, r) => Math.abs(score - results.baseline!.scores[r]!) < 1e-4)) sameScores += 1;
    }
    const ratios = product.map((ms, i) => ms / Math.max(1, baseline[i]!));
    const mean = (values: number[]) => Number((values.reduce((a, b) => a + b, 0) / values.length).toFixed(2));
    return {
      chunks,
      load_s: loadS,
      product_ms: { ...spread(product), mean: mean(product) },
      baseline_ms: { ...spread(baseline), mean: mean(baseline) },
      product_to_baseline: spread(ratios),
      identical_top8: `${identical}/${queries}`,
      same_score_at_every_rank: `${sameScores}/${queries}`,
    };
  } finally {
    await worker.stop();
  }
}

const WORKER_JS_TICKETS = 100;

/**
 * "Worker JS per ticket": deflect's real handlers and the minimal Worker in this Node process
 * against in-process SQLite (scripts/lib/node-worker.ts), the sample's questions as API tickets,
 * each POSTed and its queues run dry; CPU minus SQLite's, median over WORKER_JS_TICKETS.
 */
async function workerJsScenario(docs: SourceDoc[], runs: number) {
  const { cases } = parseCases(await readFile('corpus/tickets.jsonl', 'utf8'));
  const questions = cases.filter((c) => c.question);
  const ticket = (i: number) => {
    const q = questions[i % questions.length]!;
    return {
      path: '/api/tickets',
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ from: `js-${i}@customers.example`, subject: q.subject, text: q.question, message_id: `<js-${i}-${Date.now()}@bench.deflect>` }),
    };
  };
  const summarize = (r: Awaited<ReturnType<typeof measureJsPerTicket>>) => ({
    tickets: r.tickets,
    js_ms: spread(r.js_ms),
    ingest_js_ms: spread(r.ingest_js_ms),
    sqlite_ms: spread(r.sqlite_ms),
    js_and_sqlite_cpu_ms: spread(r.total_cpu_ms),
    statements: spread(r.statements),
    instrument_ms_per_statement: Number(r.instrument_ms_per_statement.toFixed(4)),
  });
  const deflect = await startNodeWorker('src/index.ts');
  try {
    await uploadCorpus(docs, { baseUrl: 'http://deflect.local', token: LOCAL_ADMIN_TOKEN, fetcher: (input, init) => deflect.fetch(new URL(String(input)).pathname, init) });
    const perTicket = summarize(await measureJsPerTicket(deflect, ticket, WORKER_JS_TICKETS, 20));
    const batchOfTen = spread(await measureBatchOfTen(deflect, (i) => ticket(10_000 + i), runs));
    const [row] = deflect.db.query<{ done: number }>("select count(*) as done from tickets where status in ('done','ignored')");
    const minimal = await startNodeWorker(MINIMAL_ENTRYPOINT);
    let minimalPerTicket;
    try {
      minimalPerTicket = summarize(await measureJsPerTicket(minimal, ticket, WORKER_JS_TICKETS, 20));
    } finally {
      minimal.close();
    }
    return {
      method: 'real fetch + queue handlers in Node 20 against in-process SQLite (node-sqlite3-wasm); process CPU minus CPU inside SQLite minus the calibrated cost of timing each statement; the Request (with its Content-Length) built and the response body read outside the timed window, as workerd does both natively',
      deflect: perTicket,
      minimal_worker: minimalPerTicket,
      js_ratio_to_minimal: Number((perTicket.js_ms.median / Math.max(0.001, minimalPerTicket.js_ms.median)).toFixed(1)),
      tickets_queue_batch_of_10_js_ms: batchOfTen,
      batch_of_10_over_free_plan_10ms: batchOfTen.median > 10,
      tickets_decided: row?.done ?? 0,
    };
  } finally {
    deflect.close();
  }
}

async function sampleScenario(docs: SourceDoc[], options: BenchOptions) {
  const supportAddress = String(unstable_readConfig({ config: 'wrangler.toml' }).vars.SUPPORT_ADDRESS);
  const worker = await startLocalWorker({ entrypoint: BENCH_ENTRYPOINT });
  try {
    await loadSample(worker, docs);
    const { cases } = parseCases(await readFile('corpus/tickets.jsonl', 'utf8'));
    const questions = cases.filter((c) => c.question);
    // Warm-up: JIT, D1 page cache and the isolate's first-request costs are not per-ticket costs.
    for (let i = 0; i < 10; i++) await waitForDecision(worker, await postApiTicket(worker, questions[i]!.question!, questions[i]!.subject), 30_000);
    log('CPU per API ticket…');
    await worker.fetch('/bench/d1', { method: 'POST' });
    const api = await cpuPerTicket(worker, (i) => postApiTicket(worker, questions[i % questions.length]!.question!, questions[i % questions.length]!.subject), options.runs);
    const d1 = d1PerTicket((await (await worker.fetch('/bench/d1', { method: 'POST' })).json()) as D1Counts, options.runs * TICKETS_PER_ROUND);
    log('CPU per email ticket…');
    let email: Spread | { unavailable: string };
    try {
      const raw = await readFile(EMAIL_SAMPLE, 'latin1');
      await waitForDecision(worker, await postEmailTicket(worker, raw, supportAddress), 30_000);
      email = await cpuPerTicket(worker, () => postEmailTicket(worker, raw, supportAddress), options.runs);
    } catch (error) {
      email = { unavailable: (error as Error).message };
    }
    log('prompt sizes over the sample tickets…');
    const bar = progressBar('tickets', cases.length);
    const results = await runCases(worker, cases, { casesDir: 'corpus', supportAddress, timeoutMs: 30_000, concurrency: 8, onDone: (d) => bar.update(d) });
    bar.finish();
    return { api, email, d1, results };
  } finally {
    await worker.stop();
  }
}

/** D1 statements and round trips per API ticket, per stage (reads of the ticket view by the bench itself are `other`). */
function d1PerTicket(counts: D1Counts, tickets: number) {
  const per = (n: number) => Number((n / tickets).toFixed(2));
  const stages = (['ingest', 'tickets', 'outbox'] as const).map((stage) => [stage, { statements: per(counts[stage].statements), round_trips: per(counts[stage].roundTrips) }] as const);
  return { tickets, ...Object.fromEntries(stages) };
}

function promptSamples(docs: SourceDoc[], chunker: ChunkerParams, cases: { subject: string; question: string | null }[], results: Awaited<ReturnType<typeof sampleScenario>>['results']) {
  const tokensOf = new Map(docs.flatMap((d) => chunkDoc(d, chunker)).map((c) => [c.chunkId, c.tokenCount]));
  const vars = unstable_readConfig({ config: 'wrangler.toml' }).vars;
  const [bandMin, bandMax] = [Number(vars.STRONG_BAND_MIN), Number(vars.STRONG_BAND_MAX)];
  return results
    .map((r, i) => ({ r, c: cases[i]! }))
    .filter(({ r }) => r.view?.decision && r.result.actual !== 'ignore')
    .map(({ r, c }) => {
      const chunkTokens = r.view!.decision!.retrieved.reduce((n, chunk) => n + (tokensOf.get(chunk.chunkId) ?? 0), 0);
      const confidence = r.result.confidence ?? 0;
      return {
        promptTokens: SYSTEM_PROMPT_TOKENS + estimateTokens(`${c.subject}\n${c.question ?? ''}`) + chunkTokens,
        inStrongBand: confidence >= bandMin && confidence <= bandMax,
      };
    });
}

async function main() {
  const parsed = parseBenchArgs(process.argv.slice(2));
  if (parsed.kind === 'help') return console.log(BENCH_USAGE);
  if (parsed.kind === 'usage_error') {
    console.error(`${parsed.message}\n\n${BENCH_USAGE}`);
    process.exit(2);
  }
  const { options } = parsed;
  const machine = {
    nproc: os.availableParallelism(),
    cpu: os.cpus()[0]?.model ?? 'unknown',
    memory_gb: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    load_avg_at_start: os.loadavg().map((l) => Number(l.toFixed(2))),
    date: new Date().toISOString(),
  };
  const docs = await readDocs('corpus/docs');
  const runs = (name: (typeof options.only)[number]) => options.only.includes(name);
  const report: Record<string, unknown> = { machine };
  if (runs('bundle')) {
    log('bundle size and startup…');
    report.bundle = await bundle(Math.min(options.runs, 5));
  }
  if (runs('sample')) {
    const sample = await sampleScenario(docs, options);
    const { cases } = parseCases(await readFile('corpus/tickets.jsonl', 'utf8'));
    const chunker = { targetTokens: 350, overlapTokens: 50 };
    const samples = promptSamples(docs, chunker, cases, sample.results);
    const vars = unstable_readConfig({ config: 'wrangler.toml' }).vars;
    const models = { fast: String(vars.MODEL_FAST), strong: String(vars.MODEL_STRONG) };
    const sampleRetrieve = sample.results.flatMap((r) => (typeof r.view?.decision?.latency_ms?.retrieve === 'number' ? [r.view.decision.latency_ms.retrieve] : []));
    report.cpu_ms_per_ticket = { api: sample.api, email: sample.email };
    report.d1_per_ticket = sample.d1;
    report.sample_retrieval = { chunks: docs.reduce((n, d) => n + chunkDoc(d, chunker).length, 0), retrieve_ms: spread(sampleRetrieve) };
    report.cost = {
      models,
      prices_per_mtok: DEFAULT_PRICES,
      system_prompt_tokens: SYSTEM_PROMPT_TOKENS,
      output_tokens: OUTPUT_TOKENS,
      tickets: samples.length,
      prompt_tokens: spread(samples.map((s) => s.promptTokens)),
      strong_band_share: samples.filter((s) => s.inStrongBand).length / Math.max(1, samples.length),
      ...costPlans(samples, models),
    };
  }
  if (runs('worker-js')) {
    log('Worker JS per ticket (Node harness)…');
    report.worker_js_per_ticket = await workerJsScenario(docs, options.runs);
  }
  if (runs('routing')) {
    log('request-type classifier and policy per ticket…');
    report.routing_per_ticket = benchRouting(options.runs);
  }
  if (runs('hostile')) {
    log('hostile mail: text functions, ingest and decide…');
    report.hostile = await benchHostile(options.runs);
  }
  if (runs('ingest')) {
    log(`ingest load, 3 × ${options.durationS}s…`);
    report.ingest = await ingestScenario(docs, options.durationS);
  }
  if (runs('retrieval')) {
    const sizes = [];
    for (const size of options.sizes) {
      log(`lexical retrieval at ${size} chunks…`);
      sizes.push(await retrievalAt(size, 30));
    }
    // Means: at 1k chunks a query takes a few ms, and the isolate's clock counts whole ms.
    const first = sizes[0];
    const ratio = (a: number, b: number | undefined) => (b ? Number((a / b).toFixed(2)) : null);
    report.retrieval = sizes.map((r) => ({ ...r, mean_to_smallest: { product: ratio(r.product_ms.mean, first?.product_ms.mean), baseline: ratio(r.baseline_ms.mean, first?.baseline_ms.mean) } }));
  }
  const json = JSON.stringify(report);
  if (options.out) await writeFile(options.out, `${json}\n`);
  if (options.json) console.log(json);
  else console.log(JSON.stringify(report, null, 2));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.stack : error);
  process.exit(1);
});
