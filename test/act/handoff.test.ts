// Hand-off to the team's helpdesk through the OUTBOX, the consumer driven directly
// (each call is one queue delivery of one message): the hand-off email through the
// configured mailer, the signed webhook to a local receiver, retries, dead letters.
import { describe, expect, it } from 'vitest';
import handoffDoc from '../../docs/HANDOFF.md?raw';
import recipeSource from '../../docs/verify-handoff.ts?raw';
import { verifyDeflectHandoff } from '../../docs/verify-handoff';
import { handoffSignature } from '../../src/act/handoff-message';
import { needsHandoff } from '../../src/act/handoff-rules';
import { OutboundError } from '../../src/errors';
import { planActions } from '../../src/pipeline/act';
import type { Mailer } from '../../src/act/types';
import { deliver } from '../../src/pipeline/deliver';
import { recordDecision } from '../../src/db/decisions';
import { listDeliveries, planDelivery } from '../../src/db/deliveries';
import { storeTicket, type TicketRow } from '../../src/db/tickets';
import { buildDeps, type Deps } from '../../src/deps';
import { QUEUE_NAMES, consume } from '../../src/queues';
import { newId } from '../../src/ticket';
import { env, request } from '../helpers';
import { ConsoleUser } from '../routes/console/client';
import { deliverOnce, providerRequests, scriptProvider } from './helpers';

const HANDOFF_ADDRESS = 'support@tallybook.zendesk.test';
const WEBHOOK_URL = 'https://helpdesk.test/deflect-handoff';
const WEBHOOK_SECRET = 'test-handoff-webhook-secret';

type Sent = { deliveryId: string };

/** Deps with hand-off configured, and an OUTBOX that only records: this test delivers each message itself. */
function handoffDeps(config: Partial<Deps['config']> = {}): Deps & { outboxSent: Sent[] } {
  const base = buildDeps(env);
  const outboxSent: Sent[] = [];
  const outbox = { send: async (body: Sent) => void outboxSent.push(body) } as unknown as Queue;
  const deps = buildDeps(env, {
    config: {
      ...base.config,
      HANDOFF_ADDRESS,
      HANDOFF_WEBHOOK_URL: WEBHOOK_URL,
      PUBLIC_URL: 'https://deflect.tallybook.test',
      OUTBOX_RETRY_BASE_SECONDS: 5,
      secrets: { ...base.config.secrets, HANDOFF_WEBHOOK_SECRET: WEBHOOK_SECRET },
      ...config,
    },
    notifier: null,
    queues: { tickets: base.queues.tickets, outbox },
  });
  return Object.assign(deps, { outboxSent });
}

async function decidedTicket(
  deps: Deps,
  outcome: 'auto_reply' | 'review' | 'escalate' | 'ignore',
  source: TicketRow['source'] = 'api',
  mode: 'shadow' | 'auto' | null = null,
): Promise<TicketRow> {
  const address = `${newId('customer')}@example.com`;
  const messageId = `${newId('msg')}@example.com`;
  const { ticket } = await storeTicket(
    deps.db,
    {
      source,
      messageId,
      inReplyTo: null,
      references: [],
      from: { address, name: 'Zoë Quinn' },
      to: null,
      subject: 'Refund for my annual plan',
      text: 'I was charged twice for the annual plan. Please refund one of the charges.',
      headers: {},
      attachments: [],
      raw: null,
      guardReason: null,
    },
    { now: deps.clock.now(), threadId: messageId, maxRawBytes: 1000 },
  );
  await recordDecision(deps.db, {
    id: newId('dec'),
    ticketId: ticket.id,
    outcome,
    reasons: outcome === 'escalate' ? ['sensitive:refund'] : ['low_confidence'],
    thresholds: { autoReply: 0.92, review: 0.5 },
    requestType: 'refund_request',
    confidence: 0.31,
    suggestedReply: 'Sorry about the double charge; a refund is on its way.',
    mode,
    decidedAt: deps.clock.now(),
  });
  return ticket;
}

async function decisionOf(deps: Deps, ticket: TicketRow) {
  return (await deps.db.query.decisions.findFirst({ where: (d, { eq }) => eq(d.ticketId, ticket.id) }))!;
}

const byKind = async (deps: Deps, ticket: TicketRow) => Object.fromEntries((await listDeliveries(deps.db, ticket.id)).map((d) => [d.kind, d]));

describe('needsHandoff: the one rule the modes feed', () => {
  it('hands off what nobody answered, never ignored mail', () => {
    expect(needsHandoff({ outcome: 'review' }, false)).toBe(true);
    expect(needsHandoff({ outcome: 'escalate' }, false)).toBe(true);
    expect(needsHandoff({ outcome: 'auto_reply' }, true)).toBe(false);
    // shadow/off: decided auto_reply, but nothing went to the customer.
    expect(needsHandoff({ outcome: 'auto_reply' }, false)).toBe(true);
    expect(needsHandoff({ outcome: 'ignore' }, false)).toBe(false);
  });
});

describe('planning a hand-off', () => {
  it('an escalated API ticket gets one hand-off email and one webhook, each queued once however often it is planned', async () => {
    const deps = handoffDeps();
    const ticket = await decidedTicket(deps, 'escalate');
    const decision = await decisionOf(deps, ticket);
    for (let i = 0; i < 3; i++) await planActions(ticket, decision, deps);
    const kinds = await byKind(deps, ticket);
    expect(Object.keys(kinds).sort()).toEqual(['handoff', 'handoff_webhook']);
    // A repeat re-sends the messages of rows still queued (a lost message is not lost); delivering them sends once (below).
    expect([...new Set(deps.outboxSent.map((m) => m.deliveryId))].sort()).toEqual([kinds.handoff!.id, kinds.handoff_webhook!.id].sort());
  });

  it('a would-be auto-reply in shadow sends nothing to the customer and is handed off instead', async () => {
    const deps = handoffDeps();
    const shadowed = await decidedTicket(deps, 'auto_reply', 'api', 'shadow');
    await planActions(shadowed, await decisionOf(deps, shadowed), deps);
    const kinds = await byKind(deps, shadowed);
    expect(kinds.email_reply).toBeUndefined();
    expect(Object.keys(kinds).sort()).toEqual(['handoff', 'handoff_webhook']);
    // The same decision in auto goes out as a reply, with no hand-off.
    const live = await decidedTicket(deps, 'auto_reply', 'api', 'auto');
    await planActions(live, await decisionOf(deps, live), deps);
    expect(Object.keys(await byKind(deps, live))).toEqual(['email_reply']);
  });

  it('an auto-reply, an ignored ticket and an unconfigured deployment are not handed off', async () => {
    const deps = handoffDeps();
    const answered = await decidedTicket(deps, 'auto_reply');
    await planActions(answered, await decisionOf(deps, answered), deps);
    const spam = await decidedTicket(deps, 'ignore');
    await planActions(spam, await decisionOf(deps, spam), deps);
    const unconfigured = handoffDeps({ HANDOFF_ADDRESS: '', HANDOFF_WEBHOOK_URL: '' });
    const review = await decidedTicket(unconfigured, 'review');
    await planActions(review, await decisionOf(unconfigured, review), unconfigured);
    expect((await byKind(deps, answered)).handoff).toBeUndefined();
    expect(await byKind(deps, spam)).toEqual({});
    expect(await byKind(unconfigured, review)).toEqual({});
  });

  it('an auto-reply that fails for good is handed off after all: the customer got nothing', async () => {
    const deps = handoffDeps({ HANDOFF_WEBHOOK_URL: '' });
    const ticket = await decidedTicket(deps, 'auto_reply');
    const { delivery } = await planDelivery(deps.db, ticket.id, 'email_reply', deps.clock.now());
    const refusing: Mailer = { name: 'mailchannels', send: () => Promise.reject(new OutboundError('MailChannels answered 400', false)) };
    expect(await deliver(delivery.id, deps, refusing)).toBe(false);
    const kinds = await byKind(deps, ticket);
    expect(kinds.email_reply).toMatchObject({ status: 'failed' });
    expect(kinds.handoff).toMatchObject({ status: 'queued' });
    expect(deps.outboxSent).toEqual([{ deliveryId: kinds.handoff!.id }]);
  });
});

describe('delivering a hand-off through the OUTBOX', () => {
  it('sends the hand-off email once under triple delivery: to the helpdesk, the customer as Reply-To, the draft marked as a suggestion', async () => {
    const deps = handoffDeps({ HANDOFF_WEBHOOK_URL: '' });
    const ticket = await decidedTicket(deps, 'review');
    await planActions(ticket, await decisionOf(deps, ticket), deps);
    const [message] = deps.outboxSent;
    const results = [];
    for (let attempt = 1; attempt <= 3; attempt++) results.push(await deliverOnce(QUEUE_NAMES.outbox, message, attempt, deps));
    expect(results).toEqual([1, 2, 3].map(() => ({ acked: 1, retried: [] })));
    const { handoff } = await byKind(deps, ticket);
    expect(handoff).toMatchObject({ status: 'sent', attempts: 1 });
    const mime = handoff!.payload!;
    expect(mime).toContain(`\r\nTo: <${HANDOFF_ADDRESS}>`);
    expect(mime).toMatch(new RegExp(`Reply-To: .* <${ticket.fromAddress}>`));
    expect(mime).toContain(`In-Reply-To: <${ticket.messageId}>`);
    expect(mime).toContain('X-Deflect-Decision: review');
    expect(mime).toContain('X-Deflect-Request-Type: refund_request');
    expect(mime).toContain('X-Deflect-Confidence: 0.31');
    expect(mime).toContain(`X-Deflect-Ticket: https://deflect.tallybook.test/console/tickets/${ticket.id}`);
    const text = atob(mime.split('Content-Type: text/plain')[1]!.split(/\r?\n\r?\n/)[1]!.split(/\r?\n--/)[0]!.replace(/\s+/g, ''));
    expect(text).toContain('NOT sent to the customer');
    expect(text).toContain('I was charged twice');
    // The API shows the decoded body beside the MIME, as for the customer's emails.
    const view = await (await request(`/api/tickets/${ticket.id}`)).json<{ deliveries: { kind: string; text: string | null }[] }>();
    expect(view.deliveries.find((d) => d.kind === 'handoff')!.text).toContain('NOT sent to the customer');
  });

  it('posts a signed webhook once under triple delivery, and the documented recipe verifies it', async () => {
    const deps = handoffDeps({ HANDOFF_ADDRESS: '' });
    const ticket = await decidedTicket(deps, 'escalate');
    await planActions(ticket, await decisionOf(deps, ticket), deps);
    const [message] = deps.outboxSent;
    for (let attempt = 1; attempt <= 3; attempt++) await deliverOnce(QUEUE_NAMES.outbox, message, attempt, deps);
    const posted = await providerRequests(ticket.id);
    expect(posted).toHaveLength(1);
    const [webhook] = posted;
    expect(webhook!.url).toBe(WEBHOOK_URL);
    const headers = new Headers(webhook!.headers);
    expect(await verifyDeflectHandoff(webhook!.body, headers, WEBHOOK_SECRET)).toBe(true);
    // The recipe really checks: a changed body, another secret, an old timestamp all fail.
    expect(await verifyDeflectHandoff(webhook!.body.replace('charged twice', 'charged once'), headers, WEBHOOK_SECRET)).toBe(false);
    expect(await verifyDeflectHandoff(webhook!.body, headers, 'another-secret')).toBe(false);
    expect(await verifyDeflectHandoff(webhook!.body, headers, WEBHOOK_SECRET, Number(headers.get('x-deflect-timestamp')) + 301)).toBe(false);
    const payload = JSON.parse(webhook!.body);
    expect(payload).toMatchObject({
      type: 'deflect.handoff',
      ticket: { id: ticket.id, from: ticket.fromAddress, url: `https://deflect.tallybook.test/console/tickets/${ticket.id}` },
      decision: { outcome: 'escalate', request_type: 'refund_request', confidence: 0.31 },
      suggested_reply: 'Sorry about the double charge; a refund is on its way.',
    });
    expect((await byKind(deps, ticket)).handoff_webhook).toMatchObject({ status: 'sent', attempts: 1 });
  });

  it('the recipe in docs/HANDOFF.md is the file the test runs, and it agrees with the signer', async () => {
    expect(handoffDoc).toContain(recipeSource.trim());
    const signature = await handoffSignature('s3cret', '1700000000', '{"a":1}');
    const headers = new Headers({ 'x-deflect-timestamp': '1700000000', 'x-deflect-signature': signature });
    expect(await verifyDeflectHandoff('{"a":1}', headers, 's3cret', 1700000000)).toBe(true);
  });

  it('retries a failing webhook with backoff, then sends it', async () => {
    const deps = handoffDeps({ HANDOFF_ADDRESS: '' });
    const ticket = await decidedTicket(deps, 'escalate');
    await scriptProvider('helpdesk.test', ticket.id, [{ status: 503, body: 'receiver down' }]);
    await planActions(ticket, await decisionOf(deps, ticket), deps);
    const [message] = deps.outboxSent;
    const first = await deliverOnce(QUEUE_NAMES.outbox, message, 1, deps);
    expect(first).toEqual({ acked: 0, retried: [{ delaySeconds: 5 }] });
    expect((await byKind(deps, ticket)).handoff_webhook).toMatchObject({ status: 'queued', attempts: 1, lastError: expect.stringContaining('503') });
    const second = await deliverOnce(QUEUE_NAMES.outbox, message, 2, deps);
    expect(second.acked).toBe(1);
    expect((await byKind(deps, ticket)).handoff_webhook).toMatchObject({ status: 'sent', attempts: 2 });
    expect(await providerRequests(ticket.id)).toHaveLength(2);
  });

  it('a hand-off the queue gives up on is dead-lettered visibly: failed in deliveries and on the console ticket page', async () => {
    const deps = handoffDeps({ HANDOFF_ADDRESS: '' });
    const ticket = await decidedTicket(deps, 'escalate');
    await scriptProvider('helpdesk.test', ticket.id, [{ status: 500 }, { status: 500 }]);
    await planActions(ticket, await decisionOf(deps, ticket), deps);
    const [message] = deps.outboxSent;
    for (let attempt = 1; attempt <= 2; attempt++) await deliverOnce(QUEUE_NAMES.outbox, message, attempt, deps);
    const dead = await deliverOnce(QUEUE_NAMES.outboxDead, message, 1, deps);
    expect(dead.acked).toBe(1);
    const { handoff_webhook: row } = await byKind(deps, ticket);
    expect(row).toMatchObject({ status: 'failed', lastError: expect.stringContaining('dead-lettered after 2 attempts') });
    const view = await (await request(`/api/tickets/${ticket.id}`)).json<{ deliveries: { kind: string; status: string }[] }>();
    expect(view.deliveries).toContainEqual(expect.objectContaining({ kind: 'handoff_webhook', status: 'failed' }));
    const page = await (await (await ConsoleUser.login()).get(`/console/tickets/${ticket.id}`)).text();
    expect(page).toMatch(/handoff_webhook[\s\S]*failed/);
  });

  it('nothing is ever delivered for a replayed ticket, even a delivery planned by hand', async () => {
    const deps = handoffDeps();
    const ticket = await decidedTicket(deps, 'escalate', 'replay');
    await planActions(ticket, await decisionOf(deps, ticket), deps);
    expect(await byKind(deps, ticket)).toEqual({});
    const { delivery } = await planDelivery(deps.db, ticket.id, 'email_reply', deps.clock.now(), 'console');
    expect(await deliver(delivery.id, deps)).toBe(false);
    expect((await byKind(deps, ticket)).email_reply).toMatchObject({ status: 'failed', lastError: expect.stringContaining('replayed') });
  });
});
