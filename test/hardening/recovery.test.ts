// Issue 15: nothing accepted is lost, replies included. Stuck deliveries are swept,
// a send in flight is retried (never acked away), no reply is recorded as sent without
// a mailer, a poison ticket fails visibly after its attempts, and concurrent tickets
// of one thread or one sender pass the send-time rules once.
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { planActions } from '../../src/pipeline/act';
import { ReplyMailer } from '../../src/act/reply-mailer';
import { findDecision, recordDecision } from '../../src/db/decisions';
import { claimDeliveryRun, findDelivery, listDeliveries, planDelivery } from '../../src/db/deliveries';
import { claimTicket, findTicket, storeTicket, type TicketRow } from '../../src/db/tickets';
import { buildDeps, type Deps } from '../../src/deps';
import { app } from '../../src/app';
import { processTicket } from '../../src/pipeline';
import { consume, QUEUE_NAMES } from '../../src/queues';
import { sweepDeliveries } from '../../src/pipeline/sweep';
import { newId } from '../../src/ticket';
import { ConsoleUser } from '../routes/console/client';
import { loadCorpus, waitForTicket } from '../helpers';

beforeAll(async () => {
  await loadCorpus();
});

/** A Queue that records what is sent instead of delivering it, so a test drives the consumer itself. */
function recordingQueue() {
  const bodies: unknown[] = [];
  const queue = {
    send: async (body: unknown) => void bodies.push(body),
    sendBatch: async (messages: { body: unknown }[]) => void bodies.push(...messages.map((m) => m.body)),
  } as unknown as Queue;
  return { queue, bodies };
}

type Delivered = { acked: boolean; retried: { delaySeconds?: number } | null };

/** One queue delivery of these bodies, as the Queues runtime makes it; returns each message's fate. */
async function deliverBatch(queue: string, bodies: unknown[], deps: Deps): Promise<Delivered[]> {
  const outcomes: Delivered[] = bodies.map(() => ({ acked: false, retried: null }));
  const messages = bodies.map((body, i) => ({
    id: newId('qm'),
    timestamp: new Date(),
    body,
    attempts: 1,
    ack: () => void (outcomes[i]!.acked = true),
    retry: (options: { delaySeconds?: number } = {}) => void (outcomes[i]!.retried = options),
  }));
  await consume({ queue, messages, ackAll() {}, retryAll() {} } as unknown as MessageBatch<unknown>, deps);
  return outcomes;
}

async function storedTicket(deps: Deps, options: { source?: 'api' | 'email'; from?: string; threadOf?: TicketRow; text?: string; authenticated?: boolean } = {}): Promise<TicketRow> {
  const messageId = `${newId('msg')}@example.com`;
  const { ticket } = await storeTicket(
    deps.db,
    {
      source: options.source ?? 'api',
      messageId,
      inReplyTo: options.threadOf?.messageId ?? null,
      references: options.threadOf ? [options.threadOf.messageId] : [],
      from: { address: options.from ?? `${newId('customer')}@example.com`, name: 'Ada' },
      to: 'support@tallybook.example',
      subject: 'Password',
      text: options.text ?? 'I forgot my password. How do I reset it?',
      headers: {},
      attachments: [],
      raw: null,
      guardReason: null,
      senderAuthenticated: options.authenticated ?? null,
    },
    { now: deps.clock.now(), threadId: options.threadOf?.threadId ?? messageId, maxRawBytes: 1000 },
  );
  return ticket;
}

async function decided(deps: Deps, ticket: TicketRow, outcome: 'auto_reply' | 'escalate') {
  return recordDecision(deps.db, {
    id: newId('dec'),
    ticketId: ticket.id,
    outcome,
    reasons: [outcome === 'escalate' ? 'sensitive:billing_dispute' : 'confident_grounded'],
    thresholds: { autoReply: 0.72, review: 0.45 },
    suggestedReply: 'Choose "Forgot password?" on the sign-in page.',
    decidedAt: deps.clock.now(),
  });
}

const MINUTE = 60_000;

describe('deliveries are recovered', () => {
  it('a queued delivery whose OUTBOX message was lost is swept and sent by the real consumer', async () => {
    const deps = buildDeps(env);
    const ticket = await storedTicket(deps);
    await decided(deps, ticket, 'auto_reply');
    // Planned, but its OUTBOX message never left (a crash between the row and the send).
    const { delivery } = await planDelivery(deps.db, ticket.id, 'email_reply', deps.clock.now());
    const later = buildDeps(env, { clock: { now: () => Date.now() + deps.config.DELIVERY_SWEEP_AFTER_SECONDS * 1000 + MINUTE } });
    expect(await sweepDeliveries(later, later.clock.now())).toBeGreaterThanOrEqual(1);
    await waitForTicket(ticket.id, (v) => v.deliveries[0]?.status === 'sent');
    expect(await findDelivery(deps.db, delivery.id)).toMatchObject({ status: 'sent', attempts: 1 });
  });

  it('a send that crashed mid-way is swept after the stale window and sent once more', async () => {
    const deps = buildDeps(env);
    const ticket = await storedTicket(deps);
    await decided(deps, ticket, 'auto_reply');
    const { delivery } = await planDelivery(deps.db, ticket.id, 'email_reply', deps.clock.now());
    const staleMs = deps.config.SEND_STALE_SECONDS * 1000;
    // The crashed attempt claimed it longer ago than the stale window and never came back.
    const crashedAt = Date.now() - staleMs - MINUTE;
    expect(await claimDeliveryRun(deps.db, delivery.id, crashedAt, staleMs, { senderDailyCap: 5, since: 0 })).toBeDefined();
    // Inside the stale window the sweep leaves an in-flight send alone.
    expect(await sweepDeliveries(deps, crashedAt + MINUTE)).toBe(0);
    expect(await sweepDeliveries(deps, Date.now())).toBeGreaterThanOrEqual(1);
    await waitForTicket(ticket.id, (v) => v.deliveries[0]?.status === 'sent');
    expect(await findDelivery(deps.db, delivery.id)).toMatchObject({ status: 'sent', attempts: 2 });
  });

  it('a redelivery while another send holds the claim is retried after the remaining stale time, not acked', async () => {
    const deps = buildDeps(env);
    const ticket = await storedTicket(deps);
    await decided(deps, ticket, 'auto_reply');
    const { delivery } = await planDelivery(deps.db, ticket.id, 'email_reply', deps.clock.now());
    await claimDeliveryRun(deps.db, delivery.id, deps.clock.now(), deps.config.SEND_STALE_SECONDS * 1000, { senderDailyCap: 5, since: 0 });
    const [outcome] = await deliverBatch(QUEUE_NAMES.outbox, [{ deliveryId: delivery.id }], deps);
    expect(outcome!.acked).toBe(false);
    expect(outcome!.retried!.delaySeconds).toBeGreaterThan(deps.config.SEND_STALE_SECONDS - 10);
    expect(outcome!.retried!.delaySeconds).toBeLessThanOrEqual(deps.config.SEND_STALE_SECONDS);
    expect(await findDelivery(deps.db, delivery.id)).toMatchObject({ status: 'sending', attempts: 1 });
  });

  it('the Health page lists a stuck delivery with its age', async () => {
    const deps = buildDeps(env, { clock: { now: () => Date.now() - 20 * MINUTE } });
    const ticket = await storedTicket(deps);
    await decided(deps, ticket, 'auto_reply');
    const { delivery } = await planDelivery(deps.db, ticket.id, 'email_reply', deps.clock.now());
    const html = await (await ConsoleUser.login()).page('/console/health');
    const table = html.slice(html.indexOf('id="stuck-deliveries"'), html.indexOf('Stuck tickets'));
    expect(table).toContain(ticket.id);
    expect(table).toContain('email_reply queued');
    expect(table).toContain('stuck for 20m');
    expect(delivery.status).toBe('queued');
  });
});

describe('no reply is recorded as sent without a mailer', () => {
  const autoEnv = () => ({ ...env, MAILER: 'auto' }) as Env;

  it('MAILER=auto with no provider: an email ticket that misses its inline reply is failed no_mailer_configured, and Slack gets it', async () => {
    const outbox = recordingQueue();
    const deps = buildDeps(autoEnv(), { queues: { tickets: recordingQueue().queue, outbox: outbox.queue } });
    expect(deps.mailer.name).toBe('none');
    // An authenticated sender (so no backscatter rule applies) whose inline reply Email Routing refuses: the outbox must send it.
    const ticket = await storedTicket(deps, { source: 'email', authenticated: true });
    const refusing = new ReplyMailer({
      from: ticket.fromAddress,
      to: 'support@tallybook.example',
      reply: async () => {
        throw new Error('reply() refused: not the envelope sender');
      },
    });
    const result = await processTicket(ticket.id, deps, { inlineMailer: refusing });
    expect(result.status).toBe('done');
    expect(result.status === 'done' && result.decision.outcome).toBe('auto_reply');
    await deliverBatch(QUEUE_NAMES.outbox, [...outbox.bodies], deps);
    const deliveries = await listDeliveries(deps.db, ticket.id);
    const reply = deliveries.find((d) => d.kind === 'email_reply')!;
    expect(reply.status).toBe('failed');
    expect(reply.lastError).toMatch(/^no_mailer_configured: /);
    expect(reply.sentAt).toBeNull();
    // The person hears of it: a Slack escalation is planned for the ticket.
    expect(deliveries.find((d) => d.kind === 'slack')?.status).toBe('queued');
  });

  it('/health reports the missing mailer as a problem', async () => {
    const response = await app.fetch(new Request('https://deflect.test/health'), autoEnv());
    const body = (await response.json()) as { status: string; ports: { mailer: { implementation: string; mode: string } }; problems: { code: string }[] };
    expect(body.status).toBe('degraded');
    expect(body.ports.mailer).toEqual({ implementation: 'none', mode: 'unconfigured' });
    expect(body.problems.map((p) => p.code)).toContain('no_mailer_configured');
  });

  it('MAILER=log is the explicit local choice, reported as local', async () => {
    const body = (await (await app.fetch(new Request('https://deflect.test/health'), env)).json()) as { ports: { mailer: unknown } };
    expect(body.ports.mailer).toEqual({ implementation: 'log', mode: 'local' });
  });
});

describe('ticket retries are bounded', () => {
  it('a redelivery during the lease is retried after the remaining lease time', async () => {
    const deps = buildDeps(env);
    const ticket = await storedTicket(deps);
    await claimTicket(deps.db, ticket.id, deps.clock.now(), deps.config.LEASE_SECONDS * 1000);
    const [outcome] = await deliverBatch(QUEUE_NAMES.tickets, [{ ticketId: ticket.id }], deps);
    expect(outcome!.acked).toBe(false);
    expect(outcome!.retried!.delaySeconds).toBeGreaterThan(deps.config.LEASE_SECONDS - 10);
    expect(outcome!.retried!.delaySeconds).toBeLessThanOrEqual(deps.config.LEASE_SECONDS + 1);
  });

  it('a poison ticket (its run always throws) is failed after TICKET_MAX_ATTEMPTS, escalated, and shown in Health', async () => {
    const deps = buildDeps(env, { queues: { tickets: recordingQueue().queue, outbox: recordingQueue().queue } });
    const ticket = await storedTicket(deps);
    const poison = () => {
      throw new Error('poison: the responder crashes on this ticket');
    };
    const max = deps.config.TICKET_MAX_ATTEMPTS;
    for (let attempt = 1; attempt < max; attempt++) {
      await expect(processTicket(ticket.id, deps, { failAfter: poison })).rejects.toThrow('poison');
    }
    const last = await processTicket(ticket.id, deps, { failAfter: poison });
    expect(last.status).toBe('failed');
    const row = (await findTicket(deps.db, ticket.id))!;
    expect(row).toMatchObject({ status: 'failed', attempts: max });
    expect(row.lastError).toBe(`gave up after ${max} attempts: poison: the responder crashes on this ticket`);
    // It is not run again by a later delivery or the sweep…
    expect(await processTicket(ticket.id, deps)).toEqual({ status: 'skipped', reason: 'not_claimable' });
    // …and a person has it: an escalation in Slack, and the Health page's failed tickets.
    expect((await listDeliveries(deps.db, ticket.id)).map((d) => d.kind)).toContain('slack');
    const html = await (await ConsoleUser.login()).page('/console/health');
    const failed = html.slice(html.indexOf('id="failed-tickets"'));
    expect(failed).toContain(ticket.id);
    expect(failed).toContain(`gave up after ${max} attempts`);
  });

  it('a ticket whose runs were killed before they could record anything is failed at the next claim past the limit', async () => {
    const deps = buildDeps(env, { queues: { tickets: recordingQueue().queue, outbox: recordingQueue().queue } });
    const ticket = await storedTicket(deps);
    const lease = deps.config.LEASE_SECONDS * 1000;
    // Each killed run leaves only its claim behind; the next one comes after the lease.
    for (let run = 0; run < deps.config.TICKET_MAX_ATTEMPTS; run++) await claimTicket(deps.db, ticket.id, Date.now() + run * (lease + 1), lease);
    const after = buildDeps(env, { clock: { now: () => Date.now() + deps.config.TICKET_MAX_ATTEMPTS * (lease + 1) }, queues: deps.queues });
    const result = await processTicket(ticket.id, after);
    expect(result.status).toBe('failed');
    expect(result.status === 'failed' && result.decision.reasons).toEqual(['attempts_exhausted']);
    expect((await findTicket(deps.db, ticket.id))!.lastError).toContain('the run never finished');
  });
});

describe('send-time rules hold under concurrency', () => {
  it('two tickets of one thread decided at once get one acknowledgement', async () => {
    const outbox = recordingQueue();
    const base = buildDeps(env);
    const deps = buildDeps(env, { config: { ...base.config, CUSTOMER_ACK: true }, notifier: null, queues: { tickets: outbox.queue, outbox: outbox.queue } });
    const first = await storedTicket(deps);
    const followUp = await storedTicket(deps, { threadOf: first });
    const [a, b] = await Promise.all([decided(deps, first, 'escalate'), decided(deps, followUp, 'escalate')]);
    await Promise.all([planActions(first, a, deps), planActions(followUp, b, deps)]);
    const acks = [...(await listDeliveries(deps.db, first.id)), ...(await listDeliveries(deps.db, followUp.id))].filter((d) => d.kind === 'customer_ack');
    expect(acks).toHaveLength(1);
    expect(outbox.bodies).toHaveLength(1);
  });

  it.each([
    ['one address', (local: string) => [`${local}@example.com`, `${local}@example.com`]],
    // The cap counts the sender as ingest keys it (case and +tag folded), at send time as at decide time.
    ['one address under +tags and another case', (local: string) => [`${local}+a@example.com`, `${local.toUpperCase()}+b@Example.com`]],
  ])('two auto-replies to one sender (%s) sent at once with SENDER_DAILY_CAP=1: one is sent, the other skipped and handed off', async (_name, addresses) => {
    const outbox = recordingQueue();
    const base = buildDeps(env);
    const deps = buildDeps(env, { config: { ...base.config, SENDER_DAILY_CAP: 1 }, queues: { tickets: outbox.queue, outbox: outbox.queue } });
    const [a, b] = addresses(newId('flood'));
    const tickets = [await storedTicket(deps, { from: a }), await storedTicket(deps, { from: b })];
    const planned = [];
    for (const ticket of tickets) {
      await decided(deps, ticket, 'auto_reply');
      planned.push((await planDelivery(deps.db, ticket.id, 'email_reply', deps.clock.now())).delivery);
    }
    const outcomes = await deliverBatch(QUEUE_NAMES.outbox, planned.map((d) => ({ deliveryId: d.id })), deps);
    expect(outcomes.every((o) => o.acked)).toBe(true);
    const rows = await Promise.all(planned.map((d) => findDelivery(deps.db, d.id)));
    expect(rows.map((r) => r!.status).sort()).toEqual(['sent', 'skipped']);
    const skipped = rows.find((r) => r!.status === 'skipped')!;
    expect(skipped.lastError).toBe('sender_daily_cap');
    // Not an auto-reply after all: the decision goes to a person's queue with the reason.
    expect(await findDecision(deps.db, skipped.ticketId)).toMatchObject({ outcome: 'escalate', reasons: expect.arrayContaining(['sender_daily_cap']) });
    expect(outbox.bodies).toHaveLength(1);
  });

  it('an auto-reply to a thread a person took over is skipped at send time', async () => {
    const deps = buildDeps(env, { queues: { tickets: recordingQueue().queue, outbox: recordingQueue().queue } });
    const ticket = await storedTicket(deps);
    await decided(deps, ticket, 'auto_reply');
    const { delivery } = await planDelivery(deps.db, ticket.id, 'email_reply', deps.clock.now());
    const { setTicketOwner } = await import('../../src/db/tickets');
    await setTicketOwner(deps.db, ticket.id, 'console:Grace', deps.clock.now());
    await deliverBatch(QUEUE_NAMES.outbox, [{ deliveryId: delivery.id }], deps);
    expect(await findDelivery(deps.db, delivery.id)).toMatchObject({ status: 'skipped', lastError: 'thread_owned', sentAt: null });
  });
});
