// Email Routing end to end: inline replies through message.reply(), threading,
// redelivery, the fallback to the queue, and the guard reasons that need state.
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildDeps } from '../../src/deps';
import { receiveEmail } from '../../src/pipeline';
import { guardDraft } from '../../src/ingest/guard';
import { draftFromMime } from '../../src/ingest/mime';
import worker from '../../src/index';
import type { Retriever } from '../../src/retrieval/types';
import { getTicket, loadCorpus, request, waitForTicket, type TicketView } from '../helpers';
import { emailMessage, MIME_SAMPLES, type TestEmail } from './samples';

beforeAll(async () => {
  await loadCorpus();
});

/** A plain customer email, as a mail client would send it. */
function customerMail(fields: { messageId: string; from?: string; subject: string; text: string; inReplyTo?: string; headers?: string[] }): Uint8Array {
  const lines = [
    ...(fields.headers ?? []),
    `From: Ada Lovelace <${fields.from ?? 'ada@example.com'}>`,
    'To: support@tallybook.example',
    `Subject: ${fields.subject}`,
    'Date: Wed, 25 Nov 2026 10:00:00 +0000',
    `Message-ID: <${fields.messageId}>`,
    ...(fields.inReplyTo ? [`In-Reply-To: <${fields.inReplyTo}>`, `References: <${fields.inReplyTo}>`] : []),
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    fields.text,
    '',
  ];
  return new TextEncoder().encode(lines.join('\r\n'));
}

async function deliver(message: TestEmail, environment: Env = env): Promise<void> {
  await worker.email(message, environment);
}

async function ticketFor(messageId: string): Promise<TicketView> {
  const response = await request(`/api/tickets?message_id=${encodeURIComponent(messageId)}`);
  expect(response.status).toBe(200);
  return response.json();
}

const PASSWORD_QUESTION = 'I forgot my password. How do I reset it?';

/** What Email Routing prepends on receipt when the sender's domain passed DMARC. */
const ROUTING_DMARC_PASS = 'ARC-Authentication-Results: i=1; mx.cloudflare.net; dkim=pass header.d=example.com; dmarc=pass header.from=example.com; spf=pass smtp.mailfrom=ada@example.com';

describe('email() answers inline through message.reply()', () => {
  it('auto-replies to a docs question in the same event, threaded and marked automatic', async () => {
    const message = emailMessage(customerMail({ messageId: 'inline-1@example.com', subject: 'Password', text: PASSWORD_QUESTION }), { from: 'ada@example.com' });
    await deliver(message);
    const view = await ticketFor('inline-1@example.com');
    expect(view.ticket).toMatchObject({ status: 'done', source: 'email', text: PASSWORD_QUESTION });
    expect(view.decision).toMatchObject({ outcome: 'auto_reply' });
    expect(message.replies).toHaveLength(1);
    expect(message.replies[0]).toMatchObject({ from: 'support@tallybook.example', to: 'ada@example.com' });
    const [delivery] = view.deliveries;
    expect(delivery).toMatchObject({ kind: 'email_reply', status: 'sent', attempts: 1 });
    expect(delivery!.payload).toContain('In-Reply-To: <inline-1@example.com>');
    expect(delivery!.payload).toContain('Auto-Submitted: auto-replied');
  });

  it('redelivered three times, the same message yields one ticket, one decision and one reply', async () => {
    const bytes = customerMail({ messageId: 'redelivered@example.com', subject: 'Password', text: PASSWORD_QUESTION });
    const deliveries = [0, 1, 2].map(() => emailMessage(bytes, { from: 'ada@example.com' }));
    for (const message of deliveries) await deliver(message);
    const rows = await env.DB.prepare("SELECT id FROM tickets WHERE message_id = 'redelivered@example.com'").all();
    expect(rows.results).toHaveLength(1);
    const view = await ticketFor('redelivered@example.com');
    const decisions = await env.DB.prepare('SELECT count(*) AS n FROM decisions WHERE ticket_id = ?').bind(view.ticket.id).first<{ n: number }>();
    expect(decisions!.n).toBe(1);
    expect(deliveries.map((m) => m.replies.length)).toEqual([1, 0, 0]);
  });

  it('when reply() is refused for an authenticated sender, the outbox sends the answer with the configured mailer instead', async () => {
    const message = emailMessage(
      customerMail({ messageId: 'dmarc-fail@example.com', subject: 'Password', text: PASSWORD_QUESTION, headers: [ROUTING_DMARC_PASS] }),
      { from: 'ada@example.com' },
      { replyFails: true },
    );
    await deliver(message);
    const { ticket } = await ticketFor('dmarc-fail@example.com');
    const view = await waitForTicket(ticket.id, (v) => v.deliveries.some((d) => d.status === 'sent'));
    expect(message.replies).toEqual([]);
    expect(view.deliveries).toMatchObject([{ kind: 'email_reply', status: 'sent' }]);
    expect(view.deliveries[0]!.payload).toContain('In-Reply-To: <dmarc-fail@example.com>');
  });

  it('leaves the ticket pending and enqueued when the pipeline cannot finish inline; the queue finishes it', async () => {
    const failing: Retriever = { name: 'lexical', retrieve: () => Promise.reject(new Error('D1 busy')) };
    const message = emailMessage(customerMail({ messageId: 'deferred@example.com', subject: 'Password', text: PASSWORD_QUESTION, headers: [ROUTING_DMARC_PASS] }), { from: 'ada@example.com' });
    const { ticket } = await receiveEmail(message, buildDeps(env, { retriever: failing }));
    expect(message.replies).toEqual([]);
    const view = await waitForTicket(ticket.id, (v) => v.ticket.status === 'done' && v.deliveries.every((d) => d.status === 'sent'));
    expect(view.ticket.attempts).toBe(2);
    expect(view.decision).toMatchObject({ outcome: 'auto_reply' });
    expect(view.deliveries).toMatchObject([{ kind: 'email_reply', status: 'sent' }]);
  });
});

describe('no backscatter: a forged From is never answered through another mailer', () => {
  it('a spoofed sender whose reply() is refused gets no email; the ticket goes to a person as sender_unverified', async () => {
    const forged = 'ARC-Authentication-Results: i=1; mx.cloudflare.net; dkim=none; dmarc=fail header.from=example.com; spf=fail smtp.mailfrom=attacker@evil.example';
    const message = emailMessage(
      customerMail({ messageId: 'spoofed@example.com', from: 'victim@example.com', subject: 'Password', text: PASSWORD_QUESTION, headers: [forged] }),
      { from: 'attacker@evil.example' },
      { replyFails: true },
    );
    await deliver(message);
    const view = await ticketFor('spoofed@example.com');
    expect(view.ticket).toMatchObject({ status: 'done', sender_authenticated: false });
    expect(view.decision).toMatchObject({ outcome: 'escalate' });
    expect(view.decision!.reasons).toContain('sender_unverified');
    expect(message.replies).toEqual([]);
    expect(view.deliveries.find((d) => d.kind === 'email_reply')).toMatchObject({ status: 'skipped', last_error: 'sender_unverified' });
    // The escalation reaches the team's channel like any other.
    expect(view.deliveries.map((d) => d.kind)).toContain('slack');
  });

  it('a sender-written Authentication-Results claiming a pass is not trusted (wrong authserv-id)', async () => {
    const selfSigned = 'Authentication-Results: mail.evil.example; dmarc=pass header.from=example.com';
    const message = emailMessage(
      customerMail({ messageId: 'self-signed@example.com', from: 'victim@example.com', subject: 'Password', text: PASSWORD_QUESTION, headers: [selfSigned] }),
      { from: 'attacker@evil.example' },
      { replyFails: true },
    );
    await deliver(message);
    const view = await ticketFor('self-signed@example.com');
    expect(view.ticket.sender_authenticated).toBeNull();
    expect(view.decision!.reasons).toContain('sender_unverified');
    expect(message.replies).toEqual([]);
  });
});

describe('threading', () => {
  it('sends a follow-up on an escalated thread to the humans, never to the auto-responder', async () => {
    const first = emailMessage(
      customerMail({
        messageId: 'dispute-1@example.com',
        from: 'grace@example.com',
        subject: 'Unauthorized charge',
        text: 'You charged my card again after I cancelled. Reverse it now or I will file a chargeback with my bank.',
      }),
      { from: 'grace@example.com' },
    );
    await deliver(first);
    expect((await ticketFor('dispute-1@example.com')).decision).toMatchObject({ outcome: 'escalate' });

    // The same docs question that is auto-answered on its own (above), asked inside the escalated thread.
    const followUp = emailMessage(
      customerMail({ messageId: 'dispute-2@example.com', from: 'grace@example.com', subject: 'Re: Unauthorized charge', text: PASSWORD_QUESTION, inReplyTo: 'dispute-1@example.com' }),
      { from: 'grace@example.com' },
    );
    await deliver(followUp);
    const view = await ticketFor('dispute-2@example.com');
    expect(view.ticket.thread_id).toBe('dispute-1@example.com');
    expect(view.ticket.in_reply_to).toBe('dispute-1@example.com');
    expect(view.decision!.outcome).toBe('escalate');
    expect(view.decision!.reasons).toContain('thread_handled_by_human');
    expect(followUp.replies).toEqual([]);
    expect(view.deliveries.filter((d) => d.kind === 'email_reply')).toEqual([]);
  });
});

describe('guard reasons that need state or config, with real samples', () => {
  it('ignores a sender over the daily ticket cap (its +tag addresses count as one), and still stores the mail', async () => {
    const now = Date.now();
    const statements = Array.from({ length: 50 }, (_, i) =>
      env.DB.prepare(
        "INSERT INTO tickets (id, source, message_id, thread_id, from_address, sender_key, status, received_at, updated_at) VALUES (?, 'email', ?, ?, 'test+list@lindsaar.net', 'test@lindsaar.net', 'done', ?, ?)",
      ).bind(`tkt_cap_${i}`, `cap-${i}@example.com`, `cap-${i}@example.com`, now - 1000, now - 1000),
    );
    await env.DB.batch(statements);
    await deliver(emailMessage(MIME_SAMPLES['plain-basic-crlf.eml']!, { from: 'test@lindsaar.net' }));
    const view = await ticketFor('6B7EC235-5B17-4CA8-B2B8-39290DEB43A3@test.lindsaar.net');
    expect(view.ticket).toMatchObject({ status: 'ignored', guard_reason: 'sender_ticket_cap', text: 'Plain email.\n\nHope it works well!\n\nMikel' });
    expect(view.decision).toMatchObject({ outcome: 'ignore', reasons: ['sender_ticket_cap'] });
  });

  it('refuses a message over MAX_EMAIL_BYTES at SMTP, keeping its headers and the reason', async () => {
    const message = emailMessage(MIME_SAMPLES['attach-calendar-invite.eml']!, { from: 'andris@postalsys.com' });
    await deliver(message, { ...env, MAX_EMAIL_BYTES: '40000' } as Env);
    expect(message.rejections).toEqual(['Message too large: this mailbox accepts up to 40000 bytes']);
    const view = await ticketFor('calendar-7791cb16-a4f3-43ae-a9a0-ed4003535ae7@google.com');
    expect(view.ticket).toMatchObject({ status: 'ignored', guard_reason: 'message_too_large', text: '' });
    expect(view.decision).toMatchObject({ outcome: 'ignore', reasons: ['message_too_large'] });
  });

  it('treats an empty envelope sender (a bounce by RFC 5321) as a bounce even without bounce headers', async () => {
    await deliver(emailMessage(MIME_SAMPLES['rfc2047-b-encoded-name-with-comma.eml']!, { from: '' }));
    const view = await ticketFor('1234567890-1234-4567@example.com');
    expect(view.ticket).toMatchObject({ status: 'ignored', guard_reason: 'bounce' });
  });

  it('never answers mail from our own support address', async () => {
    const draft = await draftFromMime({ bytes: MIME_SAMPLES['plain-basic-lf.eml']!, source: 'email' }, buildDeps(env).config);
    expect(guardDraft(draft, { SUPPORT_ADDRESS: 'test@lindsaar.net' })).toBe('own_address');
    expect(guardDraft(draft, { SUPPORT_ADDRESS: 'support@tallybook.example' })).toBeNull();
  });

  it('refuses a message that names no sender at all', async () => {
    const draft = await draftFromMime({ bytes: MIME_SAMPLES['malformed-not-an-email.eml']!, source: 'email' }, buildDeps(env).config);
    expect(draft.from.address).toBe('');
    expect(guardDraft(draft, { SUPPORT_ADDRESS: 'support@tallybook.example' })).toBe('no_sender');
  });
});

describe('GET /api/tickets/:id/raw', () => {
  it('needs the API token', async () => {
    expect((await request('/api/tickets/tkt_x/raw', { token: null })).status).toBe(401);
  });

  it('answers 404 when nothing is stored for the ticket', async () => {
    const response = await request('/api/tickets/tkt_missing/raw');
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: { code: 'not_found' } });
  });

  it('returns the stored ticket of a delivered message byte for byte', async () => {
    await deliver(emailMessage(MIME_SAMPLES['charset-koi8-r-base64.eml']!, { from: 'new@thunderbird.bug' }));
    const { ticket } = await ticketFor('04.eml@mime.sample');
    expect((await getTicket(ticket.id)).ticket.raw_ref).toBe(`d1:raw_messages/${ticket.id}`);
    const response = await request(`/api/tickets/${ticket.id}/raw`);
    expect(new Uint8Array(await response.arrayBuffer())).toEqual(MIME_SAMPLES['charset-koi8-r-base64.eml']);
  });
});

describe('ReplyMailer', () => {
  it('replies from the address that received the mail when SUPPORT_ADDRESS is on another domain', async () => {
    const message = emailMessage(customerMail({ messageId: 'other-domain@example.com', from: 'lin@example.com', subject: 'Password', text: PASSWORD_QUESTION }), {
      from: 'lin@example.com',
      to: 'help@tallybook-mail.example',
    });
    await deliver(message);
    expect(message.replies).toHaveLength(1);
    expect(message.replies[0]).toMatchObject({ from: 'help@tallybook-mail.example', to: 'lin@example.com' });
    const [delivery] = (await ticketFor('other-domain@example.com')).deliveries;
    expect(delivery!.payload).toMatch(/^From: .*<help@tallybook-mail\.example>/m);
  });
});
