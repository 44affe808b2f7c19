// npm run replay -- <history.jsonl|support.mbox> [--url <worker>] [--docs corpus/docs] [--support a@x,b@x] [--concurrency 4]
// Runs a team's past tickets through the real Worker (POST /admin/replay) without
// sending anything to anyone, and prints per request type how many deflect would
// have answered on its own. Each draft sits beside the human's reply in the console.
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { uploadCorpus } from './lib/corpus-client';
import { readDocs, readVars } from './lib/docs';
import { parseHistory, type HistoryItem } from './lib/history';
import { LOCAL_ADMIN_TOKEN, startLocalWorker, type LocalWorker } from './lib/local-worker';
import { progressBar } from './lib/progress';
import { formatSummary, summarize, type ReplayOutcome } from './lib/replay-report';

const usage = `usage: npm run replay -- <file> [--url http://localhost:8787] [--docs corpus/docs] [--support support@example.com] [--concurrency 4]
  <file>         JSONL, one {id, from, subject, text, human_reply, request_type?} per line, or an mbox export (.mbox)
  --url          a running Worker (npm start, or a deployed one: ADMIN_TOKEN in the environment); its console then shows
                 each draft beside the human reply. Default: a throwaway local Worker with --docs uploaded, summary only.
  --docs         the docs the throwaway Worker answers from (default corpus/docs); ignored with --url (it uses its own)
  --support      mbox only: the support team's addresses (comma-separated); a reply must come from one of them
  --concurrency  tickets replayed at once (default 4)
Nothing is sent: replayed tickets get no reply, no hand-off and no Slack message.`;

type Target = { url: string; token: string; worker: LocalWorker | null };

const POLL_MS = 500;
const POLL_LIMIT_MS = 120_000;

async function target(values: { url?: string; docs: string }): Promise<Target> {
  const url = values.url ?? process.env.DEFLECT_URL;
  if (url) {
    const token = process.env.ADMIN_TOKEN ?? (await readVars('.dev.vars')).ADMIN_TOKEN;
    if (!token) throw new Error('no ADMIN_TOKEN in the environment or .dev.vars');
    return { url, token, worker: null };
  }
  const docs = await readDocs(values.docs);
  const worker = await startLocalWorker({ vars: { MAILER: 'log' } });
  const bar = progressBar('docs', docs.length);
  await uploadCorpus(docs, { baseUrl: worker.url, token: LOCAL_ADMIN_TOKEN, onProgress: (p) => bar.update(p.done, p.docId) });
  bar.finish();
  return { url: worker.url, token: LOCAL_ADMIN_TOKEN, worker };
}

const ATTEMPTS = 4;

/**
 * A 5xx or a network error is tried again, with backoff: safe, because the Worker stores a
 * history id once (its Message-ID derives from the id), so a repeat finds the same ticket.
 */
async function postWithRetries(url: string, init: RequestInit): Promise<unknown> {
  for (let attempt = 1; ; attempt++) {
    let failure: string;
    try {
      const response = await fetch(url, { ...init, signal: AbortSignal.timeout(POLL_LIMIT_MS) });
      if (response.ok) return response.json();
      failure = `${response.status} ${(await response.text()).slice(0, 300)}`;
      if (response.status < 500) throw new Error(failure);
    } catch (error) {
      if (error instanceof Error && /^4\d\d /.test(error.message)) throw error;
      failure = error instanceof Error ? error.message : String(error);
    }
    if (attempt >= ATTEMPTS) throw new Error(`${failure} (after ${attempt} attempts)`);
    await new Promise((resolve) => setTimeout(resolve, 500 * 2 ** attempt));
  }
}

async function replayOne(item: HistoryItem, to: Target): Promise<ReplayOutcome & { ticket_id: string }> {
  const headers = { authorization: `Bearer ${to.token}`, 'content-type': 'application/json' };
  const { line: _line, ...body } = item;
  let result = (await postWithRetries(`${to.url}/admin/replay`, { method: 'POST', headers, body: JSON.stringify(body) })) as ReplayOutcome & { ticket_id: string };
  // The Worker could not finish it inline: the queue does; wait for its decision.
  const deadline = Date.now() + POLL_LIMIT_MS;
  while (result.outcome === null && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    const polled = await fetch(`${to.url}/admin/replay/${encodeURIComponent(result.ticket_id)}`, { headers, signal: AbortSignal.timeout(10_000) });
    if (polled.ok) result = (await polled.json()) as typeof result;
  }
  return result;
}

async function main() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      url: { type: 'string' },
      docs: { type: 'string', default: 'corpus/docs' },
      support: { type: 'string' },
      concurrency: { type: 'string', default: '4' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help || positionals.length !== 1) {
    console.error(usage);
    process.exit(values.help ? 0 : 2);
  }
  const file = positionals[0]!;
  const concurrency = Number(values.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 16) throw new Error('--concurrency must be a whole number from 1 to 16');
  const history = parseHistory(file, await readFile(file, 'utf8'), { supportAddresses: values.support?.split(',').map((a) => a.trim()).filter(Boolean) });
  for (const problem of history.problems) console.error(`${file}:${problem.line}: skipped: ${problem.reason}`);
  if (history.items.length === 0) throw new Error(`no usable tickets in ${file} (${history.problems.length} skipped)`);

  const to = await target(values);
  const results: (ReplayOutcome & { ticket_id: string })[] = [];
  const failures: { item: HistoryItem; error: string }[] = [];
  try {
    const bar = progressBar('replay', history.items.length);
    const pending = [...history.items];
    let done = 0;
    const lane = async () => {
      for (let item = pending.shift(); item; item = pending.shift()) {
        try {
          results.push(await replayOne(item, to));
        } catch (error) {
          failures.push({ item, error: error instanceof Error ? error.message : String(error) });
        }
        bar.update(++done, item.id);
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, pending.length) }, lane));
    bar.finish();
  } finally {
    await to.worker?.stop();
  }

  for (const { item, error } of failures) console.error(`${file}:${item.line}: not replayed (${item.id}): ${error}`);
  console.log(`replayed ${results.length} of ${history.items.length} tickets from ${file} (${history.format}); ${history.problems.length} skipped as unusable, ${failures.length} failed`);
  console.log('nothing was sent: no reply, no hand-off, no Slack message\n');
  console.log(formatSummary(summarize(results)));
  if (!to.worker) console.log(`\ndrafts beside the human replies: ${to.url}/console (each ticket's page); the queue lists them with source replay`);
  if (failures.length > 0) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
