// Runs the product's real Worker (src/index.ts, wrangler.toml bindings) in local
// workerd with a fresh, migrated D1 per run: what eval and bench measure is the code
// that ships. Local mode only: no login, no remote bindings, no Request.cf fetch.
//
// The Worker runs in its own `wrangler dev` child process, so miniflare's queue broker
// and its Node-side helpers live on that process's event loop, never on the harness's:
// a harness busy with spawnSync or its own load cannot stall a queue flush (issue 15).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readVars } from './docs';

export const LOCAL_API_TOKEN = 'eval-api-token';
export const LOCAL_ADMIN_TOKEN = 'eval-admin-token';

/** How often the harness fires the scheduled sweep (production: every 5 minutes). */
const CRON_EVERY_S = 15;
const READY_TIMEOUT_MS = 90_000;

// Keep wrangler/miniflare off the network: no Request.cf download, no telemetry.
export const OFFLINE_ENV = { CLOUDFLARE_CF_FETCH_ENABLED: 'false', WRANGLER_SEND_METRICS: 'false', CI: 'true', WRANGLER_LOG: 'error' };

const wranglerBin = path.join('node_modules', '.bin', 'wrangler');

/** What is still unfinished in the run's D1: tickets not decided, deliveries not sent nor visibly failed. */
export type Unfinished = { tickets: number; deliveries: number };

export type LocalWorker = {
  url: string;
  persistDir: string;
  /** The `wrangler dev` process (its workerd runtimes are its descendants). */
  pid: number;
  fetch(pathname: string, init?: RequestInit): Promise<Response>;
  /** Read the run's local D1 with wrangler d1 execute (before stop(), which deletes it). */
  query<T>(sql: string): T[];
  /** Fire the scheduled sweep now, as the cron trigger would. */
  sweep(): Promise<void>;
  unfinished(): Unfinished;
  /**
   * Wait until nothing is unfinished, firing the sweep meanwhile; throws naming what is
   * left after `timeoutMs`: a harness that ends with work unfinished has lost it.
   */
  drain(timeoutMs: number): Promise<void>;
  /** SIGKILL the Worker's whole process group: a crash, mid-whatever (the fault test). Keeps the D1. */
  kill(): Promise<void>;
  stop(options?: { keepPersist?: boolean }): Promise<void>;
};

export type LocalWorkerOptions = {
  /** [vars] overrides for the run (strings, as wrangler.toml would have them). */
  vars?: Record<string, string>;
  secrets?: Record<string, string>;
  /** Remote bindings (AI, Vectorize) only for --retriever hybrid with a Cloudflare login. */
  remoteBindings?: boolean;
  /** Reuse a run's D1 (a restart after kill()); default: a fresh temporary one. */
  persistDir?: string;
  /** Another Worker module than wrangler.toml's main (the bench's, which wraps the product's). */
  entrypoint?: string;
};

function wrangler(args: string[]) {
  const result = spawnSync(wranglerBin, args, {
    encoding: 'utf8',
    // `--json` output is printed at log level: a quieter WRANGLER_LOG would swallow it.
    env: { ...process.env, ...OFFLINE_ENV, WRANGLER_LOG: 'log' },
    maxBuffer: 256 * 1024 * 1024,
  });
  if (result.status !== 0) throw new Error(`wrangler ${args.join(' ')} failed:\n${result.stderr || result.stdout}`);
  return result.stdout;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** The last 64 KiB a child printed, for the error when it dies or never answers. */
function tail(child: ChildProcess): () => string {
  let text = '';
  const keep = (chunk: Buffer) => {
    text = (text + chunk.toString('utf8')).slice(-65_536);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return () => text;
}

export async function startLocalWorker(options: LocalWorkerOptions = {}): Promise<LocalWorker> {
  const persistDir = options.persistDir ?? (await mkdtemp(path.join(tmpdir(), 'deflect-run-')));
  wrangler(['d1', 'migrations', 'apply', 'DB', '--local', '--persist-to', persistDir]);
  // wrangler loads .dev.vars whatever else it is given: blank every documented secret with --var
  // (which wins over it) so a developer's ANTHROPIC_API_KEY or Slack webhook never joins an offline run.
  const blanked = Object.fromEntries(Object.keys(await readVars('.dev.vars.example')).map((name) => [name, '']));
  const vars = {
    ...blanked,
    API_TOKEN: LOCAL_API_TOKEN,
    ADMIN_TOKEN: LOCAL_ADMIN_TOKEN,
    // Eval and bench send hundreds of tickets from one address: the per-client rate limit would measure itself.
    RATE_LIMIT_ENABLED: 'false',
    MAILER: 'log',
    // The sweep's windows shortened to the harness cron, so a lost message costs seconds, not minutes.
    SWEEP_AFTER_SECONDS: String(CRON_EVERY_S * 2),
    DELIVERY_SWEEP_AFTER_SECONDS: String(CRON_EVERY_S * 2),
    SEND_STALE_SECONDS: String(CRON_EVERY_S * 4),
    ...options.vars,
  };
  const secrets = options.secrets ?? {};
  for (const name of Object.keys(secrets)) delete vars[name as keyof typeof vars];
  // Real secrets (a Claude key) go in a file only this user can read, never on a command line.
  const envFile = path.join(persistDir, 'harness.env');
  await writeFile(envFile, Object.entries(secrets).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join('\n'), { mode: 0o600 });
  const port = await freePort();
  const args = [
    'dev',
    ...(options.entrypoint ? [options.entrypoint] : []),
    ...(options.remoteBindings ? [] : ['--local']),
    '--ip', '127.0.0.1',
    '--port', String(port),
    '--persist-to', persistDir,
    '--env-file', envFile,
    '--test-scheduled',
    '--show-interactive-dev-session=false',
    '--inspector-port', String(await freePort()),
    ...Object.entries(vars).flatMap(([k, v]) => ['--var', `${k}:${v}`]),
  ];
  // Its own process group, so kill() ends wrangler and every workerd it started, and nothing else.
  const child = spawn(wranglerBin, args, { env: { ...process.env, ...OFFLINE_ENV, WRANGLER_LOG: 'warn' }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const printed = tail(child);
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once('exit', () => ((exited = true), resolve())));
  const url = `http://127.0.0.1:${port}`;
  const call = (pathname: string, init: RequestInit = {}) => fetch(`${url}${pathname}`, { ...init, signal: init.signal ?? AbortSignal.timeout(120_000) });

  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (exited) throw new Error(`wrangler dev exited before it answered:\n${printed()}`);
    const health = await call('/health', { signal: AbortSignal.timeout(2000) }).catch(() => null);
    if (health?.ok) break;
    if (health && health.status !== 404) throw new Error(`the local Worker answered /health with ${health.status}: ${await health.text()}`);
    if (Date.now() > deadline) {
      process.kill(-child.pid!, 'SIGKILL');
      throw new Error(`wrangler dev did not answer /health within ${READY_TIMEOUT_MS / 1000}s:\n${printed()}`);
    }
    await new Promise((r) => setTimeout(r, 300));
  }

  const sweep = async () => {
    await call('/cdn-cgi/handler/scheduled').then((r) => r.body?.cancel());
  };
  // Local dev has no cron: fire the scheduled sweep as production's trigger would, so a
  // ticket or delivery whose queue message is lost is recovered the way it is in the cloud.
  const cron = setInterval(() => void sweep().catch(() => undefined), CRON_EVERY_S * 1000);
  const query = <T>(sql: string): T[] => {
    const out = wrangler(['d1', 'execute', 'DB', '--local', '--persist-to', persistDir, '--json', '--command', sql]);
    return (JSON.parse(out) as { results: T[] }[])[0]?.results ?? [];
  };
  const unfinished = (): Unfinished => {
    const [row] = query<Unfinished>(
      `select (select count(*) from tickets where status not in ('done','ignored','failed')) as tickets,
              (select count(*) from deliveries where status in ('queued','sending')) as deliveries`,
    );
    return row ?? { tickets: 0, deliveries: 0 };
  };
  const kill = async () => {
    clearInterval(cron);
    if (!exited) process.kill(-child.pid!, 'SIGKILL');
    await exit;
  };
  return {
    url,
    persistDir,
    pid: child.pid!,
    fetch: call,
    query,
    sweep,
    unfinished,
    async drain(timeoutMs) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const left = unfinished();
        if (left.tickets === 0 && left.deliveries === 0) return;
        if (Date.now() > until) throw new Error(`work left unfinished after ${timeoutMs / 1000}s: ${left.tickets} tickets, ${left.deliveries} deliveries`);
        await sweep().catch(() => undefined);
        await new Promise((r) => setTimeout(r, 1000));
      }
    },
    kill,
    async stop(stopOptions = {}) {
      clearInterval(cron);
      if (!exited) {
        process.kill(-child.pid!, 'SIGTERM');
        const forced = setTimeout(() => !exited && process.kill(-child.pid!, 'SIGKILL'), 5000);
        await exit;
        clearTimeout(forced);
      }
      if (!stopOptions.keepPersist) await rm(persistDir, { recursive: true, force: true });
    },
  };
}
