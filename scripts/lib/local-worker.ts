// Runs the product's real Worker (src/index.ts, wrangler.toml bindings) in local
// workerd with a fresh, migrated D1 per run: what eval and bench measure is the code
// that ships. Local mode only: no login, no remote bindings, no Request.cf fetch.
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { unstable_startWorker } from 'wrangler';
import { readVars } from './docs';

export const LOCAL_API_TOKEN = 'eval-api-token';
export const LOCAL_ADMIN_TOKEN = 'eval-admin-token';

// Keep wrangler/miniflare off the network: no Request.cf download, no telemetry.
/** How often the harness fires the scheduled sweep (production: every 5 minutes). */
const CRON_EVERY_S = 15;

export const OFFLINE_ENV = { CLOUDFLARE_CF_FETCH_ENABLED: 'false', WRANGLER_SEND_METRICS: 'false', CI: 'true', WRANGLER_LOG: 'error' };

export type LocalWorker = {
  url: string;
  persistDir: string;
  fetch(pathname: string, init?: RequestInit): Promise<Response>;
  /** Read the run's local D1 with wrangler d1 execute (before stop(), which deletes it). */
  query<T>(sql: string): T[];
  stop(): Promise<void>;
};

export type LocalWorkerOptions = {
  /** [vars] overrides for the run (strings, as wrangler.toml would have them). */
  vars?: Record<string, string>;
  secrets?: Record<string, string>;
  /** Remote bindings (AI, Vectorize) only for --retriever hybrid with a Cloudflare login. */
  remoteBindings?: boolean;
  /** Another Worker module than wrangler.toml's main (the bench's, which wraps the product's). */
  entrypoint?: string;
};

function wrangler(args: string[]) {
  const result = spawnSync(path.join('node_modules', '.bin', 'wrangler'), args, {
    encoding: 'utf8',
    // `--json` output is printed at log level: a quieter WRANGLER_LOG would swallow it.
    env: { ...process.env, ...OFFLINE_ENV, WRANGLER_LOG: 'log' },
    maxBuffer: 256 * 1024 * 1024,
  });
  if (result.status !== 0) throw new Error(`wrangler ${args.join(' ')} failed:\n${result.stderr || result.stdout}`);
  return result.stdout;
}

export async function startLocalWorker(options: LocalWorkerOptions = {}): Promise<LocalWorker> {
  Object.assign(process.env, OFFLINE_ENV);
  const persistDir = await mkdtemp(path.join(tmpdir(), 'deflect-run-'));
  wrangler(['d1', 'migrations', 'apply', 'DB', '--local', '--persist-to', persistDir]);
  // wrangler loads .dev.vars whatever envFiles says: blank every documented secret so a
  // developer's ANTHROPIC_API_KEY or Slack webhook never joins an offline run.
  const blanked = Object.fromEntries(Object.keys(await readVars('.dev.vars.example')).map((name) => [name, '']));
  const bindings = Object.fromEntries([
    // Eval and bench send hundreds of tickets from one address: the per-client rate limit would measure itself.
    ...Object.entries({ RATE_LIMIT_ENABLED: 'false', SWEEP_AFTER_SECONDS: String(CRON_EVERY_S * 2), ...options.vars }).map(([name, value]) => [name, { type: 'plain_text' as const, value }]),
    ...Object.entries({ ...blanked, API_TOKEN: LOCAL_API_TOKEN, ADMIN_TOKEN: LOCAL_ADMIN_TOKEN, ...options.secrets }).map(([name, value]) => [
      name,
      { type: 'secret_text' as const, value },
    ]),
  ]);
  const worker = await unstable_startWorker({
    config: 'wrangler.toml',
    entrypoint: options.entrypoint,
    // No .env files: a run is reproducible from its flags alone.
    envFiles: [],
    bindings,
    dev: {
      remote: options.remoteBindings ? undefined : false,
      persist: persistDir,
      // Port 0: the OS picks a free one, so runs never collide with wrangler dev or each other.
      server: { hostname: '127.0.0.1', port: 0 },
      inspector: false,
      watch: false,
    },
  });
  await worker.ready;
  const url = String(await worker.url).replace(/\/$/, '');
  const call = (pathname: string, init: RequestInit = {}) => fetch(`${url}${pathname}`, init);
  const health = await call('/health');
  if (!health.ok) throw new Error(`the local Worker answered /health with ${health.status}: ${await health.text()}`);
  // Local dev has no cron: fire the scheduled sweep as production's trigger would, so a
  // ticket whose queue delivery is lost is recovered the way it is in the cloud.
  const cron = setInterval(() => void call('/cdn-cgi/handler/scheduled').catch(() => undefined), CRON_EVERY_S * 1000);
  return {
    url,
    persistDir,
    fetch: call,
    query<T>(sql: string): T[] {
      const out = wrangler(['d1', 'execute', 'DB', '--local', '--persist-to', persistDir, '--json', '--command', sql]);
      return (JSON.parse(out) as { results: T[] }[])[0]?.results ?? [];
    },
    async stop() {
      clearInterval(cron);
      // Teardown deletes the bundle dir under esbuild's feet, which logs a spurious "Build failed".
      process.env.WRANGLER_LOG = 'none';
      await worker.dispose();
      process.env.WRANGLER_LOG = OFFLINE_ENV.WRANGLER_LOG;
      await rm(persistDir, { recursive: true, force: true });
    },
  };
}
