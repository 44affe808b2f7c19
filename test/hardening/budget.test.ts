// The consumer's time budget and the sweep's reach: a batch of slow tickets ends
// inside its budget (what is not started is retried), and the sweep pages through
// every stuck ticket, oldest first.
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { findTicket, storeTicket } from '../../src/db/tickets';
import { buildDeps, type Deps } from '../../src/deps';
import { consume, QUEUE_NAMES } from '../../src/queues';
import { sweepTickets } from '../../src/pipeline/sweep';
import { newId } from '../../src/ticket';
import { answer, mockClaude } from '../doubles/anthropic';
import { loadCorpus } from '../helpers';

beforeAll(async () => {
  await loadCorpus();
});

async function stored(deps: Deps, receivedAt = deps.clock.now()) {
  const messageId = `${newId('msg')}@example.com`;
  const { ticket } = await storeTicket(
    deps.db,
    {
      source: 'api',
      messageId,
      inReplyTo: null,
      references: [],
      from: { address: `${newId('customer')}@example.com`, name: 'Ada' },
      to: null,
      subject: 'Password',
      text: 'I forgot my password. How do I reset it?',
      headers: {},
      attachments: [],
      raw: null,
      guardReason: null,
    },
    { now: receivedAt, threadId: messageId, maxRawBytes: 1000 },
  );
  return ticket;
}

type Fate = { acked: boolean; retried: { delaySeconds?: number } | null };

describe('a batch of slow tickets', () => {
  it('ten tickets whose model call takes 1.5 s each, 4 at a time in a 3 s budget: the batch ends inside it and retries the rest', async () => {
    const claude = mockClaude();
    // Scaled down from "20 s a call against a 10-minute budget" so the test runs in seconds.
    await claude.script(
      ...Array.from({ length: 10 }, () => ({
        ...answer({
          intent: 'reset_password',
          suggested_reply: 'Choose "Forgot password?" on the sign-in page.',
          confidence_score: 0.95,
          escalate: false,
          escalation_reason: null,
          doc_sources: ['reset-password#0'],
          language: 'en',
        }),
        delayMs: 1500,
      })),
    );
    const base = buildDeps({ ...env, ANTHROPIC_API_KEY: 'test-anthropic-key', ANTHROPIC_BASE_URL: claude.baseURL });
    expect(base.responder.name).toBe('claude');
    const deps = buildDeps({ ...env, ANTHROPIC_API_KEY: 'test-anthropic-key', ANTHROPIC_BASE_URL: claude.baseURL }, {
      config: { ...base.config, QUEUE_CONCURRENCY: 4, TICKET_DEADLINE_SECONDS: 2, BATCH_BUDGET_SECONDS: 3 },
    });
    const tickets = [];
    for (let i = 0; i < 10; i++) tickets.push(await stored(deps));

    const fates: Fate[] = tickets.map(() => ({ acked: false, retried: null }));
    const messages = tickets.map((t, i) => ({
      id: newId('qm'),
      timestamp: new Date(),
      body: { ticketId: t.id },
      attempts: 1,
      ack: () => void (fates[i]!.acked = true),
      retry: (options: { delaySeconds?: number } = {}) => void (fates[i]!.retried = options),
    }));
    const started = Date.now();
    await consume({ queue: QUEUE_NAMES.tickets, messages, ackAll() {}, retryAll() {} } as unknown as MessageBatch<unknown>, deps);
    const elapsedMs = Date.now() - started;

    expect(elapsedMs).toBeLessThan(3000 + 500);
    // Every message is settled one way: acked (decided), or retried.
    expect(fates.every((f) => f.acked !== (f.retried !== null))).toBe(true);
    const acked = fates.filter((f) => f.acked).length;
    const cut = fates.filter((f) => f.retried?.delaySeconds === deps.config.LEASE_SECONDS).length;
    const notStarted = fates.filter((f) => f.retried?.delaySeconds === 0).length;
    expect(acked).toBeGreaterThanOrEqual(1);
    expect(notStarted).toBeGreaterThanOrEqual(1);
    expect(acked + cut + notStarted).toBe(10);
    // No more than 4 model calls were ever in flight: at most 4 + 4 requests reached the mock in 3 s.
    expect((await claude.requests()).length).toBeLessThanOrEqual(8);
    for (const [i, fate] of fates.entries()) {
      const row = (await findTicket(deps.db, tickets[i]!.id))!;
      if (fate.acked) expect(row.status).toBe('done');
      // A message retried without being started left its ticket untouched for the next delivery.
      if (fate.retried?.delaySeconds === 0) expect(row).toMatchObject({ status: 'received', attempts: 0 });
    }
    console.log(`slow batch: ${acked} decided, ${cut} cut at the deadline, ${notStarted} retried unstarted, in ${elapsedMs} ms`);
  });
});

describe('the sweep', () => {
  it('pages through every stuck ticket, oldest first', async () => {
    const now = Date.now();
    const deps = buildDeps(env);
    const ids: string[] = [];
    // 150 tickets that never reached the consumer, the newest stored first.
    for (let i = 150; i > 0; i--) ids.push((await stored(deps, now - i * 1000)).id);
    const sent: string[] = [];
    const recording = { sendBatch: async (batch: { body: { ticketId: string } }[]) => void sent.push(...batch.map((m) => m.body.ticketId)) } as unknown as Queue;
    const later = buildDeps(env, { queues: { tickets: recording, outbox: recording } });
    const swept = await sweepTickets(later, now + deps.config.SWEEP_AFTER_SECONDS * 1000);
    expect(swept).toBeGreaterThanOrEqual(150);
    expect(sent.filter((id) => ids.includes(id))).toEqual(ids);
  });
});
