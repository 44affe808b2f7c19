// OUTBOX delivery with the consumer driven directly: each call is one queue
// delivery of one message, so repeats, retries and timeouts are exact. Email goes
// to the local MailChannels server (test/doubles/provider-server.mjs) over real fetch.
import { describe, expect, it } from 'vitest';
import { retryAfterSeconds } from '../../src/act/http';
import { OutboundError } from '../../src/errors';
import { MailChannelsMailer } from '../../src/act/mailchannels-mailer';
import { planActions } from '../../src/pipeline/act';
import { SendEmailMailer } from '../../src/act/send-email-mailer';
import { findDecision, recordDecision } from '../../src/db/decisions';
import { findDelivery, listDeliveries, planDelivery } from '../../src/db/deliveries';
import { storeTicket, type TicketRow } from '../../src/db/tickets';
import { buildDeps, type Deps } from '../../src/deps';
import { consume, retryDelaySeconds } from '../../src/queues';
import { newId } from '../../src/ticket';
import { env } from '../helpers';
import { deliverOnce, providerRequests, scriptProvider } from './helpers';

function depsWith(overrides: { config?: Partial<Deps['config']>; deps?: Partial<Deps> } = {}): Deps {
  const base = buildDeps(env);
  const config = { ...base.config, OUTBOX_RETRY_BASE_SECONDS: 5, ...overrides.config };
  return buildDeps(env, { config, mailer: new MailChannelsMailer('test-mailchannels-key', base.fetch, config.OUTBOUND_TIMEOUT_MS), ...overrides.deps });
}

async function decidedTicket(deps: Deps, options: { outcome?: 'auto_reply' | 'escalate'; threadOf?: TicketRow } = {}): Promise<TicketRow> {
  const address = `${newId('customer')}@example.com`;
  const messageId = `${newId('msg')}@example.com`;
  const { ticket } = await storeTicket(
    deps.db,
    {
      source: 'api',
      messageId,
      inReplyTo: options.threadOf?.messageId ?? null,
      references: options.threadOf ? [options.threadOf.messageId] : [],
      from: { address, name: 'Zoë' },
      to: null,
      subject: 'Password',
      text: 'How do I reset my password?',
      headers: {},
      attachments: [],
      raw: null,
      guardReason: null,
    },
    { now: deps.clock.now(), threadId: options.threadOf?.threadId ?? messageId, maxRawBytes: 1000 },
  );
  await recordDecision(deps.db, {
    id: newId('dec'),
    ticketId: ticket.id,
    outcome: options.outcome ?? 'auto_reply',
    reasons: [options.outcome === 'escalate' ? 'sensitive:billing_dispute' : 'confident_grounded'],
    thresholds: { autoReply: 0.72, review: 0.45 },
    suggestedReply: 'Go to Settings → Security → Reset password.',
    decidedAt: deps.clock.now(),
  });
  return ticket;
}

describe('MailChannels through the OUTBOX', () => {
  it('retries a 503 with exponential backoff and then sends, once', async () => {
    const deps = depsWith();
    const ticket = await decidedTicket(deps);
    const { delivery } = await planDelivery(deps.db, ticket.id, 'email_reply', deps.clock.now());
    await scriptProvider('api.mailchannels.net', ticket.fromAddress, [{ status: 503, body: 'service unavailable' }]);

    expect(await deliverOnce('deflect-outbox', { deliveryId: delivery.id }, 1, deps)).toEqual({ acked: 0, retried: [{ delaySeconds: 5 }] });
    expect(await findDelivery(deps.db, delivery.id)).toMatchObject({ status: 'queued', attempts: 1, lastError: 'MailChannels answered 503: service unavailable' });

    expect(await deliverOnce('deflect-outbox', { deliveryId: delivery.id }, 2, deps)).toEqual({ acked: 1, retried: [] });
    const sent = (await findDelivery(deps.db, delivery.id))!;
    expect(sent).toMatchObject({ status: 'sent', attempts: 2, lastError: null });
    expect(sent.providerId).toMatch(/^<[0-9a-f-]+@mailchannels\.test>$/);

    const calls = await providerRequests(ticket.fromAddress);
    expect(calls).toHaveLength(2);
    expect(calls[1]!.url).toBe('https://api.mailchannels.net/tx/v1/send');
    expect(calls[1]!.headers['x-api-key']).toBe('test-mailchannels-key');
    expect(JSON.parse(calls[1]!.body)).toEqual({
      personalizations: [{ to: [{ email: ticket.fromAddress, name: 'Zoë' }] }],
      from: { email: 'support@tallybook.example', name: 'Tallybook Support' },
      subject: 'Re: Password',
      content: [
        { type: 'text/plain', value: `Go to Settings → Security → Reset password.\n\n--\n${deps.config.REPLY_FOOTER}` },
        { type: 'text/html', value: `<!doctype html><html><body><p>Go to Settings → Security → Reset password.</p>\n<p>--<br>${deps.config.REPLY_FOOTER}</p></body></html>` },
      ],
      headers: { 'In-Reply-To': `<${ticket.messageId}>`, References: `<${ticket.messageId}>`, 'Auto-Submitted': 'auto-replied' },
    });
    expect(sent.payload).toBe(calls[1]!.body);
  });

  it('sends one email when the same OUTBOX message is delivered 3 times', async () => {
    const deps = depsWith();
    const ticket = await decidedTicket(deps);
    const { delivery } = await planDelivery(deps.db, ticket.id, 'email_reply', deps.clock.now());
    const outcomes = [];
    for (const attempts of [1, 1, 1]) outcomes.push(await deliverOnce('deflect-outbox', { deliveryId: delivery.id }, attempts, deps));
    expect(outcomes.map((o) => o.acked)).toEqual([1, 1, 1]);
    expect(await providerRequests(ticket.fromAddress)).toHaveLength(1);
    expect(await findDelivery(deps.db, delivery.id)).toMatchObject({ status: 'sent', attempts: 1 });
  });

  it('times out a stalled MailChannels call, keeps the delivery queued for the retry, and sends on the next attempt', async () => {
    const deps = depsWith({ config: { OUTBOUND_TIMEOUT_MS: 200 } });
    const ticket = await decidedTicket(deps);
    const { delivery } = await planDelivery(deps.db, ticket.id, 'email_reply', deps.clock.now());
    await scriptProvider('api.mailchannels.net', ticket.fromAddress, [{ status: 200, body: '{}', delayMs: 3000 }]);

    const started = Date.now();
    expect((await deliverOnce('deflect-outbox', { deliveryId: delivery.id }, 1, deps)).retried).toEqual([{ delaySeconds: 5 }]);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(await findDelivery(deps.db, delivery.id)).toMatchObject({ status: 'queued', lastError: 'MailChannels did not answer within 200 ms' });

    expect((await deliverOnce('deflect-outbox', { deliveryId: delivery.id }, 2, deps)).acked).toBe(1);
    expect(await findDelivery(deps.db, delivery.id)).toMatchObject({ status: 'sent', attempts: 2 });
  });

  it('fails a request MailChannels refuses (400) at once and visibly, without retrying', async () => {
    const deps = depsWith();
    const ticket = await decidedTicket(deps);
    const { delivery } = await planDelivery(deps.db, ticket.id, 'email_reply', deps.clock.now());
    await scriptProvider('api.mailchannels.net', ticket.fromAddress, [{ status: 400, body: '{"errors":["invalid from"]}' }]);
    expect(await deliverOnce('deflect-outbox', { deliveryId: delivery.id }, 1, deps)).toEqual({ acked: 1, retried: [] });
    expect(await findDelivery(deps.db, delivery.id)).toMatchObject({ status: 'failed', lastError: 'MailChannels answered 400: {"errors":["invalid from"]}' });
  });

  it('marks a dead-lettered delivery failed with its attempts and last error', async () => {
    const deps = depsWith();
    const ticket = await decidedTicket(deps);
    const { delivery } = await planDelivery(deps.db, ticket.id, 'email_reply', deps.clock.now());
    await scriptProvider('api.mailchannels.net', ticket.fromAddress, [{ status: 502, body: 'bad gateway' }]);
    await deliverOnce('deflect-outbox', { deliveryId: delivery.id }, 1, deps);
    expect(await deliverOnce('deflect-outbox-dlq', { deliveryId: delivery.id }, 1, deps)).toEqual({ acked: 1, retried: [] });
    expect(await findDelivery(deps.db, delivery.id)).toMatchObject({ status: 'failed', lastError: 'dead-lettered after 1 attempts: MailChannels answered 502: bad gateway' });
  });
});

describe('Cloudflare Email Sending', () => {
  it('hands the binding our MIME as an EmailMessage from the support address to the customer', async () => {
    const sent: EmailMessage[] = [];
    const binding = { send: async (message: EmailMessage) => (sent.push(message), { messageId: 'cf-message-id' }) } as unknown as SendEmail;
    const deps = depsWith({ deps: { mailer: new SendEmailMailer(binding, 'tallybook.example', 1000) } });
    const ticket = await decidedTicket(deps);
    const { delivery } = await planDelivery(deps.db, ticket.id, 'email_reply', deps.clock.now());
    await deliverOnce('deflect-outbox', { deliveryId: delivery.id }, 1, deps);
    expect(sent.map((m) => [m.from, m.to])).toEqual([['support@tallybook.example', ticket.fromAddress]]);
    const row = (await findDelivery(deps.db, delivery.id))!;
    expect(row).toMatchObject({ status: 'sent', providerId: 'cf-message-id' });
    expect(row.payload).toContain(`In-Reply-To: <${ticket.messageId}>`);
  });

  it('times out a binding that never answers and leaves the delivery for the retry', async () => {
    const binding = { send: () => new Promise(() => {}) } as unknown as SendEmail;
    const deps = depsWith({ deps: { mailer: new SendEmailMailer(binding, 'tallybook.example', 150) } });
    const ticket = await decidedTicket(deps);
    const { delivery } = await planDelivery(deps.db, ticket.id, 'email_reply', deps.clock.now());
    expect((await deliverOnce('deflect-outbox', { deliveryId: delivery.id }, 3, deps)).retried).toEqual([{ delaySeconds: 20 }]);
    expect(await findDelivery(deps.db, delivery.id)).toMatchObject({ status: 'queued', lastError: 'Email Sending did not answer within 150 ms' });
  });
});

describe('customer acknowledgement', () => {
  it('plans a Slack post and one acknowledgement per thread on escalate when CUSTOMER_ACK is on', async () => {
    const enqueued: unknown[] = [];
    const queue = { send: async (body: unknown) => void enqueued.push(body) } as unknown as Queue;
    const deps = depsWith({ config: { CUSTOMER_ACK: true }, deps: { queues: { tickets: queue, outbox: queue } } });
    const first = await decidedTicket(deps, { outcome: 'escalate' });
    const followUp = await decidedTicket(deps, { outcome: 'escalate', threadOf: first });
    for (const ticket of [first, followUp, first]) await planActions(ticket, (await findDecision(deps.db, ticket.id))!, deps);
    expect((await listDeliveries(deps.db, first.id)).map((d) => d.kind).sort()).toEqual(['customer_ack', 'slack']);
    expect((await listDeliveries(deps.db, followUp.id)).map((d) => d.kind)).toEqual(['slack']);
    // The repeat for `first` creates no rows; it re-enqueues its two still-queued deliveries (claims keep sends single).
    expect(enqueued).toHaveLength(5);
  });
});

describe('retry policy', () => {
  it("waits a provider's Retry-After, else backs off exponentially up to 15 minutes", () => {
    expect(retryDelaySeconds(new OutboundError('429', true, 30), 1, 5)).toBe(30);
    expect([1, 2, 3, 4, 9, 12].map((attempt) => retryDelaySeconds(new OutboundError('500', true), attempt, 5))).toEqual([5, 10, 20, 40, 900, 900]);
    expect(retryDelaySeconds(new OutboundError('429', true, 999_999), 1, 5)).toBe(43_200);
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    expect(retryAfterSeconds('7')).toBe(7);
    expect(retryAfterSeconds('Wed, 21 Oct 2015 07:28:30 GMT', Date.parse('Wed, 21 Oct 2015 07:28:00 GMT'))).toBe(30);
    expect(retryAfterSeconds('soon')).toBeUndefined();
  });
});
