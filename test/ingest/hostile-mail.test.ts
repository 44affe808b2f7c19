// Issue 19's hostile mail, replayed through email(), the webhooks and the API:
// each one is stored and decided (never stalls or is lost), keeps what the
// customer sent for the checks, and cannot put a header line into our reply.
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import worker from '../../src/index';
import { hostileSubjects, hostileTexts } from '../../scripts/lib/hostile-inputs';
import { loadCorpus, postTicket, request, waitForTicket, type TicketView } from '../helpers';
import { emailMessage } from './samples';

beforeAll(async () => {
  await loadCorpus();
});

function mail(fields: { messageId: string; subject: string; body: string; from?: string; html?: boolean }): Uint8Array {
  const lines = [
    `From: ${fields.from ?? 'Ada Lovelace <ada@example.com>'}`,
    'To: support@tallybook.example',
    `Subject: ${fields.subject}`,
    `Message-ID: <${fields.messageId}>`,
    'MIME-Version: 1.0',
    `Content-Type: text/${fields.html ? 'html' : 'plain'}; charset=utf-8`,
    '',
    fields.body,
    '',
  ];
  return new TextEncoder().encode(lines.join('\r\n'));
}

async function viewOf(messageId: string): Promise<TicketView> {
  const response = await request(`/api/tickets?message_id=${encodeURIComponent(messageId)}`);
  expect(response.status).toBe(200);
  return response.json();
}

async function deliverMail(bytes: Uint8Array): Promise<void> {
  await worker.email(emailMessage(bytes, { from: 'ada@example.com' }), env);
}

describe('one hostile email is stored and decided, not stalled', () => {
  it('a 30,000-character subject of comment openers is cut to 998 characters and decided', async () => {
    await deliverMail(mail({ messageId: 'subject-bomb@example.com', subject: hostileSubjects().comment_openers!, body: 'How do I reset my password?' }));
    const view = await viewOf('subject-bomb@example.com');
    expect((view.ticket.subject as string).length).toBeLessThanOrEqual(998);
    expect(view.decision).not.toBeNull();
  });

  // A body of `<!-- ai` openers is the decide stage's pattern (decide/sensitive.ts); ingest's share is in hostile.test.ts.
  it('bodies of 100 KB of spaces and 100 KB of `<` are stored and decided', async () => {
    const texts = hostileTexts(100_000);
    const cases = [
      ['body-spaces@example.com', `How do I export?${' '.repeat(100_000)}`, false],
      ['body-lt@example.com', texts.lt_run!, true],
    ] as const;
    for (const [messageId, body, html] of cases) {
      await deliverMail(mail({ messageId, subject: 'Help', body, html }));
      const view = await viewOf(messageId);
      expect(view.ticket.status, messageId).not.toBe('pending');
      expect(view.decision, messageId).not.toBeNull();
    }
    expect((await viewOf('body-spaces@example.com')).ticket.text).toBe('How do I export?');
  });
});

describe('what the customer sent is kept for the checks, not only what survived stripping', () => {
  const sensitive = 'I want a refund, my lawyer will file a chargeback';
  for (const [name, body] of [
    ['signature', `How do I turn on 2FA?\n-- \n${sensitive}`],
    ['mobile footer', `How do I turn on 2FA?\n\nSent from my iPhone\n${sensitive}`],
    ['quote', `How do I turn on 2FA?\n\n> ${sensitive}`],
  ] as const) {
    it(`stores the ${name} part in text_unstripped while text is the question`, async () => {
      const messageId = `unstripped-${name.replace(' ', '-')}@example.com`;
      await deliverMail(mail({ messageId, subject: '2FA', body }));
      const view = await viewOf(messageId);
      expect(view.ticket.text).toBe('How do I turn on 2FA?');
      expect(view.ticket.text_unstripped).toContain(sensitive);
    });
  }

  it('a mail with nothing stripped stores no second copy', async () => {
    await deliverMail(mail({ messageId: 'nothing-stripped@example.com', subject: 'Export', body: 'How do I export my invoices?' }));
    expect((await viewOf('nothing-stripped@example.com')).ticket.text_unstripped).toBeNull();
  });

  it('a CR/LF in a display name becomes one line, cut at the cap', async () => {
    const name = `=?utf-8?B?${btoa(`Ada\r\nBcc: victim@example.com ${'x'.repeat(500)}`)}?=`;
    await deliverMail(mail({ messageId: 'crlf-name@example.com', subject: 'Export', body: 'How do I export?', from: `${name} <ada@example.com>` }));
    const fromName = (await viewOf('crlf-name@example.com')).ticket.from_name as string;
    expect(fromName).not.toMatch(/[\r\n]/);
    expect(fromName.length).toBeLessThanOrEqual(200);
  });
});

describe('threading ids cannot become header lines', () => {
  for (const [field, value] of [
    ['message_id', 'a@example.com>\r\nBcc: victim@example.com'],
    ['in_reply_to', '<x@example.com>\nX-Injected: yes'],
    ['in_reply_to', 'in<side>@example.com'],
  ] as const) {
    it(`the API refuses ${field} ${JSON.stringify(value)} with threading_id_invalid and stores nothing`, async () => {
      const response = await postTicket({ from: 'ada@example.com', text: 'How do I export?', [field]: value });
      expect(response.status).toBe(400);
      const body = await response.json<{ error: { code: string; fields: { field: string }[] } }>();
      expect(body.error.code).toBe('threading_id_invalid');
      expect(body.error.fields[0]!.field).toBe(field);
    });
  }

  it('the API refuses a references entry with CR/LF', async () => {
    const response = await postTicket({ from: 'ada@example.com', text: 'How do I export?', references: ['<ok@example.com>', 'b@example.com\r\nBcc: x@example.com'] });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: 'threading_id_invalid' } });
  });

  it('a forged Postmark post with CR/LF in Message-ID and References is stored with those ids dropped', async () => {
    const payload = {
      FromFull: { Email: 'ada@example.com', Name: 'Ada' },
      To: 'support@tallybook.example',
      Subject: 'Export',
      MessageID: 'pm-injected-1',
      TextBody: 'How do I export my invoices?',
      Headers: [
        { Name: 'Message-ID', Value: '<inj@example.com>\r\nBcc: victim@example.com' },
        { Name: 'References', Value: '<good@example.com> <bad@example.com\r\nX-Injected: 1>' },
      ],
    };
    const response = await request('/webhooks/postmark?token=test-postmark-token', {
      method: 'POST',
      token: null,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(payload),
    });
    expect(response.status).toBe(200);
    const view = await viewOf('pm-injected-1@postmark.invalid');
    expect(view.ticket.references).toEqual(['good@example.com']);
    expect(view.ticket.sender_authenticated).toBeNull();
  });
});

describe('auto-reply caps', () => {
  async function seedAutoReplies(count: number, from: string, decidedAt: number) {
    const statements = Array.from({ length: count }, (_, i) => [
      env.DB.prepare(
        "INSERT INTO tickets (id, source, message_id, thread_id, from_address, sender_key, status, received_at, updated_at) VALUES (?, 'api', ?, ?, ?, ?, 'done', ?, ?)",
      ).bind(`tkt_seed_${from}_${i}`, `seed-${from}-${i}`, `seed-${from}-${i}`, from, from, decidedAt, decidedAt),
      env.DB.prepare(
        "INSERT INTO decisions (id, ticket_id, outcome, reasons, thresholds, decided_at) VALUES (?, ?, 'auto_reply', '[]', '{\"autoReply\":0.72,\"review\":0.45}', ?)",
      ).bind(`dec_seed_${from}_${i}`, `tkt_seed_${from}_${i}`, decidedAt),
    ]);
    await env.DB.batch(statements.flat());
  }

  it('the per-sender cap counts Flood+53@ and flood@ as one sender', async () => {
    await seedAutoReplies(5, 'flood@example.com', Date.now() - 60 * 60 * 1000);
    const response = await postTicket({ from: 'Flood+53@Example.com', subject: 'Password', text: 'I forgot my password. How do I reset it?' });
    const { ticket_id } = await response.json<{ ticket_id: string }>();
    const view = await waitForTicket(ticket_id);
    expect(view.decision!.reasons).toContain('sender_cap_reached');
    expect(view.decision!.outcome).not.toBe('auto_reply');
  });

  // Last in the file: the seeded rows hold every later auto-reply in this database.
  it('beyond the deployment-wide per-minute limit, a draft waits for a person (deployment_reply_limit)', async () => {
    await seedAutoReplies(30, 'many@example.com', Date.now());
    const response = await postTicket({ from: 'new@example.com', subject: 'Password', text: 'I forgot my password. How do I reset it?' });
    const { ticket_id } = await response.json<{ ticket_id: string }>();
    const view = await waitForTicket(ticket_id);
    expect(view.decision!.reasons).toContain('deployment_reply_limit');
    expect(view.decision!.outcome).not.toBe('auto_reply');
  });
});
