// Going live in steps (issue 16), end to end through the real Worker: mail in shadow
// is decided and drafted and nothing is sent; the report lists it; verdicts and one
// click switch how_to to auto (audited), and the next such mail gets a threaded reply;
// a customer's "that didn't work" marks the auto-reply wrong through the queue consumer.
import { and, eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { database } from '../../src/db/client';
import { feedback } from '../../src/db/schema';
import worker from '../../src/index';
import { ConsoleUser } from '../routes/console/client';
import { env, getTicket as getTicketView, loadCorpus, postTicket, request, waitForTicket, type TicketView } from '../helpers';
import { buttonClick, postSlackInteraction } from '../act/helpers';
import { emailMessage, type TestEmail } from '../ingest/samples';

const db = database(env.DB);
let grace: ConsoleUser;

beforeAll(async () => {
  await loadCorpus();
  grace = await ConsoleUser.login('Grace');
});

const PASSWORD_QUESTION = 'I forgot my password. How do I reset it?';
const ROUTING_DMARC_PASS = 'ARC-Authentication-Results: i=1; mx.cloudflare.net; dkim=pass header.d=example.com; dmarc=pass header.from=example.com; spf=pass smtp.mailfrom=ada@example.com';

function passwordMail(messageId: string, from: string): TestEmail {
  const lines = [
    ROUTING_DMARC_PASS,
    `From: Ada <${from}>`,
    'To: support@tallybook.example',
    'Subject: Password',
    `Message-ID: <${messageId}>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    PASSWORD_QUESTION,
    '',
  ];
  return emailMessage(new TextEncoder().encode(lines.join('\r\n')), { from });
}

async function ticketFor(messageId: string): Promise<TicketView> {
  const response = await request(`/api/tickets?message_id=${encodeURIComponent(messageId)}`);
  expect(response.status).toBe(200);
  return response.json();
}

type TypeJson = { request_type: string; mode: string; mode_at: { address: string; mode: string }[]; tickets: number; ignored: number; would_auto_reply: number; drafts: { verdicts: number; good: number; precision: number | null }; live: { verdicts: number; good: number; precision: number | null }; recommendation: string | null };
async function reportFor(type: string): Promise<TypeJson | undefined> {
  const response = await request('/api/report');
  expect(response.status).toBe(200);
  const body = (await response.json()) as { per_type: TypeJson[] };
  return body.per_type.find((t) => t.request_type === type);
}

const setMode = (fields: { address?: string; request_type: string; mode: string }) => grace.submit('/console/modes', '/console/modes', { address: '', ...fields });

/** Shadow traffic already reviewed: how_to drafts the policy would have sent, each given "would send". */
async function seedReviewedShadowDrafts(count: number): Promise<void> {
  const now = Date.now();
  const statements = Array.from({ length: count }, (_, i) => [
    env.DB.prepare(
      "INSERT INTO tickets (id, source, message_id, thread_id, from_address, sender_key, status, received_at, updated_at) VALUES (?, 'api', ?, ?, 'seed@example.com', 'seed@example.com', 'done', ?, ?)",
    ).bind(`tkt_seed_${i}`, `seed-${i}@example.com`, `seed-${i}@example.com`, now - 1000, now - 1000),
    env.DB.prepare(
      "INSERT INTO decisions (id, ticket_id, outcome, policy_outcome, mode, reasons, thresholds, request_type, confidence, suggested_reply, decided_at) VALUES (?, ?, 'review', 'auto_reply', 'shadow', '[\"confident_grounded\",\"mode:shadow\"]', '{\"autoReply\":0.9,\"review\":0.5}', 'how_to', 0.95, 'Use Forgot password.', ?)",
    ).bind(`dec_seed_${i}`, `tkt_seed_${i}`, now - 1000),
    env.DB.prepare("INSERT INTO feedback (id, ticket_id, decision_id, verdict, actor, channel, created_at) VALUES (?, ?, ?, 'would_send', 'Grace', 'console', ?)").bind(
      `fbk_seed_${i}`,
      `tkt_seed_${i}`,
      `dec_seed_${i}`,
      now - 500,
    ),
  ]);
  await env.DB.batch(statements.flat());
}

describe('from shadow to auto', () => {
  it('drafts in shadow without sending, reports it, and answers the next mail once how_to is switched to auto in one click', async () => {
    expect((await setMode({ request_type: '*', mode: 'shadow' })).status).toBe(303);

    const first = passwordMail('shadow-1@example.com', 'ada@example.com');
    await worker.email(first, env);
    const shadowed = await ticketFor('shadow-1@example.com');
    expect(shadowed.decision).toMatchObject({ outcome: 'review', policy_outcome: 'auto_reply', mode: 'shadow', request_type: 'how_to' });
    expect(shadowed.decision!.reasons).toContain('mode:shadow');
    expect(String(shadowed.decision!.suggested_reply)).toMatch(/password/i);
    expect(first.replies).toEqual([]);
    expect(shadowed.deliveries.filter((d) => d.kind === 'email_reply' || d.kind === 'customer_ack')).toEqual([]);
    expect(await reportFor('how_to')).toMatchObject({ tickets: 1, would_auto_reply: 1, drafts: { verdicts: 0 } });

    // The ticket page offers verdicts, not sending; "would send" records one and sends nothing.
    const id = String(shadowed.ticket.id);
    const page = await grace.page(`/console/tickets/${id}`);
    expect(page).toContain('id="verdict-would_send"');
    expect(page).not.toContain('id="approve"');
    const verdict = await grace.submit(`/console/tickets/${id}`, `/console/tickets/${id}/verdict`, { verdict: 'would_send' });
    expect(verdict.headers.get('location')).toBe(`/console/tickets/${id}?result=verdict_recorded`);
    expect(await db.select().from(feedback).where(eq(feedback.ticketId, id))).toMatchObject([{ verdict: 'would_send', actor: 'Grace', channel: 'console' }]);
    const refused = await grace.submit(`/console/tickets/${id}`, `/console/tickets/${id}/actions`, { action: 'approve' });
    expect(refused.status).toBe(409);
    expect(await refused.json()).toMatchObject({ error: { code: 'shadow_sends_nothing' } });
    expect((await ticketFor('shadow-1@example.com')).deliveries.filter((d) => d.kind === 'email_reply')).toEqual([]);

    // One verdict is not enough; 75 are (Wilson lower bound 0.951 ≥ RECOMMEND_TARGET_PRECISION 0.95).
    expect((await reportFor('how_to'))!.recommendation).toBeNull();
    await seedReviewedShadowDrafts(74);
    expect(await reportFor('how_to')).toMatchObject({ drafts: { verdicts: 75, good: 75 }, recommendation: 'auto' });
    const reportPage = await grace.page('/console/report');
    expect(reportPage).toContain('id="apply-how_to"');
    const applied = await grace.submit('/console/report', '/console/report/apply', { request_type: 'how_to', mode: 'auto' });
    expect(applied.status).toBe(303);

    const audit = await grace.page('/console/modes');
    const changes = audit.slice(audit.indexOf('id="mode-changes"'));
    expect(changes).toMatch(/Grace<\/td><td>any<\/td><td>how_to<\/td><td>default → auto/);
    expect(changes).toMatch(/Grace<\/td><td>any<\/td><td>any<\/td><td>default → shadow/);

    const next = passwordMail('shadow-2@example.com', 'ada@example.com');
    await worker.email(next, env);
    const answered = await ticketFor('shadow-2@example.com');
    expect(answered.decision).toMatchObject({ outcome: 'auto_reply', mode: 'auto' });
    expect(next.replies).toHaveLength(1);
    expect(answered.deliveries.find((d) => d.kind === 'email_reply')!.payload).toContain('In-Reply-To: <shadow-2@example.com>');
  });

  it("degrading from the report takes the type back to review at an address that runs it in auto on its own", async () => {
    await env.DB.prepare("INSERT OR REPLACE INTO rollout_modes (address, request_type, mode, updated_by, updated_at) VALUES ('sales@tallybook.example', 'no_action', 'auto', 'test', 0)").run();
    const applied = await grace.submit('/console/report', '/console/report/apply', { request_type: 'no_action', mode: 'review' });
    expect(applied.status).toBe(303);
    const rules = await env.DB.prepare("SELECT address, mode FROM rollout_modes WHERE request_type = 'no_action' ORDER BY address").all<{ address: string; mode: string }>();
    expect(rules.results).toEqual([
      { address: '*', mode: 'review' },
      { address: 'sales@tallybook.example', mode: 'review' },
    ]);
  });

  it('shows beside the default mode every address whose rules run the type otherwise', async () => {
    await setMode({ request_type: 'how_to', mode: 'shadow' });
    await worker.email(passwordMail('mode-at-1@example.com', 'lin@example.com'), env);
    await setMode({ address: 'sales@tallybook.example', request_type: 'how_to', mode: 'auto' });
    await setMode({ address: 'billing@tallybook.example', request_type: 'how_to', mode: 'off' });
    // An address-wide rule loses to the type's own rule at any address, so it changes nothing here.
    await setMode({ address: 'help@tallybook.example', request_type: '*', mode: 'review' });
    expect(await reportFor('how_to')).toMatchObject({
      mode: 'shadow',
      mode_at: [
        { address: 'billing@tallybook.example', mode: 'off' },
        { address: 'sales@tallybook.example', mode: 'auto' },
      ],
    });
    expect(await grace.page('/console/report')).toContain('shadow<span class="muted"> · off at billing@tallybook.example, auto at sales@tallybook.example</span>');
    await setMode({ request_type: 'how_to', mode: 'auto' }); // as the test before left it, for the ones after
  });

  it('refuses to set a person-needed type to auto, with a code, and audits nothing', async () => {
    const before = await grace.page('/console/modes');
    const response = await setMode({ request_type: 'complaint', mode: 'auto' });
    expect(response.status).toBe(422);
    expect(await response.json()).toMatchObject({ error: { code: 'mode_not_allowed' } });
    const after = await grace.page('/console/modes');
    expect(after.match(/<tr>/g)?.length).toBe(before.match(/<tr>/g)?.length);
  });
});

describe('follow-ups close the loop', () => {
  it("marks an auto-reply wrong when the customer answers that it didn't work, and the report's precision for how_to drops", async () => {
    // how_to is on auto from the test above.
    const original = await postTicket({ from: 'lin@example.com', subject: 'Password', text: PASSWORD_QUESTION, message_id: '<orig-lin@example.com>' });
    const { ticket_id: originalId } = (await original.json()) as { ticket_id: string };
    const replied = await waitForTicket(originalId, (v) => v.deliveries.some((d) => d.kind === 'email_reply' && d.status === 'sent'));
    expect(replied.decision).toMatchObject({ outcome: 'auto_reply' });
    const ourReplyId = String(replied.deliveries.find((d) => d.kind === 'email_reply')!.provider_id);
    const liveBefore = (await reportFor('how_to'))!.live;

    // The customer's client answers our reply only: In-Reply-To names our Message-ID, not the original's.
    const followUp = await postTicket({
      from: 'lin@example.com',
      subject: 'Re: Password',
      text: "I tried the reset link and it didn't work, I still can't log in.",
      message_id: '<followup-lin@example.com>',
      in_reply_to: `<${ourReplyId}>`,
    });
    const { ticket_id: followUpId } = (await followUp.json()) as { ticket_id: string };
    const view = await waitForTicket(followUpId);
    expect(view.decision!.outcome).not.toBe('auto_reply');
    expect(view.deliveries.filter((d) => d.kind === 'email_reply')).toEqual([]);

    const verdicts = await db.select().from(feedback).where(and(eq(feedback.ticketId, originalId), eq(feedback.channel, 'customer')));
    expect(verdicts).toMatchObject([{ verdict: 'wrong', actor: 'customer', sourceTicketId: followUpId }]);
    const liveAfter = (await reportFor('how_to'))!;
    expect(liveAfter.live.verdicts).toBe(liveBefore.verdicts + 1);
    expect(liveAfter.live.good).toBe(liveBefore.good);
    expect(liveAfter.live.precision).toBe(0);
    // One live reply, proven wrong: the type is flagged and offered back to review.
    expect(liveAfter.recommendation).toBe('review');
    expect(await grace.page('/console/report')).toContain('Degrading: back to review');
  });

  it('holds the question asked again in the thread for a person (follow_up), and marks the earlier reply wrong', async () => {
    const original = await postTicket({ from: 'kim@example.com', subject: 'Password', text: PASSWORD_QUESTION, message_id: '<orig-kim@example.com>' });
    const { ticket_id: originalId } = (await original.json()) as { ticket_id: string };
    expect((await waitForTicket(originalId, (v) => v.deliveries.some((d) => d.kind === 'email_reply' && d.status === 'sent'))).decision!.outcome).toBe('auto_reply');
    // The very mail that was auto-answered on its own, sent again as a reply in the thread.
    const followUp = await postTicket({
      from: 'kim@example.com',
      subject: 'Password',
      text: PASSWORD_QUESTION,
      message_id: '<followup-kim@example.com>',
      in_reply_to: '<orig-kim@example.com>',
      references: ['<orig-kim@example.com>'],
    });
    const { ticket_id: followUpId } = (await followUp.json()) as { ticket_id: string };
    const view = await waitForTicket(followUpId);
    expect(view.ticket.thread_id).toBe('orig-kim@example.com');
    expect(view.decision).toMatchObject({ outcome: 'review', policy_outcome: 'review', reasons: ['follow_up'] });
    expect(view.deliveries.filter((d) => d.kind === 'email_reply')).toEqual([]);
    expect(await db.select().from(feedback).where(eq(feedback.ticketId, originalId))).toMatchObject([{ verdict: 'wrong', channel: 'customer', sourceTicketId: followUpId }]);
  });
});

describe('reviewers on the ticket page', () => {
  it('mark a sent auto-reply right, and correct the request type as a training example', async () => {
    const original = await postTicket({ from: 'max@example.com', subject: 'Password', text: PASSWORD_QUESTION });
    const { ticket_id: id } = (await original.json()) as { ticket_id: string };
    await waitForTicket(id, (v) => v.deliveries.some((d) => d.kind === 'email_reply' && d.status === 'sent'));
    expect(await grace.page(`/console/tickets/${id}`)).toContain('id="verdict-wrong"');
    const notApplicable = await grace.submit(`/console/tickets/${id}`, `/console/tickets/${id}/verdict`, { verdict: 'would_send' });
    expect(notApplicable.status).toBe(409);
    expect(await notApplicable.json()).toMatchObject({ error: { code: 'verdict_not_applicable' } });
    await grace.submit(`/console/tickets/${id}`, `/console/tickets/${id}/verdict`, { verdict: 'right' });
    const corrected = await grace.submit(`/console/tickets/${id}`, `/console/tickets/${id}/request-type`, { request_type: 'account_specific' });
    expect(corrected.headers.get('location')).toBe(`/console/tickets/${id}?result=type_corrected`);
    const rows = await db.select().from(feedback).where(eq(feedback.ticketId, id));
    expect(rows.map((r) => [r.verdict, r.requestType]).sort()).toEqual([
      ['right', null],
      ['type_corrected', 'account_specific'],
    ]);
  });
});

describe('GET /api/report', () => {
  it('needs the API token and refuses a reversed or too long period with a code', async () => {
    expect((await request('/api/report', { token: null })).status).toBe(401);
    const reversed = await request('/api/report?from=2026-05-02&to=2026-05-01');
    expect(reversed.status).toBe(400);
    expect(await reversed.json()).toMatchObject({ error: { code: 'validation_failed' } });
    expect((await request('/api/report?from=2026-01-01&to=2026-12-31')).status).toBe(400);
    expect((await request('/api/report?from=yesterday')).status).toBe(400);
  });
});

describe('verdicts from Slack', () => {
  it('offers Would send / Would not send on a shadow draft, records the click and the corrected type, and sends nothing', async () => {
    // Any address and type is still shadow from the first test (only how_to was switched).
    const response = await postTicket({
      from: 'ops@example.com',
      subject: '429 at low volume',
      text: "We're on Business and getting 429 errors even though our ERP integration only sends about 50 requests a minute. What's going on?",
    });
    const { ticket_id: id } = (await response.json()) as { ticket_id: string };
    const view = await waitForTicket(id, (v) => v.ticket.status === 'done' && v.deliveries.some((d) => d.kind === 'slack' && d.status === 'sent'));
    expect(view.decision).toMatchObject({ mode: 'shadow' });
    const message = JSON.parse(view.deliveries.find((d) => d.kind === 'slack')!.payload!) as { blocks: { block_id?: string; elements?: { action_id: string }[] }[] };
    const buttons = message.blocks.find((b) => b.block_id === 'deflect_actions')!.elements!.map((e) => e.action_id);
    expect(buttons).toEqual(['deflect_would_send', 'deflect_would_not_send']);

    const responseUrl = `https://hooks.slack.com/actions/T9TK3CUKW/${id}/respond`;
    expect((await postSlackInteraction(buttonClick('deflect_would_not_send', id, responseUrl))).status).toBe(200);
    const select = buttonClick('deflect_request_type', id, responseUrl);
    select.actions = [{ action_id: 'deflect_request_type', block_id: 'deflect_type', type: 'static_select', selected_option: { value: `${id}:how_to` }, action_ts: '1548426417.840180' } as never];
    expect((await postSlackInteraction(select)).status).toBe(200);

    const rows = await db.select().from(feedback).where(eq(feedback.ticketId, id));
    expect(rows.map((r) => [r.verdict, r.requestType, r.channel]).sort()).toEqual([
      ['type_corrected', 'how_to', 'slack'],
      ['would_not_send', null, 'slack'],
    ]);
    expect((await getTicketView(id)).deliveries.filter((d) => d.kind === 'email_reply' || d.kind === 'customer_ack')).toEqual([]);
  });
});
