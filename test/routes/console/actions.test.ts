import { and, eq } from 'drizzle-orm';
import PostalMime from 'postal-mime';
import { beforeAll, describe, expect, it } from 'vitest';
import { database } from '../../../src/db/client';
import { deliveries, feedback, tickets } from '../../../src/db/schema';
import { env, getTicket, loadCorpus, postTicket, waitForTicket, type TicketView } from '../../helpers';
import { ConsoleUser } from './client';

const db = database(env.DB);
let user: ConsoleUser;

beforeAll(async () => {
  await loadCorpus();
  user = await ConsoleUser.login('Grace');
});

/** A ticket the policy will not auto-answer (a refund request), but drafts a reply for. */
async function escalatedTicket(tag: string): Promise<string> {
  const response = await postTicket({
    from: `${tag}@example.com`,
    subject: 'Password reset and a refund',
    text: 'I forgot my password and cannot log in. How do I reset it? Also I want a refund for last month.',
  });
  const { ticket_id: id } = (await response.json()) as { ticket_id: string };
  const view = await waitForTicket(id);
  expect(view.decision?.outcome).toBe('escalate');
  expect(String(view.decision?.suggested_reply)).not.toBe('');
  return id;
}

const act = (id: string, fields: Record<string, string>) => user.submit(`/console/tickets/${id}`, `/console/tickets/${id}/actions`, fields);
const feedbackOf = (id: string) => db.select().from(feedback).where(eq(feedback.ticketId, id));
/** The customer-facing reply; Slack posts for the same ticket are other deliveries. */
const emailRepliesOf = (id: string) =>
  db.select().from(deliveries).where(and(eq(deliveries.ticketId, id), eq(deliveries.kind, 'email_reply')));
const emailReply = (view: TicketView) => view.deliveries.find((d) => d.kind === 'email_reply');

describe('console actions', () => {
  it('Approve & send records an approved verdict and sends the draft once', async () => {
    const id = await escalatedTicket('approve');
    const response = await act(id, { action: 'approve' });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe(`/console/tickets/${id}?result=applied`);

    const view = await waitForTicket(id, (v) => v.deliveries.some((d) => d.kind === 'email_reply' && d.status === 'sent'));
    const [row] = await feedbackOf(id);
    expect(row).toMatchObject({ verdict: 'approved', actor: 'Grace', channel: 'console', editedText: null });
    const mime = emailReply(view)!.payload!;
    // A person approved it: not marked as an automatic reply, and without the automation footer.
    expect(mime).not.toContain('Auto-Submitted');
    expect((await PostalMime.parse(mime)).text).toContain('reset');

    const again = await act(id, { action: 'approve' });
    expect(again.headers.get('location')).toBe(`/console/tickets/${id}?result=already_handled`);
    expect(await emailRepliesOf(id)).toHaveLength(1);
    expect(await feedbackOf(id)).toHaveLength(1);
    expect(await user.page(again.headers.get('location')!)).toContain('already handled');
  });

  it('Edit & send records the edited text and sends it instead of the draft', async () => {
    const id = await escalatedTicket('edit');
    const edited = 'Hi,\n\nuse "Forgot password" on the login page. Refunds: a colleague will write to you today.\n\nGrace';
    expect((await act(id, { action: 'edit', text: edited })).status).toBe(303);
    const view = await waitForTicket(id, (v) => emailReply(v)?.status === 'sent');
    expect(await feedbackOf(id)).toMatchObject([{ verdict: 'edited', editedText: edited, channel: 'console' }]);
    expect((await PostalMime.parse(emailReply(view)!.payload!)).text).toContain('a colleague will write to you today');
  });

  it('refuses an empty edit with 400 and records nothing', async () => {
    const id = await escalatedTicket('empty-edit');
    const response = await act(id, { action: 'edit', text: '   ' });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: 'validation_failed' } });
    expect(await feedbackOf(id)).toHaveLength(0);
    expect(await emailRepliesOf(id)).toHaveLength(0);
  });

  it('Reject records a rejected verdict and sends nothing', async () => {
    const id = await escalatedTicket('reject');
    expect((await act(id, { action: 'reject' })).status).toBe(303);
    expect(await feedbackOf(id)).toMatchObject([{ verdict: 'rejected', actor: 'Grace' }]);
    expect(await emailRepliesOf(id)).toHaveLength(0);
  });

  it('Take over makes the person the owner and sends nothing', async () => {
    const id = await escalatedTicket('take-over');
    expect((await act(id, { action: 'take_over' })).status).toBe(303);
    expect(await feedbackOf(id)).toMatchObject([{ verdict: 'taken_over', actor: 'Grace' }]);
    expect((await getTicket(id)).ticket.owner).toBe('Grace');
    expect(await emailRepliesOf(id)).toHaveLength(0);
  });

  it('answers an action on an unknown ticket with 404', async () => {
    const response = await user.submit('/console', '/console/tickets/tkt_missing/actions', { action: 'approve' });
    expect(response.status).toBe(404);
  });
});

describe('health: dead-lettered deliveries', () => {
  it('lists a failed delivery and Retry sends it', async () => {
    const id = await escalatedTicket('retry');
    await db.update(tickets).set({ subject: 'Retry me please' }).where(eq(tickets.id, id));
    // As the dead-letter consumer leaves a reply whose every attempt failed.
    const now = Date.now();
    await db.insert(deliveries).values({
      id: 'dlv_dead',
      ticketId: id,
      kind: 'email_reply',
      status: 'failed',
      attempts: 8,
      lastError: 'dead-lettered after 8 attempts: 503 from the mail API',
      createdAt: now,
      updatedAt: now,
    });

    const health = await user.page('/console/health');
    expect(health).toContain('Retry me please');
    expect(health).toContain('dead-lettered after 8 attempts: 503 from the mail API');

    const response = await user.submit('/console/health', '/console/deliveries/dlv_dead/retry', {});
    expect(response.headers.get('location')).toBe('/console/health?retried=queued');
    const view = await waitForTicket(id, (v) => emailReply(v)?.status === 'sent');
    expect(emailReply(view)).toMatchObject({ attempts: 9, last_error: null });
    expect(emailReply(view)!.payload).toContain('Auto-Submitted: auto-replied');
    expect(await user.page('/console/health')).not.toContain('Retry me please');

    const twice = await user.submit('/console/health', '/console/deliveries/dlv_dead/retry', {});
    expect(twice.headers.get('location')).toBe('/console/health?retried=not_failed');
  });

  it('shows the active corpus version', async () => {
    const health = await user.page('/console/health');
    expect(health).toMatch(/v_[0-9a-f]{16} <span class="badge o-auto_reply">active<\/span>/);
  });
});
