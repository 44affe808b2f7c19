// The console as a workplace: search, previews, views, owners, paging, bulk
// actions, and a ticket page that offers only what can still take effect.
import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { database } from '../../../src/db/client';
import { decisions, deliveries, feedback, tickets } from '../../../src/db/schema';
import { env, waitForTicket } from '../../helpers';
import { ConsoleUser, fetchConsole } from './client';

const db = database(env.DB);
let grace: ConsoleUser;
let alan: ConsoleUser;

type Seed = { id: string; outcome: 'review' | 'escalate' | 'auto_reply' | 'ignore'; subject: string; text: string; from?: string; receivedAt: number; owner?: string };

const T0 = Date.UTC(2026, 10, 1, 9);

async function seed(rows: Seed[]) {
  for (const row of rows) {
    await db.insert(tickets).values({
      id: row.id,
      source: 'api',
      messageId: `${row.id}@customer.example`,
      threadId: `${row.id}@customer.example`,
      fromAddress: row.from ?? `${row.id}@customer.example`,
      subject: row.subject,
      bodyText: row.text,
      status: 'done',
      owner: row.owner ?? null,
      receivedAt: row.receivedAt,
      updatedAt: row.receivedAt,
    });
    await db.insert(decisions).values({
      id: `dec_${row.id}`,
      ticketId: row.id,
      outcome: row.outcome,
      reasons: [row.outcome === 'review' ? 'below_auto_threshold' : 'confident_grounded'],
      confidence: 0.6,
      thresholds: { autoReply: 0.72, review: 0.45 },
      suggestedReply: `Hi,\n\nhere is how: ${row.subject}.`,
      decidedAt: row.receivedAt + 1000,
    });
  }
}

const ids = (html: string) => [...html.matchAll(/<tr data-href="\/console\/tickets\/([^"]+)"/g)].map((m) => decodeURIComponent(m[1]!));

beforeAll(async () => {
  await seed([
    { id: 'tkt_q_invoice', outcome: 'review', subject: 'Invoice emails', text: 'My invoices never reach the Zanzibar office, what do I check?', receivedAt: T0 + 5 },
    { id: 'tkt_q_refund', outcome: 'escalate', subject: 'Money back', text: 'I want a refund for last month.', from: 'ada@lovelace.example', receivedAt: T0 + 4 },
    { id: 'tkt_q_auto', outcome: 'auto_reply', subject: 'Password', text: 'How do I reset my password?', receivedAt: T0 + 3 },
    { id: 'tkt_q_owned', outcome: 'escalate', subject: 'Angry', text: 'Third time the app lost my data.', receivedAt: T0 + 2, owner: 'Alan' },
  ]);
  // Enough review drafts for three pages of 50.
  await seed(
    Array.from({ length: 120 }, (_, i) => ({
      id: `tkt_page_${String(i).padStart(3, '0')}`,
      outcome: 'review' as const,
      subject: `Paged question ${i}`,
      text: `Question number ${i} about exports.`,
      receivedAt: T0 - 1000 - (i % 40), // ties in received_at: the cursor must still neither skip nor repeat
    })),
  );
  grace = await ConsoleUser.login('Grace');
  alan = await ConsoleUser.login('Alan');
});

describe('the queue', () => {
  it('finds tickets by subject, sender, text, ticket id and Message-ID, and shows a preview of the text', async () => {
    expect(ids(await grace.page('/console?view=all&q=zanzibar'))).toEqual(['tkt_q_invoice']);
    expect(ids(await grace.page('/console?view=all&q=ADA%40LOVELACE'))).toEqual(['tkt_q_refund']);
    expect(ids(await grace.page('/console?view=all&q=tkt_q_auto'))).toEqual(['tkt_q_auto']);
    expect(ids(await grace.page('/console?view=all&q=%3Ctkt_q_owned%40customer.example%3E'))).toEqual(['tkt_q_owned']);
    expect(ids(await grace.page('/console?view=all&q=100%25'))).toEqual([]);
    const page = await grace.page('/console?view=all&q=zanzibar');
    expect(page).toContain('<div class="preview">My invoices never reach the Zanzibar office, what do I check?</div>');
  });

  it('"waiting" lists only tickets no person has acted on; "all" lists the rest too', async () => {
    const waiting = async (q: string) => ids(await grace.page(`/console?q=${q}`));
    const all = async (q: string) => ids(await grace.page(`/console?view=all&q=${q}`));
    expect(await waiting('zanzibar')).toEqual(['tkt_q_invoice']);
    expect(await waiting('lovelace')).toEqual(['tkt_q_refund']);
    expect(await waiting('tkt_q_owned')).toEqual([]);
    expect(await all('tkt_q_owned')).toEqual(['tkt_q_owned']);
    expect(await waiting('tkt_q_auto')).toEqual([]);
    expect(await all('tkt_q_auto')).toEqual(['tkt_q_auto']);
  });

  it('"mine" is what the console user took over; "unassigned" is what nobody took', async () => {
    expect(ids(await alan.page('/console?view=all&owner=mine&q=tkt_q'))).toEqual(['tkt_q_owned']);
    expect(ids(await grace.page('/console?view=all&owner=mine&q=tkt_q'))).toEqual([]);
    expect(ids(await grace.page('/console?view=all&owner=unassigned&q=tkt_q'))).not.toContain('tkt_q_owned');
  });

  it('pages through every ticket once, by cursor, even with equal receive times', async () => {
    const seen: string[] = [];
    let path: string | null = '/console?q=paged';
    while (path) {
      const html = await grace.page(path);
      seen.push(...ids(html));
      const next = /<a href="([^"]+)" id="next-page"/.exec(html)?.[1];
      path = next ? next.replace(/&amp;/g, '&') : null;
    }
    expect(seen).toHaveLength(120);
    expect(new Set(seen).size).toBe(120);
    const bad = await grace.get('/console?cursor=not-a-cursor');
    expect(bad.status).toBe(400);
  });

  it('bulk-approves selected drafts once each; a second click reports them as already handled', async () => {
    const selected = ['tkt_page_000', 'tkt_page_001', 'tkt_page_002'];
    const body = new URLSearchParams({ _csrf: await csrfOf('/console?q=paged'), action: 'approve', back: '/console?q=paged' });
    for (const id of selected) body.append('ticket', id);
    const post = () =>
      fetchConsole('/console/bulk', { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded' }, cookies: grace.cookies });
    const first = await post();
    expect(first.status).toBe(303);
    expect(decodeURIComponent(first.headers.get('location')!.replace(/\+/g, ' '))).toContain('result=3 applied, 0 already handled');
    for (const id of selected) await waitForTicket(id, (v) => v.deliveries.some((d) => d.kind === 'email_reply' && d.status === 'sent'));
    const second = await post();
    expect(decodeURIComponent(second.headers.get('location')!.replace(/\+/g, ' '))).toContain('result=0 applied, 3 already handled');
    const rows = await db.select().from(feedback).where(eq(feedback.ticketId, 'tkt_page_001'));
    expect(rows).toEqual([expect.objectContaining({ verdict: 'approved', actor: 'Grace', channel: 'console' })]);
    expect(ids(await grace.page('/console?q=paged'))).not.toContain('tkt_page_001');
    expect(await grace.page(first.headers.get('location')!)).toContain('3 done; 0 had already been handled');
  });

  it('goes through a selection with a shadow ticket in it, sends the others, and a late bulk Reject counts the sent ones as handled', async () => {
    const selected = ['tkt_page_010', 'tkt_page_011', 'tkt_page_012'];
    await db.update(decisions).set({ mode: 'shadow', policyOutcome: 'auto_reply' }).where(eq(decisions.ticketId, 'tkt_page_011'));
    const bulk = async (action: 'approve' | 'reject') => {
      const body = new URLSearchParams({ _csrf: await csrfOf('/console?q=paged'), action, back: '/console?q=paged' });
      for (const id of selected) body.append('ticket', id);
      const response = await fetchConsole('/console/bulk', { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded' }, cookies: grace.cookies });
      expect(response.status).toBe(303);
      return response.headers.get('location')!;
    };
    const approved = await bulk('approve');
    expect(decodeURIComponent(approved.replace(/\+/g, ' '))).toContain('result=2 applied, 0 already handled, 1 in shadow');
    expect(await grace.page(approved)).toContain('1 ran in shadow, so nothing was sent for them');
    for (const id of ['tkt_page_010', 'tkt_page_012']) await waitForTicket(id, (v) => v.deliveries.some((d) => d.kind === 'email_reply' && d.status === 'sent'));
    expect(await db.select().from(deliveries).where(eq(deliveries.ticketId, 'tkt_page_011'))).toEqual([]);

    const rejected = await bulk('reject');
    expect(decodeURIComponent(rejected.replace(/\+/g, ' '))).toContain('result=1 applied, 2 already handled');
    const verdicts = await db.select({ ticketId: feedback.ticketId, verdict: feedback.verdict }).from(feedback).where(eq(feedback.verdict, 'rejected'));
    expect(verdicts.filter((v) => selected.includes(v.ticketId))).toEqual([{ ticketId: 'tkt_page_011', verdict: 'rejected' }]);
  });
});

async function csrfOf(path: string): Promise<string> {
  return /name="_csrf" value="([^"]+)"/.exec(await grace.page(path))![1]!;
}

describe('the ticket page', () => {
  it('offers every action on an open draft, with keyboard keys on the buttons', async () => {
    const html = await grace.page('/console/tickets/tkt_q_invoice');
    expect(html).toContain('data-state="open"');
    for (const id of ['id="approve"', 'id="reject"', 'id="take-over"', 'id="edit"']) expect(html).toContain(id);
  });

  it('on an auto-sent ticket, offers nothing and says it was sent automatically', async () => {
    await db.insert(deliveries).values({ id: 'dlv_q_auto', ticketId: 'tkt_q_auto', kind: 'email_reply', status: 'sent', createdAt: T0, updatedAt: T0, sentAt: T0 });
    const html = await grace.page('/console/tickets/tkt_q_auto');
    expect(html).toContain('data-state="replied"');
    expect(html).toContain('Replied: sent automatically by deflect');
    expect(html).toContain('<td>auto-replied</td>');
    expect(html).not.toContain('none yet');
    for (const id of ['id="approve"', 'id="reject"', 'id="take-over"', 'id="edit"']) expect(html).not.toContain(id);
  });

  it('shows the edited reply that went out, and who edited it', async () => {
    const edit = await grace.submit('/console/tickets/tkt_q_refund', '/console/tickets/tkt_q_refund/actions', { action: 'edit', text: 'Hi Ada, your refund is on its way.' });
    expect(edit.status).toBe(303);
    const html = await grace.page('/console/tickets/tkt_q_refund');
    expect(html).toContain('<pre id="sent-reply">Hi Ada, your refund is on its way.</pre>');
    expect(html).toContain('edited by Grace');
    expect(html).not.toContain('id="approve"');
  });

  it('on a ticket someone took over, names the owner and no longer offers to take it', async () => {
    const html = await grace.page('/console/tickets/tkt_q_owned');
    expect(html).toContain('Taken over by Alan');
    expect(html).not.toContain('id="take-over"');
  });
});

describe('the console frame', () => {
  it('/ sends a person to the console', async () => {
    const response = await fetchConsole('/');
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('/console');
  });

  it('allows only its own nonce-tagged script (the keyboard shortcuts)', async () => {
    const response = await grace.get('/console');
    const csp = response.headers.get('content-security-policy')!;
    const nonce = /script-src 'nonce-([^']+)'/.exec(csp)?.[1];
    expect(nonce).toBeTruthy();
    const html = await response.text();
    expect(html).toContain(`<script nonce="${nonce}">`);
    expect(html.match(/<script/g)).toHaveLength(1);
  });
});
