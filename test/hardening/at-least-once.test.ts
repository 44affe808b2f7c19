// Nothing accepted is lost and nothing is done twice: crashes at every stage,
// repeated and concurrent queue deliveries, the cron sweep and the dead letters.
import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import worker from '../../src/index';
import { buildDeps, type Deps } from '../../src/deps';
import { storeDraft } from '../../src/pipeline';
import { processTicket } from '../../src/pipeline';
import { QUEUE_NAMES } from '../../src/queues';
import { sweep } from '../../src/pipeline/sweep';
import type { TicketDraft } from '../../src/ticket';
import { getTicket, loadCorpus, postTicket, request, waitForTicket } from '../helpers';
import { webhookSample } from '../ingest/samples';

beforeAll(async () => {
  await loadCorpus();
});

let counter = 0;
function draft(text = 'I forgot my password. How do I reset it?'): TicketDraft {
  counter += 1;
  return {
    source: 'api',
    messageId: `hardening-${counter}-${crypto.randomUUID()}@example.com`,
    inReplyTo: null,
    references: [],
    from: { address: `customer${counter}@example.com`, name: 'Ada' },
    to: null,
    subject: 'Password',
    text,
    headers: {},
    attachments: [],
    raw: null,
    guardReason: null,
  };
}

/** Deps whose clock runs `aheadMs` in the future: leases have expired, stuck tickets are due. */
function depsAhead(aheadMs: number): Deps {
  return buildDeps(env, { clock: { now: () => Date.now() + aheadMs } });
}

const LEASE_MS = 300_000;

async function runQueue(queue: string, bodies: unknown[]) {
  const batch = createMessageBatch(
    queue,
    bodies.map((body, i) => ({ id: `m${i}`, timestamp: new Date(), attempts: 1, body })),
  );
  const ctx = createExecutionContext();
  await (worker.queue as ExportedHandlerQueueHandler<Env>)(batch, env, ctx);
  return getQueueResult(batch, ctx);
}

describe('a crash at any stage loses nothing and sends nothing twice', () => {
  it.each(['retrieve', 'respond', 'decide', 'act'] as const)('crash after %s: the sweep finishes the ticket once', async (stage) => {
    const deps = buildDeps(env);
    const { ticket } = await storeDraft(draft(), deps);
    const crash = (at: string) => {
      if (at === stage) throw new Error(`simulated crash after ${stage}`);
    };
    await expect(processTicket(ticket.id, deps, { failAfter: crash })).rejects.toThrow(`simulated crash after ${stage}`);
    const crashed = await getTicket(ticket.id);
    expect(crashed.ticket.status).toBe('pending');
    expect(crashed.ticket.last_error).toContain(stage);

    // The cron sweep (run as if the lease had long expired) re-enqueues it; the real consumer finishes it.
    const { requeued } = await sweep(depsAhead(LEASE_MS + 1000));
    expect(requeued).toBeGreaterThanOrEqual(1);
    const view = await waitForTicket(ticket.id, (v) => v.ticket.status === 'done' && v.deliveries.every((d) => d.status === 'sent'));
    expect(view.decision!.outcome).toBe('auto_reply');
    expect(view.deliveries).toHaveLength(1);
    expect(view.deliveries[0]).toMatchObject({ kind: 'email_reply', status: 'sent', attempts: 1 });
  });
});

describe('repeated and concurrent deliveries', () => {
  it('a TICKETS message delivered three times in one batch yields one decision and one reply; the repeats come back after the lease', async () => {
    const { ticket } = await storeDraft(draft(), buildDeps(env));
    const result = await runQueue(QUEUE_NAMES.tickets, [{ ticketId: ticket.id }, { ticketId: ticket.id }, { ticketId: ticket.id }]);
    // The batch runs concurrently: one run holds the lease, the two repeats are retried when it ends, never acked away.
    expect(result.explicitAcks).toHaveLength(1);
    expect(result.retryMessages).toHaveLength(2);
    const view = await waitForTicket(ticket.id, (v) => v.deliveries.every((d) => d.status === 'sent') && v.deliveries.length > 0);
    expect(view.ticket.attempts).toBe(1);
    expect(view.deliveries).toHaveLength(1);
    expect(view.deliveries[0]!.attempts).toBe(1);
  });

  it('three concurrent runs of one ticket: one decides, the others step aside', async () => {
    const deps = buildDeps(env);
    const { ticket } = await storeDraft(draft(), deps);
    const results = await Promise.all([processTicket(ticket.id, deps), processTicket(ticket.id, deps), processTicket(ticket.id, deps)]);
    expect(results.filter((r) => r.status === 'done')).toHaveLength(1);
    expect(results.filter((r) => r.status === 'skipped')).toHaveLength(2);
    const view = await waitForTicket(ticket.id, (v) => v.deliveries.length === 1 && v.deliveries[0]!.status === 'sent');
    expect(view.ticket.attempts).toBe(1);
  });

  it('an OUTBOX message delivered three times sends one email', async () => {
    const deps = buildDeps(env);
    const { ticket } = await storeDraft(draft(), deps);
    await processTicket(ticket.id, deps);
    const planned = await waitForTicket(ticket.id, (v) => v.deliveries[0]?.status === 'sent');
    const deliveryId = planned.deliveries[0]!.id as string;
    const result = await runQueue(QUEUE_NAMES.outbox, [{ deliveryId }, { deliveryId }, { deliveryId }]);
    expect(result.explicitAcks).toHaveLength(3);
    const view = await getTicket(ticket.id);
    expect(view.deliveries).toHaveLength(1);
    expect(view.deliveries[0]).toMatchObject({ status: 'sent', attempts: 1 });
  });

  it('a finished ticket is not run again', async () => {
    const deps = buildDeps(env);
    const { ticket } = await storeDraft(draft(), deps);
    expect((await processTicket(ticket.id, deps)).status).toBe('done');
    expect(await processTicket(ticket.id, depsAhead(LEASE_MS * 10))).toEqual({ status: 'skipped', reason: 'not_claimable' });
  });
});

describe('concurrent deliveries of one message', () => {
  it('three concurrent Postmark deliveries of one payload store one ticket with one decision', async () => {
    const deliver = () =>
      request('/webhooks/postmark?token=test-postmark-token', {
        method: 'POST',
        token: null,
        headers: { 'content-type': 'application/json' },
        body: webhookSample('postmark/inbound-capture-2013-valid.json'),
      });
    const responses = await Promise.all([deliver(), deliver(), deliver()]);
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200]);
    const bodies = (await Promise.all(responses.map((r) => r.json()))) as { ticket_id: string; duplicate: boolean }[];
    expect(new Set(bodies.map((b) => b.ticket_id)).size).toBe(1);
    expect(bodies.filter((b) => !b.duplicate)).toHaveLength(1);
    const view = await waitForTicket(bodies[0]!.ticket_id);
    expect(view.decision).not.toBeNull();
  });

  it('three concurrent API posts with one message_id: one 202, two 200 naming the same ticket', async () => {
    const body = { from: 'race@example.com', subject: 'Race', text: 'How do I reset my password?', message_id: 'race@example.com' };
    const responses = await Promise.all([postTicket(body), postTicket(body), postTicket(body)]);
    expect(responses.map((r) => r.status).sort()).toEqual([200, 200, 202]);
    const ids = new Set(((await Promise.all(responses.map((r) => r.json()))) as { ticket_id: string }[]).map((b) => b.ticket_id));
    expect(ids.size).toBe(1);
    const view = await waitForTicket([...ids][0]!);
    expect(view.ticket.attempts).toBe(1);
  });
});

describe('dead letters are visible', () => {
  it('a ticket the queue gave up on is marked failed with its last error', async () => {
    const deps = buildDeps(env);
    const { ticket } = await storeDraft(draft(), deps);
    await expect(processTicket(ticket.id, deps, { failAfter: () => { throw new Error('model down'); } })).rejects.toThrow();
    await runQueue(QUEUE_NAMES.ticketsDead, [{ ticketId: ticket.id }]);
    const view = await getTicket(ticket.id);
    expect(view.ticket.status).toBe('failed');
    expect(view.ticket.last_error).toContain('model down');
  });

  it('a failed ticket is left for a person, not swept again', async () => {
    // Every other ticket in this file is finished; the failed one must not be re-enqueued.
    expect(await sweep(depsAhead(LEASE_MS * 100))).toMatchObject({ requeued: 0 });
  });
});
