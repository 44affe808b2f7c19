// npm start: everything local, no Cloudflare account, no API key.
// 1. .dev.vars from .dev.vars.example (local-only tokens) on first run
// 2. local D1 migrations  3. wrangler dev --local  4. the sample corpus, only into
// an empty database (never over your own docs) or with --sample  5. how to send a ticket.
import { spawn, spawnSync } from 'node:child_process';
import { access, copyFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { uploadCorpus } from './lib/corpus-client';
import { readDocs, readVars } from './lib/docs';
import { localNoiseFilter } from './lib/local-noise';

/** A stand-in helpdesk, so the quick start shows hand-offs: nothing leaves the machine locally. */
const LOCAL_HANDOFF = 'helpdesk@tallybook.example';

const usage = `usage: npm start -- [--port 8787] [--sample] [--name "Acme Support"] [--address support@acme.example] [--footer "…"] [--handoff helpdesk@acme.example]
  --port     the local port (default: PORT, else 8787)
  --handoff  where tickets deflect does not answer are handed off (HANDOFF_ADDRESS; default here:
             ${LOCAL_HANDOFF}: locally a forward is only logged, a hand-off email goes to the log mailer)
  --sample   load the sample corpus (corpus/docs) even if another corpus is active
  --name, --address, --footer
             who replies: SUPPORT_NAME, SUPPORT_ADDRESS, REPLY_FOOTER for this local run
             (also read from those environment variables; deployed, set them in wrangler.toml)`;

const wrangler = 'node_modules/.bin/wrangler';

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    sample: { type: 'boolean', default: false },
    name: { type: 'string' },
    address: { type: 'string' },
    footer: { type: 'string' },
    handoff: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});
const PORT = Number(values.port ?? process.env.PORT ?? 8787);
const BASE = `http://localhost:${PORT}`;
// Local dev cannot reach Cloudflare: no Request.cf download, no probing of cloud-only bindings.
const CHILD_ENV = { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: 'false' };

/** Identity and retrieval for this local run, as `wrangler dev --var KEY:VALUE`. */
function localVars(): string[] {
  const identity = {
    SUPPORT_NAME: values.name ?? process.env.SUPPORT_NAME,
    SUPPORT_ADDRESS: values.address ?? process.env.SUPPORT_ADDRESS,
    REPLY_FOOTER: values.footer ?? process.env.REPLY_FOOTER,
  };
  // Locally the LogMailer is chosen by name: MAILER=auto without a provider fails replies, as in production.
  // PUBLIC_URL makes the X-Deflect-Ticket header and hand-off emails link to this console.
  const handoff = { HANDOFF_ADDRESS: values.handoff ?? process.env.HANDOFF_ADDRESS ?? LOCAL_HANDOFF, PUBLIC_URL: BASE };
  const vars: Record<string, string | undefined> = { RETRIEVER: 'lexical', MAILER: 'log', ...identity, ...handoff };
  return Object.entries(vars).flatMap(([key, value]) => (value ? ['--var', `${key}:${value}`] : []));
}

async function ensureDevVars() {
  try {
    await access('.dev.vars');
  } catch {
    await copyFile('.dev.vars.example', '.dev.vars');
    console.log('created .dev.vars from .dev.vars.example (local-only tokens)');
  }
}

async function waitForHealth(timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const response = await fetch(`${BASE}/health`).catch(() => null); // null: not listening yet
    if (response?.ok) return;
    // A bad value in .dev.vars: the Worker says which one, and waiting will not fix it.
    const body = (await response?.json().catch(() => null)) as { error?: { code?: string; message?: string } } | null | undefined;
    if (body?.error?.code === 'config_invalid') throw new Error(`deflect's configuration is invalid: ${body.error.message} (fix it in .dev.vars)`);
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`wrangler dev did not answer ${BASE}/health within ${timeoutMs / 1000}s`);
}

function pipeQuietly(stream: NodeJS.ReadableStream, out: NodeJS.WritableStream) {
  const filter = localNoiseFilter(PORT);
  createInterface({ input: stream }).on('line', (line) => {
    const kept = filter(line);
    if (kept !== null) out.write(`${kept}\n`);
  });
}

/**
 * wrangler redraws its migration table once per migration (twelve tables on a fresh
 * clone), so its output is kept for a failure and a success is one line.
 */
function applyLocalMigrations() {
  const migrate = spawnSync(wrangler, ['d1', 'migrations', 'apply', 'DB', '--local'], { encoding: 'utf8', env: { ...CHILD_ENV, CI: 'true' } });
  const output = `${migrate.stdout ?? ''}${migrate.stderr ?? ''}`;
  if (migrate.status !== 0) {
    process.stderr.write(output);
    process.exit(migrate.status ?? 1);
  }
  const applied = /About to apply (\d+) migration/.exec(output)?.[1];
  console.log(applied ? `local D1: ${applied} migration(s) applied` : 'local D1: migrations up to date');
}

/** The sample corpus goes only into an empty database, unless --sample asks for it. */
async function loadSampleCorpus(token: string) {
  const state = (await (await fetch(`${BASE}/admin/corpus`, { headers: { authorization: `Bearer ${token}` } })).json()) as { active: string | null };
  if (state.active && !values.sample) {
    console.log(`\nyour corpus ${state.active} stays active (the sample corpus is loaded only into an empty database; npm start -- --sample loads it)`);
    return;
  }
  const summary = await uploadCorpus(await readDocs('corpus/docs'), { baseUrl: BASE, token, replace: values.sample });
  console.log(`\nsample corpus ${summary.version}: ${summary.docs} docs, ${summary.chunks} chunks (${summary.uploadedDocs} uploaded now)`);
}

async function main() {
  if (values.help) return console.log(usage);
  await ensureDevVars();
  applyLocalMigrations();

  const args = ['dev', '--local', '--port', String(PORT), '--show-interactive-dev-session=false', ...localVars()];
  const dev = spawn(wrangler, args, { stdio: ['inherit', 'pipe', 'pipe'], env: CHILD_ENV });
  pipeQuietly(dev.stdout, process.stdout);
  pipeQuietly(dev.stderr, process.stderr);
  const stop = () => dev.kill('SIGINT');
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  dev.on('exit', (code) => process.exit(code ?? 0));

  try {
    await waitForHealth(60_000);
  } catch (error) {
    // Stop wrangler dev (and its workerd) rather than leave it holding the port after we exit.
    console.error(error instanceof Error ? error.message : error);
    dev.removeAllListeners('exit');
    dev.on('exit', () => process.exit(1));
    dev.kill('SIGINT');
    return;
  }
  const vars = await readVars('.dev.vars');
  await loadSampleCorpus(vars.ADMIN_TOKEN ?? '');
  console.log(`
deflect is running at ${BASE} (local D1, local queues, lexical retrieval, offline responder).
Send a ticket:

  curl -s -X POST ${BASE}/api/tickets \\
    -H 'authorization: Bearer ${vars.API_TOKEN}' -H 'content-type: application/json' \\
    -d '{"from":"ada@example.com","subject":"Password","text":"I forgot my password. How do I reset it?"}'

then read its decision:

  curl -s ${BASE}/api/tickets/<ticket_id> -H 'authorization: Bearer ${vars.API_TOKEN}'
`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
