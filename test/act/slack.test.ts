// Escalations reach Slack through the real OUTBOX queue; clicks come back signed
// to /slack/actions. The local provider server plays Slack (test/doubles/provider-server.mjs).
import { env } from 'cloudflare:workers';
import PostalMime from 'postal-mime';
import { beforeAll, describe, expect, it } from 'vitest';
import { escalationMessage } from '../../src/act/slack-message';
import type { DecisionRow } from '../../src/db/decisions';
import { listFeedback } from '../../src/db/feedback';
import { database } from '../../src/db/client';
import type { TicketRow } from '../../src/db/tickets';
import { loadCorpus, postTicket, request, waitForTicket, type TicketView } from '../helpers';
import { buttonClick, postSlackInteraction, providerRequests, scriptProvider, SLACK_USER, SLACK_WEBHOOK_URL } from './helpers';
import { REQUEST_TYPES } from '../../src/decide/request-types';

beforeAll(async () => {
  await loadCorpus();
});

// t002 of corpus/tickets.jsonl: labelled `review` (a draft worth one click).
const reviewTicket = (messageId: string) => ({
  from: 'ops@example.com',
  from_name: 'Zoë Ångström',
  subject: '429 at low volume',
  // Account-specific: the docs explain limits, not why this key hits them (the sample ticket t002).
  text: "We're on Business and getting 429 errors even though our ERP integration only sends about 50 requests a minute. The key is named 'ERP sync'. What's going on?",
  message_id: messageId,
});

const settled = (view: TicketView) => view.ticket.status === 'done' && view.deliveries.every((d) => d.status === 'sent' || d.status === 'failed');

async function submit(body: Record<string, unknown>): Promise<string> {
  const response = await postTicket(body);
  expect(response.status).toBe(202);
  return ((await response.json()) as { ticket_id: string }).ticket_id;
}

const responseUrlFor = (ticketId: string) => `https://hooks.slack.com/actions/T9TK3CUKW/${ticketId}/respond`;

describe('escalation message', () => {
  it('reports Slack as the notifier in /health when SLACK_WEBHOOK_URL is set', async () => {
    const health = (await (await request('/health', { token: null })).json()) as { ports: Record<string, unknown> };
    expect(health.ports.notifier).toEqual({ implementation: 'slack', mode: 'cloud' });
  });

  it('posts the exact Block Kit message for a review decision to the Slack webhook', async () => {
    const ticketId = await submit(reviewTicket('blockkit@example.com'));
    const view = await waitForTicket(ticketId, settled);
    const decision = view.decision! as TicketView['decision'] & { intent: string; suggested_reply: string };
    expect(decision.outcome).toBe('review');
    const classifier = decision.classifier as { request_type: string; probability: number };
    expect(classifier.request_type).toBe('account_specific');

    const posts = (await providerRequests(ticketId)).filter((r) => r.url === SLACK_WEBHOOK_URL);
    expect(posts).toHaveLength(1);
    expect(posts[0]!.headers['content-type']).toBe('application/json');
    const draftQuoted = decision.suggested_reply.split('\n').map((line) => `>${line.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')}`).join('\n');
    expect(JSON.parse(posts[0]!.body)).toEqual({
      text: 'Review: 429 at low volume from ops@example.com',
      blocks: [
        { type: 'header', text: { type: 'plain_text', text: 'Review: 429 at low volume' } },
        {
          type: 'section',
          fields: [
            { type: 'plain_text', text: 'From: Zoë Ångström <ops@example.com>', emoji: false },
            { type: 'mrkdwn', text: `*Intent*\n${decision.intent}` },
            { type: 'mrkdwn', text: '*Outcome*\n`review` `below_auto_threshold` `type:account_specific`' },
            { type: 'mrkdwn', text: `*Confidence*\n${decision.confidence!.toFixed(2)} (auto-reply at ${env.AUTO_REPLY_THRESHOLD})` },
            {
              type: 'mrkdwn',
              text: `*Request type*\n\`account_specific\` (classifier account_specific ${classifier.probability.toFixed(2)})`,
            },
          ],
        },
        {
          type: 'section',
          text: { type: 'mrkdwn', text: "*Customer wrote*\n>We're on Business and getting 429 errors even though our ERP integration only sends about 50 requests a minute. The key is named 'ERP sync'. What's going on?" },
        },
        { type: 'context', elements: [{ type: 'mrkdwn', text: 'Cited: API rate limits and 429 errors' }] },
        { type: 'section', text: { type: 'mrkdwn', text: `*Draft reply*\n${draftQuoted}` } },
        {
          type: 'actions',
          block_id: 'deflect_actions',
          elements: [
            { type: 'button', action_id: 'deflect_approve', text: { type: 'plain_text', text: 'Approve & send' }, value: ticketId, style: 'primary' },
            { type: 'button', action_id: 'deflect_edit', text: { type: 'plain_text', text: 'Edit' }, value: ticketId },
            { type: 'button', action_id: 'deflect_take_over', text: { type: 'plain_text', text: 'Take over' }, value: ticketId },
          ],
        },
        {
          type: 'actions',
          block_id: 'deflect_type',
          elements: [
            {
              type: 'static_select',
              action_id: 'deflect_request_type',
              placeholder: { type: 'plain_text', text: 'Confirm or correct the request type' },
              options: REQUEST_TYPES.map((t) => ({ text: { type: 'plain_text', text: t }, value: `${ticketId}:${t}` })),
              initial_option: { text: { type: 'plain_text', text: 'account_specific' }, value: `${ticketId}:account_specific` },
            },
          ],
        },
      ],
    });
    const slack = view.deliveries.find((d) => d.kind === 'slack')!;
    expect(slack).toMatchObject({ status: 'sent', attempts: 1 });
    expect(JSON.parse(slack.payload!)).toEqual(JSON.parse(posts[0]!.body));
  });

  it('escapes customer text so a subject cannot ping the channel or hide a link', async () => {
    const ticketId = await submit({ from: 'mallory@example.com', subject: 'Refund <!channel> <https://evil.example|click>', text: 'Reverse this charge or I file a chargeback with my bank' });
    await waitForTicket(ticketId, settled);
    const [post] = (await providerRequests(ticketId)).filter((r) => r.url === SLACK_WEBHOOK_URL);
    const message = JSON.parse(post!.body) as { text: string; blocks: { type: string; text?: { type: string; text: string } }[] };
    // mrkdwn parses <…> as links and mentions; plain_text (the header) shows text as is.
    expect(message.text).toBe('Escalated: Refund &lt;!channel&gt; &lt;https://evil.example|click&gt; from mallory@example.com');
    expect(message.blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: 'Escalated: Refund <!channel> <https://evil.example|click>' } });
    const mrkdwn = JSON.stringify(message.blocks.slice(1));
    expect(mrkdwn).not.toContain('<!channel>');
  });
});

describe('idempotency', () => {
  it('sends one Slack post, one email and one Slack update when every OUTBOX message arrives 3 times and Approve is clicked twice', async () => {
    const ticketId = await submit(reviewTicket('thrice@example.com'));
    let view = await waitForTicket(ticketId, settled);
    const slack = view.deliveries.find((d) => d.kind === 'slack')!;
    await env.OUTBOX.send({ deliveryId: slack.id });
    await env.OUTBOX.send({ deliveryId: slack.id });

    const click = buttonClick('deflect_approve', ticketId, responseUrlFor(ticketId));
    const [first, second] = [await postSlackInteraction(click), await postSlackInteraction(click)];
    expect([first.status, second.status]).toEqual([200, 200]);

    view = await waitForTicket(ticketId, (v) => settled(v) && v.deliveries.length === 3);
    for (const delivery of view.deliveries.filter((d) => d.kind !== 'slack')) {
      await env.OUTBOX.send({ deliveryId: delivery.id });
      await env.OUTBOX.send({ deliveryId: delivery.id });
    }
    // Let the repeats drain through the real consumer before counting.
    await new Promise((resolve) => setTimeout(resolve, 500));
    view = await waitForTicket(ticketId, settled);

    expect(view.deliveries.map((d) => [d.kind, d.status, d.attempts]).sort()).toEqual([
      ['email_reply', 'sent', 1],
      ['slack', 'sent', 1],
      ['slack_update', 'sent', 1],
    ]);
    const requests = await providerRequests(ticketId);
    expect(requests.filter((r) => r.url === SLACK_WEBHOOK_URL)).toHaveLength(1);
    const updates = (await providerRequests('Draft approved and sent by')).filter((r) => r.url === responseUrlFor(ticketId));
    expect(updates).toHaveLength(1);
    const update = JSON.parse(updates[0]!.body) as { replace_original: boolean; blocks: { type: string; elements?: { text?: string }[] }[] };
    expect(update.replace_original).toBe(true);
    expect(update.blocks.some((b) => b.type === 'actions')).toBe(false);
    expect(update.blocks.at(-1)).toEqual({ type: 'context', elements: [{ type: 'mrkdwn', text: `:white_check_mark: Draft approved and sent by <@${SLACK_USER.id}>` }] });

    const email = view.deliveries.find((d) => d.kind === 'email_reply')!;
    expect(email.payload).toContain('In-Reply-To: <thrice@example.com>');
    const feedback = await listFeedback(database(env.DB), ticketId);
    expect(feedback.map((f) => [f.verdict, f.actor, f.channel])).toEqual([['approved', 'jtorrance', 'slack']]);
  });
});

describe('Edit and Take over', () => {
  it('opens the edit modal with the draft, and sends the edited text as a human reply', async () => {
    const ticketId = await submit(reviewTicket('edit@example.com'));
    const view = await waitForTicket(ticketId, settled);
    const responseUrl = responseUrlFor(ticketId);

    expect((await postSlackInteraction(buttonClick('deflect_edit', ticketId, responseUrl))).status).toBe(200);
    const [open] = (await providerRequests(ticketId)).filter((r) => r.url === 'https://slack.com/api/views.open');
    expect(open!.headers.authorization).toBe('Bearer xoxb-test-bot');
    const opened = JSON.parse(open!.body) as { trigger_id: string; view: { callback_id: string; private_metadata: string; blocks: { element: { initial_value: string } }[] } };
    expect(opened.trigger_id).toBe('12321423423.333649436676.d8c1bb837935619ccad0f624c448ffb3');
    expect(opened.view.callback_id).toBe('deflect_edit_reply');
    expect(opened.view.blocks[0]!.element.initial_value).toBe(view.decision!.suggested_reply);

    const submission = {
      type: 'view_submission',
      user: SLACK_USER,
      view: { callback_id: 'deflect_edit_reply', private_metadata: opened.view.private_metadata, state: { values: { reply: { text: { type: 'plain_text_input', value: 'Hi Zoë, your limit is per key: 600 requests a minute on Business. — Sam' } } } } },
    };
    const response = await postSlackInteraction(submission);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('');

    const done = await waitForTicket(ticketId, (v) => settled(v) && v.deliveries.length === 3);
    const mime = done.deliveries.find((d) => d.kind === 'email_reply')!.payload!;
    expect(mime).toContain('In-Reply-To: <edit@example.com>');
    expect(mime).not.toContain('Auto-Submitted');
    // Exactly the edited text: no automation footer on a reply a person wrote.
    expect((await PostalMime.parse(mime)).text).toBe('Hi Zoë, your limit is per key: 600 requests a minute on Business. — Sam');
    const update = (await providerRequests(':pencil2: Edited reply sent by')).filter((r) => r.url === responseUrl);
    expect(update).toHaveLength(1);
    const feedback = await listFeedback(database(env.DB), ticketId);
    expect(feedback.map((f) => [f.verdict, f.editedText])).toEqual([['edited', 'Hi Zoë, your limit is per key: 600 requests a minute on Business. — Sam']]);
  });

  it('keeps the modal open with an error when the edited reply is empty', async () => {
    const ticketId = await submit(reviewTicket('edit-empty@example.com'));
    await waitForTicket(ticketId, settled);
    const metadata = JSON.stringify({ ticket_id: ticketId, response_url: responseUrlFor(ticketId) });
    const response = await postSlackInteraction({
      type: 'view_submission',
      user: SLACK_USER,
      view: { callback_id: 'deflect_edit_reply', private_metadata: metadata, state: { values: { reply: { text: { value: '   ' } } } } },
    });
    expect(await response.json()).toEqual({ response_action: 'errors', errors: { reply: 'Write a reply before sending.' } });
    expect((await waitForTicket(ticketId)).deliveries.map((d) => d.kind)).toEqual(['slack']);
  });

  it('tells the editor, in the modal, when the draft was approved while they were editing', async () => {
    const ticketId = await submit(reviewTicket('edit-late@example.com'));
    await waitForTicket(ticketId, settled);
    await postSlackInteraction(buttonClick('deflect_approve', ticketId, responseUrlFor(ticketId)));
    const metadata = JSON.stringify({ ticket_id: ticketId, response_url: responseUrlFor(ticketId) });
    const response = await postSlackInteraction({
      type: 'view_submission',
      user: { id: 'U0SECOND', username: 'sam' },
      view: { callback_id: 'deflect_edit_reply', private_metadata: metadata, state: { values: { reply: { text: { value: 'My better answer' } } } } },
    });
    expect(await response.json()).toEqual({ response_action: 'errors', errors: { reply: 'This ticket was already answered; your text was not sent.' } });
    const view = await waitForTicket(ticketId, (v) => settled(v) && v.deliveries.length === 3);
    const sent = await PostalMime.parse(view.deliveries.find((d) => d.kind === 'email_reply')!.payload!);
    expect(sent.text).toContain(String(view.decision!.suggested_reply).split('\n')[0]);
    expect(sent.text).not.toContain('My better answer');
    expect((await listFeedback(database(env.DB), ticketId)).map((f) => f.verdict)).toEqual(['approved']);
  });

  it('marks the ticket human-owned on Take over and says so in Slack, without emailing the customer', async () => {
    const ticketId = await submit({ from: 'c@example.com', subject: 'Charge', text: 'Reverse this charge or I file a chargeback with my bank', message_id: 'takeover@example.com' });
    await waitForTicket(ticketId, settled);
    await postSlackInteraction(buttonClick('deflect_take_over', ticketId, responseUrlFor(ticketId)));
    const view = await waitForTicket(ticketId, (v) => settled(v) && v.deliveries.length === 2);
    expect(view.ticket.owner).toBe('jtorrance');
    expect(view.deliveries.map((d) => d.kind).sort()).toEqual(['slack', 'slack_update']);
    expect((await providerRequests(':raising_hand: Taken over by')).filter((r) => r.url === responseUrlFor(ticketId))).toHaveLength(1);
    expect((await listFeedback(database(env.DB), ticketId)).map((f) => f.verdict)).toEqual(['taken_over']);
  });
});

describe('Slack faults', () => {
  it('waits for Retry-After when Slack answers 429, then posts once', async () => {
    const messageId = 'ratelimited@example.com';
    await scriptProvider('hooks.slack.com', 'Reverse this charge or I dispute it at my bank', [{ status: 429, headers: { 'retry-after': '1' }, body: 'rate_limited' }]);
    const ticketId = await submit({ from: 'd@example.com', subject: 'Charge', text: 'Reverse this charge or I dispute it at my bank', message_id: messageId });
    const view = await waitForTicket(ticketId, (v) => settled(v) && v.deliveries.length > 0);
    expect(view.deliveries.find((d) => d.kind === 'slack')).toMatchObject({ status: 'sent', attempts: 2, last_error: null });
    const posts = (await providerRequests(ticketId)).filter((r) => r.url === SLACK_WEBHOOK_URL);
    expect(posts).toHaveLength(2);
    expect(posts[1]!.at - posts[0]!.at).toBeGreaterThanOrEqual(1000);
  });

  it('marks the delivery failed, visibly, after Slack answers 500 to every attempt and the message is dead-lettered', async () => {
    const text = 'Reverse this charge now or my lawyer will dispute it';
    await scriptProvider('hooks.slack.com', text, Array.from({ length: 9 }, () => ({ status: 500, body: 'internal_error' })));
    const ticketId = await submit({ from: 'e@example.com', subject: 'Charge', text, message_id: 'dead@example.com' });
    const view = await waitForTicket(ticketId, (v) => v.deliveries.some((d) => d.status === 'failed'));
    const slack = view.deliveries.find((d) => d.kind === 'slack')!;
    expect(slack.status).toBe('failed');
    expect(slack.attempts).toBe(9);
    expect(slack.last_error).toBe('dead-lettered after 9 attempts: Slack webhook answered 500: internal_error');
    expect((await providerRequests(ticketId)).filter((r) => r.url === SLACK_WEBHOOK_URL)).toHaveLength(9);
  });

  it('gives up at once, visibly, when Slack says the webhook is gone (404)', async () => {
    const text = 'Reverse this charge, I will dispute it with the card issuer';
    await scriptProvider('hooks.slack.com', text, [{ status: 404, body: 'no_service' }]);
    const ticketId = await submit({ from: 'f@example.com', subject: 'Charge', text, message_id: 'gone@example.com' });
    const view = await waitForTicket(ticketId, (v) => v.deliveries.some((d) => d.status === 'failed'));
    expect(view.deliveries.find((d) => d.kind === 'slack')).toMatchObject({ status: 'failed', attempts: 1, last_error: 'Slack webhook answered 404: no_service' });
  });
});

// Slack under hostile input: a signed payload cannot make the Worker POST to a
// response_url that is not Slack's, and a CR/LF in a display name or subject
// cannot add lines to the escalation's fields.
describe('response_url is pinned to https://hooks.slack.com/', () => {
  it.each([
    'http://127.0.0.1:8787/internal',
    'https://127.0.0.1/actions',
    'https://169.254.169.254/latest/meta-data',
    'http://hooks.slack.com/actions/T1/1/x',
    'https://hooks.slack.com.evil.example/actions/T1/1/x',
    'https://user:pass@hooks.slack.com/actions/T1/1/x',
    'https://hooks.slack.com:8443/actions/T1/1/x',
  ])('refuses a signed click whose response_url is %s, and changes nothing', async (responseUrl) => {
    const response = await postSlackInteraction(buttonClick('deflect_approve', 'tkt_none', responseUrl));
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: 'webhook_payload_invalid' } });
  });

  it('accepts Slack’s own response_url', async () => {
    const response = await postSlackInteraction(buttonClick('deflect_take_over', 'tkt_none', 'https://hooks.slack.com/actions/T1/1/x'));
    expect(response.status).toBe(404);
  });
});

describe('customer text in Slack fields', () => {
  const ticket = {
    id: 'tkt_1',
    subject: 'Help\r\n*urgent* <!channel>',
    fromName: 'Ada\r\nApproved by: the CEO',
    fromAddress: 'ada@example.com',
    bodyText: 'question',
  } as TicketRow;
  const decision = { outcome: 'review', reasons: ['below_auto_threshold'], confidence: 0.5, thresholds: { autoReply: 0.72, review: 0.45 }, intent: null, suggestedReply: null, docSources: [], retrieved: [] } as unknown as DecisionRow;

  it('puts the sender in one plain-text line and the subject in one header line', () => {
    const message = escalationMessage(ticket, decision, { editable: false });
    const [header, section] = message.blocks as [{ text: { text: string } }, { fields: { type: string; text: string }[] }];
    expect(header.text.text).toBe('Review: Help *urgent* <!channel>');
    expect(section.fields[0]).toEqual({ type: 'plain_text', text: 'From: Ada Approved by: the CEO <ada@example.com>', emoji: false });
    expect(message.text).toBe('Review: Help *urgent* &lt;!channel&gt; from ada@example.com');
  });
});

describe('the request type line', () => {
  const ticket = { id: 'tkt_2', subject: 'Chargeback', fromName: null, fromAddress: 'kim@example.com', bodyText: 'question' } as TicketRow;
  const held = (classifierPersonProbability: number | null) =>
    ({ outcome: 'review', reasons: ['type_near_person'], confidence: 0.98, thresholds: { autoReply: 0.94, review: 0.5 }, intent: null, suggestedReply: null, docSources: [], retrieved: [], requestType: 'how_to', classifierType: 'how_to', classifierProbability: 0.66, classifierPersonProbability, claudeType: null }) as unknown as DecisionRow;
  const requestTypeField = (decision: DecisionRow) =>
    (escalationMessage(ticket, decision, { editable: false }).blocks[1] as { fields: { text: string }[] }).fields.find((f) => f.text.startsWith('*Request type*'))!.text;

  it('shows the person-needed share that held a how-to for review', () => {
    expect(requestTypeField(held(0.238))).toBe('*Request type*\n`how_to` (classifier how_to 0.66, person-needed 0.24)');
  });

  it('leaves it out when it is small, or not stored (decisions before it was)', () => {
    expect(requestTypeField(held(0.03))).toBe('*Request type*\n`how_to` (classifier how_to 0.66)');
    expect(requestTypeField(held(null))).toBe('*Request type*\n`how_to` (classifier how_to 0.66)');
  });
});
