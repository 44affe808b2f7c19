// "Worker JS per ticket" (issue 18 item 5): the real Worker module (its fetch and
// queue handlers, unchanged) run in this Node process against an in-process SQLite
// through a D1-shaped binding (d1-sqlite.ts) and in-memory queues. Without
// miniflare's emulation, local D1's IPC and the machine's other processes, the CPU
// a ticket takes here minus the CPU inside SQLite is the Worker's own JavaScript:
// what counts against the Workers CPU limit (D1 runs outside it). Offline only:
// no Claude key, no AI/Vectorize bindings, MAILER=log.
import { timingSafeEqual } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { register } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { unstable_readConfig } from 'wrangler';
import { openSqliteD1, type SqliteD1 } from './d1-sqlite';
import { LOCAL_ADMIN_TOKEN, LOCAL_API_TOKEN } from './local-worker';

// `cloudflare:email` exists only in workerd; the harness never sends mail through it.
register('./cloudflare-modules.mjs', import.meta.url);

// workerd's non-standard crypto.subtle.timingSafeEqual (token checks), from Node's own.
const bytes = (v: ArrayBuffer | ArrayBufferView) => (ArrayBuffer.isView(v) ? new Uint8Array(v.buffer, v.byteOffset, v.byteLength) : new Uint8Array(v));
if (!('timingSafeEqual' in crypto.subtle)) {
  Object.defineProperty(crypto.subtle, 'timingSafeEqual', { value: (a: ArrayBuffer | ArrayBufferView, b: ArrayBuffer | ArrayBufferView) => timingSafeEqual(bytes(a), bytes(b)) });
}

type QueuedMessage = { id: string; body: unknown; attempts: number };
type Ctx = { waitUntil(p: Promise<unknown>): void; passThroughOnException(): void; props: object };
/** The Worker module's handlers, as this harness calls them (scripts are type-checked without the Workers types). */
type WorkerModule = {
  fetch?(request: Request, env: unknown, ctx: Ctx): Response | Promise<Response>;
  queue?(batch: unknown, env: unknown, ctx: Ctx): void | Promise<void>;
};

export type NodeWorker = {
  fetch(pathname: string, init?: RequestInit): Promise<Response>;
  /** The Worker's fetch handler on a request already built (so its construction can stay outside a timed window). */
  handle(request: Request): Promise<Response>;
  /**
   * Deliver queued messages to the queue handler, `batchSize` (default 10, wrangler.toml's) at a
   * time, tickets queue first, until no queue has any (or after `maxInvocations`).
   */
  drain(options?: { batchSize?: number; maxInvocations?: number }): Promise<{ invocations: number }>;
  queued(): number;
  db: SqliteD1;
  close(): void;
};

const cpuMs = (): number => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

/**
 * A request as the runtime hands it to the Worker: with the Content-Length every HTTP client
 * sends for a fixed body (Node's Request leaves it to fetch() to add on the wire; without it,
 * Hono's body limit re-reads the body as a stream, which no real caller triggers).
 */
function incomingRequest(pathname: string, init: RequestInit = {}): Request {
  const headers = new Headers(init.headers);
  if (typeof init.body === 'string' && !headers.has('content-length')) headers.set('content-length', String(Buffer.byteLength(init.body)));
  return new Request(`http://deflect.local${pathname}`, { ...init, headers });
}

/** Retried messages beyond this many attempts: the harness stops rather than spin on a ticket that cannot finish. */
const MAX_ATTEMPTS = 5;

function applyMigrations(db: SqliteD1, dir: string) {
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.sql')).sort()) {
    db.binding.exec(readFileSync(path.join(dir, file), 'utf8'));
  }
}

export async function startNodeWorker(entrypoint: string, options: { root?: string; vars?: Record<string, string> } = {}): Promise<NodeWorker> {
  const root = options.root ?? process.cwd();
  const db = openSqliteD1();
  applyMigrations(db, path.join(root, 'migrations'));
  const queues = new Map<string, QueuedMessage[]>();
  let serial = 0;
  const producer = (name: string) => {
    const pending: QueuedMessage[] = [];
    queues.set(name, pending);
    const add = (body: unknown) => pending.push({ id: `m-${++serial}`, body: structuredClone(body), attempts: 1 });
    return {
      send: async (body: unknown) => void add(body),
      sendBatch: async (messages: Iterable<{ body: unknown }>) => {
        for (const m of messages) add(m.body);
      },
    };
  };
  const vars = unstable_readConfig({ config: path.join(root, 'wrangler.toml') }).vars as Record<string, string>;
  const env = {
    ...Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, String(v)])),
    API_TOKEN: LOCAL_API_TOKEN,
    ADMIN_TOKEN: LOCAL_ADMIN_TOKEN,
    RATE_LIMIT_ENABLED: 'false',
    MAILER: 'log',
    ...options.vars,
    DB: db.binding,
    TICKETS: producer('deflect-tickets'),
    OUTBOX: producer('deflect-outbox'),
  };
  // The worker module is loaded after the hooks are registered.
  const worker = (await import(pathToFileURL(path.resolve(root, entrypoint)).href)).default as WorkerModule;

  const context = () => {
    const waiting: Promise<unknown>[] = [];
    const ctx: Ctx = { waitUntil: (p) => void waiting.push(p), passThroughOnException: () => {}, props: {} };
    return { ctx, settle: () => Promise.all(waiting) };
  };

  const handle = async (request: Request) => {
    const { ctx, settle } = context();
    const response = await worker.fetch!(request, env, ctx);
    await settle();
    return response;
  };
  return {
    db,
    handle,
    fetch: (pathname, init) => handle(incomingRequest(pathname, init)),
    queued: () => [...queues.values()].reduce((n, q) => n + q.length, 0),
    async drain({ batchSize = 10, maxInvocations = Infinity } = {}) {
      let invocations = 0;
      while (invocations < maxInvocations) {
        const next = [...queues.entries()].find(([, q]) => q.length > 0);
        if (!next) return { invocations };
        const [queue, pending] = next;
        const taken = pending.splice(0, batchSize);
        const retried: QueuedMessage[] = [];
        const messages = taken.map((m) => ({
          id: m.id,
          timestamp: new Date(),
          body: m.body,
          attempts: m.attempts,
          ack: () => {},
          retry: () => void retried.push({ ...m, attempts: m.attempts + 1 }),
        }));
        const batch = { queue, messages, ackAll: () => {}, retryAll: () => retried.push(...taken.map((m) => ({ ...m, attempts: m.attempts + 1 }))) };
        const { ctx, settle } = context();
        await worker.queue!(batch, env, ctx);
        await settle();
        invocations += 1;
        const stuck = retried.find((m) => m.attempts > MAX_ATTEMPTS);
        if (stuck) throw new Error(`${queue} message ${JSON.stringify(stuck.body)} retried ${MAX_ATTEMPTS} times: the harness run is not valid`);
        pending.push(...retried);
      }
      return { invocations };
    },
    close: () => db.close(),
  };
}

/** Per ticket: JS of the whole ticket, of the POST alone (ingest), SQLite's CPU, D1 statements. */
export type JsPerTicket = { tickets: number; js_ms: number[]; ingest_js_ms: number[]; sqlite_ms: number[]; total_cpu_ms: number[]; statements: number[]; instrument_ms_per_statement: number };

/**
 * For each ticket: POST it, then run the queues dry (decision, outbox); its CPU minus the CPU
 * inside SQLite is its JavaScript. The Request is built before the clock starts and the
 * response's body read after the POST's figure is taken: in workerd both are the runtime's
 * native work, here they would be Node's JavaScript streams. Log lines are swallowed
 * meanwhile (printing them is the terminal's cost, not the Worker's; building them still counts).
 */
export async function measureJsPerTicket(worker: NodeWorker, submit: (i: number) => RequestInit & { path: string }, tickets: number, warmup: number): Promise<JsPerTicket> {
  const result: JsPerTicket = { tickets, js_ms: [], ingest_js_ms: [], sqlite_ms: [], total_cpu_ms: [], statements: [], instrument_ms_per_statement: worker.db.calibrate() };
  const overhead = result.instrument_ms_per_statement;
  const saved = { log: console.log, info: console.info, warn: console.warn };
  console.log = console.info = console.warn = () => {};
  try {
    for (let i = 0; i < warmup + tickets; i++) {
      const { path: pathname, ...init } = submit(i);
      const request = incomingRequest(pathname, init);
      worker.db.reset();
      const started = cpuMs();
      const response = await worker.handle(request);
      const ingestCpu = cpuMs() - started;
      if (response.status >= 300) throw new Error(`POST ${pathname} → ${response.status}: ${await response.text()}`);
      const bodyRead = cpuMs();
      await response.arrayBuffer();
      const untimed = cpuMs() - bodyRead;
      const ingest = ingestCpu - worker.db.sqliteMs() - worker.db.sections() * overhead;
      await worker.drain();
      const total = cpuMs() - started - untimed;
      if (i < warmup) continue;
      result.ingest_js_ms.push(ingest);
      result.total_cpu_ms.push(total - worker.db.sections() * overhead);
      result.js_ms.push(total - worker.db.sqliteMs() - worker.db.sections() * overhead);
      result.sqlite_ms.push(worker.db.sqliteMs());
      result.statements.push(worker.db.statements());
    }
  } finally {
    Object.assign(console, saved);
  }
  return result;
}

/** Ten tickets accepted, then one queue invocation deciding all ten: its JS ms, the Free plan's 10 ms question. */
export async function measureBatchOfTen(worker: NodeWorker, submit: (i: number) => RequestInit & { path: string }, rounds: number): Promise<number[]> {
  const saved = { log: console.log, info: console.info, warn: console.warn };
  console.log = console.info = console.warn = () => {};
  const perInvocation: number[] = [];
  try {
    for (let round = 0; round < rounds; round++) {
      for (let i = 0; i < 10; i++) {
        const { path: pathname, ...init } = submit(round * 10 + i);
        await (await worker.fetch(pathname, init)).arrayBuffer();
      }
      const overhead = worker.db.calibrate();
      worker.db.reset();
      const started = cpuMs();
      // One invocation: the tickets queue's batch of ten (the outbox runs afterwards, not timed).
      await worker.drain({ maxInvocations: 1 });
      perInvocation.push(cpuMs() - started - worker.db.sqliteMs() - worker.db.sections() * overhead);
      await worker.drain();
    }
  } finally {
    Object.assign(console, saved);
  }
  return perInvocation;
}
