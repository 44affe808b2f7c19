// npm start: everything local, no Cloudflare account, no API key.
// 1. .dev.vars from .dev.vars.example (local-only tokens) on first run
// 2. local D1 migrations  3. wrangler dev --local  4. the sample corpus, uploaded
// 5. how to send a ticket.
import { spawn, spawnSync } from 'node:child_process';
import { copyFile, access } from 'node:fs/promises';
import { uploadCorpus } from './lib/corpus-client';
import { readDocs, readVars } from './lib/docs';

const PORT = Number(process.env.PORT ?? 8787);
const BASE = `http://localhost:${PORT}`;
const wrangler = 'node_modules/.bin/wrangler';

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
    try {
      const response = await fetch(`${BASE}/health`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`wrangler dev did not answer ${BASE}/health within ${timeoutMs / 1000}s`);
}

async function main() {
  await ensureDevVars();
  const migrate = spawnSync(wrangler, ['d1', 'migrations', 'apply', 'DB', '--local'], { stdio: 'inherit', env: { ...process.env, CI: 'true' } });
  if (migrate.status !== 0) process.exit(migrate.status ?? 1);

  // Locally the LogMailer is chosen by name: MAILER=auto without a provider fails replies, as in production.
  const dev = spawn(wrangler, ['dev', '--local', '--port', String(PORT), '--var', 'MAILER:log', '--show-interactive-dev-session=false'], { stdio: 'inherit' });
  const stop = () => dev.kill('SIGINT');
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  dev.on('exit', (code) => process.exit(code ?? 0));

  await waitForHealth(60_000);
  const vars = await readVars('.dev.vars');
  const summary = await uploadCorpus(await readDocs('corpus/docs'), { baseUrl: BASE, token: vars.ADMIN_TOKEN ?? '' });
  console.log(`\nsample corpus ${summary.version}: ${summary.docs} docs, ${summary.chunks} chunks (${summary.uploadedDocs} uploaded now)`);
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
