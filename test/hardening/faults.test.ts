// Faults in the platform: D1 failing, the queue refusing a send. The answer is
// always "retry later" or "stored and picked up later", never a lost ticket.
import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it, vi } from 'vitest';
import { app } from '../../src/app';
import { buildDeps } from '../../src/deps';
import worker from '../../src/index';
import { QUEUE_NAMES } from '../../src/queues';
import { sweep } from '../../src/pipeline/sweep';
import { getTicket, waitForTicket } from '../helpers';

/** A D1Database whose every statement fails the way D1 does when it is unavailable. */
function unavailableD1(): D1Database {
  const fail = async () => {
    throw new Error('D1_ERROR: Network connection lost.');
  };
  const statement = { bind: () => statement, first: fail, run: fail, all: fail, raw: fail };
  return {
    prepare: () => statement as unknown as D1PreparedStatement,
    batch: fail,
    exec: fail,
    dump: fail,
    withSession: () => {
      throw new Error('D1_ERROR: Network connection lost.');
    },
  } as unknown as D1Database;
}

/** A Queue whose sends are refused, as when the queue is unavailable. */
function refusingQueue(): Queue {
  const refuse = async () => {
    throw new Error('Queue send failed: service unavailable');
  };
  return { send: refuse, sendBatch: refuse, metrics: refuse } as unknown as Queue;
}

const ticketRequest = (messageId: string) =>
  new Request('https://deflect.test/api/tickets', {
    method: 'POST',
    headers: { authorization: 'Bearer test-api-token', 'content-type': 'application/json' },
    body: JSON.stringify({ from: 'ada@example.com', subject: 'Password', text: 'How do I reset my password?', message_id: messageId }),
  });

describe('platform faults', () => {
  it('D1 unavailable at ingest: 503 storage_unavailable with Retry-After, so the sender retries', async () => {
    const logged = vi.spyOn(console, 'error');
    const response = await app.fetch(ticketRequest('d1-down@example.com'), { ...env, DB: unavailableD1() });
    // The failure is logged with the database's reason, never the query's parameters (customer data).
    const line = String(logged.mock.calls.at(-1)?.[0]);
    logged.mockRestore();
    expect(line).toContain('D1_ERROR: Network connection lost.');
    expect(line).not.toContain('How do I reset my password?');
    expect(line).not.toContain('ada@example.com');
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('30');
    expect(await response.json()).toMatchObject({ error: { code: 'storage_unavailable' } });
  });

  it('D1 unavailable in the consumer: the message is retried, not acked', async () => {
    const batch = createMessageBatch(QUEUE_NAMES.tickets, [{ id: 'm1', timestamp: new Date(), attempts: 1, body: { ticketId: 'tkt_any' } }]);
    const ctx = createExecutionContext();
    await (worker.queue as ExportedHandlerQueueHandler<Env>)(batch, { ...env, DB: unavailableD1() }, ctx);
    const result = await getQueueResult(batch, ctx);
    expect(result.explicitAcks).toEqual([]);
    expect(result.retryMessages).toMatchObject([{ msgId: 'm1' }]);
  });

  it('queue send refused at ingest: the ticket is stored (202) and the sweep enqueues it later', async () => {
    const response = await app.fetch(ticketRequest('queue-down@example.com'), { ...env, TICKETS: refusingQueue() });
    expect(response.status).toBe(202);
    const { ticket_id } = (await response.json()) as { ticket_id: string };
    expect((await getTicket(ticket_id)).ticket.status).toBe('received');
    // Not yet: it may still be on its way to the consumer.
    expect(await sweep(buildDeps(env, { clock: { now: () => Date.now() + 60_000 } }))).toMatchObject({ requeued: 0 });
    // Past SWEEP_AFTER_SECONDS (120) the cron sweep enqueues it again.
    const { requeued } = await sweep(buildDeps(env, { clock: { now: () => Date.now() + 121_000 } }));
    expect(requeued).toBe(1);
    const view = await waitForTicket(ticket_id);
    expect(view.decision).not.toBeNull();
  });
});
