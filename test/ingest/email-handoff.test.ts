// Email Routing hand-off: a ticket deflect does not answer is forwarded inline with
// message.forward() and X-Deflect-* headers (the helpdesk threads it as the customer's
// own mail); a refused forward falls back to a hand-off email through the OUTBOX.
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { deliver } from '../../src/pipeline/deliver';
import { listDeliveries } from '../../src/db/deliveries';
import { buildDeps, type Deps } from '../../src/deps';
import { receiveEmail } from '../../src/pipeline';
import { loadCorpus } from '../helpers';
import { emailMessage } from './samples';

const HANDOFF_ADDRESS = 'support@tallybook.freshdesk.test';

beforeAll(async () => {
  await loadCorpus();
});

function handoffDeps(): Deps & { outboxSent: { deliveryId: string }[] } {
  const base = buildDeps(env);
  const outboxSent: { deliveryId: string }[] = [];
  const outbox = { send: async (body: { deliveryId: string }) => void outboxSent.push(body) } as unknown as Queue;
  const deps = buildDeps(env, {
    config: { ...base.config, HANDOFF_ADDRESS, PUBLIC_URL: 'https://deflect.tallybook.test' },
    notifier: null,
    queues: { tickets: base.queues.tickets, outbox },
  });
  return Object.assign(deps, { outboxSent });
}

function mail(messageId: string, subject: string, text: string): Uint8Array {
  return new TextEncoder().encode(
    [
      'From: Ada Lovelace <ada@example.com>',
      'To: support@tallybook.example',
      `Subject: ${subject}`,
      'Date: Wed, 25 Nov 2026 10:00:00 +0000',
      `Message-ID: <${messageId}>`,
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      '',
      text,
      '',
    ].join('\r\n'),
  );
}

const REFUND = 'I was charged twice for my annual plan this month. Please refund one of the two charges.';

describe('email() hands off what it does not answer', () => {
  it('forwards an escalated mail once, inline, with exactly the X-Deflect-* headers, however often it is redelivered', async () => {
    const deps = handoffDeps();
    const bytes = mail('handoff-forward@example.com', 'Charged twice', REFUND);
    const messages = [0, 1, 2].map(() => emailMessage(bytes, { from: 'ada@example.com' }));
    let ticketId = '';
    for (const message of messages) ticketId = (await receiveEmail(message, deps)).ticket.id;
    expect(messages.map((m) => m.forwards.length)).toEqual([1, 0, 0]);
    const [forward] = messages[0]!.forwards;
    expect(forward!.to).toBe(HANDOFF_ADDRESS);
    const decision = await deps.db.query.decisions.findFirst({ where: (d, { eq }) => eq(d.ticketId, ticketId) });
    expect(decision!.outcome).toBe('escalate');
    expect(forward!.headers).toEqual({
      'x-deflect-decision': 'escalate',
      'x-deflect-request-type': decision!.requestType ?? 'unknown',
      'x-deflect-confidence': decision!.confidence === null ? 'none' : decision!.confidence.toFixed(2),
      'x-deflect-ticket': `https://deflect.tallybook.test/console/tickets/${ticketId}`,
    });
    const handoff = (await listDeliveries(deps.db, ticketId)).find((d) => d.kind === 'handoff');
    expect(handoff).toMatchObject({ status: 'sent', attempts: 1 });
    expect(JSON.parse(handoff!.payload!)).toMatchObject({ via: 'forward', to: HANDOFF_ADDRESS, headers: { 'X-Deflect-Decision': 'escalate' } });
    expect(deps.outboxSent.map((m) => m.deliveryId)).not.toContain(handoff!.id);
  });

  it('a refused forward (destination not verified) leaves the hand-off to the OUTBOX, which mails it with the same headers', async () => {
    const deps = handoffDeps();
    const message = emailMessage(mail('handoff-refused@example.com', 'Charged twice', REFUND), { from: 'ada@example.com' }, { forwardFails: true });
    const { ticket } = await receiveEmail(message, deps);
    expect(message.forwards).toEqual([]);
    const queued = (await listDeliveries(deps.db, ticket.id)).find((d) => d.kind === 'handoff')!;
    expect(queued).toMatchObject({ status: 'queued', lastError: expect.stringContaining('not verified') });
    expect(deps.outboxSent).toContainEqual({ deliveryId: queued.id });
    expect(await deliver(queued.id, deps)).toBe(true);
    const sent = (await listDeliveries(deps.db, ticket.id)).find((d) => d.kind === 'handoff')!;
    expect(sent.status).toBe('sent');
    expect(sent.payload).toContain(`To: <${HANDOFF_ADDRESS}>`);
    expect(sent.payload).toMatch(/Reply-To: .*<ada@example\.com>/);
    expect(sent.payload).toContain('X-Deflect-Decision: escalate');
    expect(sent.payload).toContain(`X-Deflect-Ticket: https://deflect.tallybook.test/console/tickets/${ticket.id}`);
  });

  it('an auto-replied mail is answered, not forwarded', async () => {
    const deps = handoffDeps();
    const message = emailMessage(mail('handoff-none@example.com', 'Password', 'I forgot my password. How do I reset it?'), { from: 'ada@example.com' });
    const { ticket } = await receiveEmail(message, deps);
    expect(message.replies).toHaveLength(1);
    expect(message.forwards).toEqual([]);
    expect((await listDeliveries(deps.db, ticket.id)).map((d) => d.kind)).toEqual(['email_reply']);
  });
});
