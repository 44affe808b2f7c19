// npm run test:faults: kill the local Worker mid-batch under load, restart it on the
// same D1, let the scheduled sweep recover, and count: every accepted ticket must be
// decided and every delivery sent or visibly failed. Only 127.0.0.1; bounded in time.
//   npm run test:faults -- [--runs 3] [--tickets 60]
import { uploadCorpus } from './lib/corpus-client';
import { readDocs } from './lib/docs';
import { LOCAL_ADMIN_TOKEN, LOCAL_API_TOKEN, startLocalWorker, type LocalWorker } from './lib/local-worker';

const SUPPORT = 'support@tallybook.example';
const DRAIN_TIMEOUT_MS = 240_000;
// Short windows so recovery takes seconds: the lease, the deadline under it, the sweep's ages.
const FAULT_VARS = {
  SUPPORT_ADDRESS: SUPPORT,
  LEASE_SECONDS: '20',
  TICKET_DEADLINE_SECONDS: '15',
  SWEEP_AFTER_SECONDS: '10',
  DELIVERY_SWEEP_AFTER_SECONDS: '10',
  SEND_STALE_SECONDS: '30',
  // Escalations acknowledge the customer, so escalated tickets have deliveries too.
  CUSTOMER_ACK: 'true',
};

const QUESTIONS = [
  'I forgot my password. How do I reset it?',
  'How do I turn on two-factor authentication?',
  'Reverse this charge or I file a chargeback with my bank',
  'How do I export my invoices?',
];

function flag(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const value = at >= 0 ? Number(process.argv[at + 1]) : fallback;
  if (!Number.isInteger(value) || value < 1 || value > 1000) throw new Error(`--${name} must be a whole number from 1 to 1000`);
  return value;
}

/** Half API tickets, half mail through email(); returns the ticket id, or null if the Worker did not accept it. */
async function submit(worker: LocalWorker, run: number, i: number): Promise<string | null> {
  const text = QUESTIONS[i % QUESTIONS.length]!;
  const from = `fault-${run}-${i}@customers.example`;
  try {
    if (i % 2 === 0) {
      const response = await worker.fetch('/api/tickets', {
        method: 'POST',
        headers: { authorization: `Bearer ${LOCAL_API_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ from, subject: `Question ${i}`, text, message_id: `fault-${run}-${i}@customers.example` }),
      });
      return response.status === 202 ? ((await response.json()) as { ticket_id: string }).ticket_id : null;
    }
    const messageId = `fault-mail-${run}-${i}@customers.example`;
    const mail = `From: <${from}>\r\nTo: ${SUPPORT}\r\nSubject: Question ${i}\r\nMessage-ID: <${messageId}>\r\n\r\n${text}\r\n`;
    const sent = await worker.fetch(`/cdn-cgi/handler/email?${new URLSearchParams({ from, to: SUPPORT })}`, { method: 'POST', body: mail });
    if (!sent.ok) return null;
    const found = await worker.fetch(`/api/tickets?${new URLSearchParams({ message_id: messageId })}`, { headers: { authorization: `Bearer ${LOCAL_API_TOKEN}` } });
    return found.ok ? ((await found.json()) as { ticket: { id: string } }).ticket.id : null;
  } catch {
    return null;
  }
}

type Counts = Record<string, number>;
const byStatus = (worker: LocalWorker, table: 'tickets' | 'deliveries'): Counts =>
  Object.fromEntries(worker.query<{ status: string; n: number }>(`select status, count(*) as n from ${table} group by status`).map((r) => [r.status, r.n]));
const show = (counts: Counts) => Object.entries(counts).map(([k, v]) => `${k} ${v}`).join(', ') || 'none';

async function faultRun(run: number, tickets: number, docs: Awaited<ReturnType<typeof readDocs>>): Promise<boolean> {
  let worker = await startLocalWorker({ vars: FAULT_VARS });
  const persistDir = worker.persistDir;
  try {
    await uploadCorpus(docs, { baseUrl: worker.url, token: LOCAL_ADMIN_TOKEN });
    const accepted: string[] = [];
    let next = 0;
    // 8 clients at once; the Worker is killed once half the tickets are in, while the rest keep coming.
    let killed: Promise<void> | null = null;
    const client = async () => {
      while (next < tickets) {
        const id = await submit(worker, run, next++);
        if (id) accepted.push(id);
        if (!killed && accepted.length >= tickets / 2) killed = worker.kill();
      }
    };
    await Promise.all(Array.from({ length: 8 }, client));
    await killed;
    const atKill = { tickets: byStatus(worker, 'tickets'), deliveries: byStatus(worker, 'deliveries') };
    console.log(`run ${run}: ${accepted.length}/${tickets} accepted before and during the kill; at the kill: tickets ${show(atKill.tickets)}; deliveries ${show(atKill.deliveries)}`);

    worker = await startLocalWorker({ vars: FAULT_VARS, persistDir });
    const started = Date.now();
    let drained = true;
    await worker.drain(DRAIN_TIMEOUT_MS).catch((error: Error) => {
      drained = false;
      console.error(`run ${run}: ${error.message}`);
    });
    const ids = new Set(worker.query<{ id: string }>("select id from tickets where status in ('done','ignored','failed')").map((r) => r.id));
    const lost = accepted.filter((id) => !ids.has(id)).length;
    const left = worker.unfinished();
    const after = { tickets: byStatus(worker, 'tickets'), deliveries: byStatus(worker, 'deliveries') };
    console.log(
      `run ${run}: after restart and sweep (${Math.round((Date.now() - started) / 1000)} s): tickets ${show(after.tickets)}; deliveries ${show(after.deliveries)}; ` +
        `accepted but not decided ${lost}; stuck: ${left.tickets} tickets, ${left.deliveries} deliveries`,
    );
    return drained && lost === 0 && left.tickets === 0 && left.deliveries === 0;
  } finally {
    await worker.stop();
  }
}

async function main() {
  const runs = flag('runs', 3);
  const tickets = flag('tickets', 60);
  const docs = await readDocs('corpus/docs');
  let passed = 0;
  for (let run = 1; run <= runs; run++) if (await faultRun(run, tickets, docs)) passed++;
  console.log(`${passed} passed, ${runs - passed} failed`);
  process.exit(passed === runs ? 0 : 1);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
