// The provider webhooks with their real sample payloads (shared/data/webhooks):
// caller verification, normalisation, retries and the status each provider needs.
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { app } from '../../src/app';
import { getTicket, request, waitForTicket, type TicketView } from '../helpers';
import { httpCapture, webhookSample } from './samples';

const decoder = new TextDecoder();

function basic(user: string, password: string): string {
  return `Basic ${btoa(`${user}:${password}`)}`;
}

async function post(path: string, body: BodyInit, headers: Record<string, string>): Promise<Response> {
  return request(path, { method: 'POST', token: null, body, headers });
}

type AcceptedBody = { ticket_id: string; status: string; duplicate: boolean };

async function ticketsWithMessageId(messageId: string): Promise<number> {
  const row = await env.DB.prepare('SELECT count(*) AS n FROM tickets WHERE message_id = ?').bind(messageId).first<{ n: number }>();
  return row!.n;
}

async function decisionsFor(ticketId: string): Promise<number> {
  const row = await env.DB.prepare('SELECT count(*) AS n FROM decisions WHERE ticket_id = ?').bind(ticketId).first<{ n: number }>();
  return row!.n;
}

/** A D1 that is down: every statement fails, as during an outage. */
const downDb = new Proxy({} as D1Database, {
  get: () => () => {
    throw new Error('D1_ERROR: database unavailable');
  },
});

async function postWithDatabaseDown(path: string, body: BodyInit, headers: Record<string, string>): Promise<Response> {
  const ctx = createExecutionContext();
  const response = await app.fetch(new Request(`https://deflect.test${path}`, { method: 'POST', body, headers }), { ...env, DB: downDb }, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

describe('POST /webhooks/postmark', () => {
  const supportReply = webhookSample('postmark/inbound-support-reply.activecampaign-docs.json');
  const json = { 'content-type': 'application/json' };
  const auth = { ...json, authorization: basic('postmark', 'test-postmark-token') };

  it('refuses missing or wrong credentials with 401 unauthorized and stores nothing', async () => {
    for (const headers of [json, { ...json, authorization: basic('postmark', 'wrong') }]) {
      const response = await post('/webhooks/postmark', supportReply, headers);
      expect(response.status).toBe(401);
      expect(await response.json()).toMatchObject({ error: { code: 'unauthorized' } });
    }
    expect((await post('/webhooks/postmark?token=wrong', supportReply, json)).status).toBe(401);
    expect(await ticketsWithMessageId('CAExample123@mail.example.com')).toBe(0);
  });

  it('stores the documented inbound payload: StrippedTextReply, Message-ID from Headers, attachment metadata', async () => {
    const response = await post('/webhooks/postmark', supportReply, auth);
    expect(response.status).toBe(200);
    const body = (await response.json()) as AcceptedBody;
    expect(body).toMatchObject({ status: 'received', duplicate: false });
    const view = await getTicket(body.ticket_id);
    expect(view.ticket).toMatchObject({
      source: 'postmark',
      message_id: 'CAExample123@mail.example.com',
      from: 'john@example.com',
      from_name: 'John Doe',
      subject: 'Re: Issue with my order',
      text: "I still haven't received my order.",
      attachments: [{ filename: 'screenshot.png', mimeType: 'image/png', size: 45892 }],
    });
  });

  it('accepts the token in the URL and strips quotes and signatures when Postmark did not', async () => {
    const response = await post('/webhooks/postmark?token=test-postmark-token', webhookSample('postmark/inbound-capture-2013-valid.json'), json);
    expect(response.status).toBe(200);
    const { ticket } = await getTicket(((await response.json()) as AcceptedBody).ticket_id);
    expect(ticket).toMatchObject({ from: 'james@opennorth.ca', from_name: 'James McKinney', subject: 'Test' });
    expect(ticket.text).toBe('bold text\n\nsome more bold text\n\nsome italic text');
  });

  it('redelivered three times, the test payload yields one ticket and one decision', async () => {
    const payload = webhookSample('postmark/inbound-test-payload.postmarker.json');
    const bodies: AcceptedBody[] = [];
    for (let i = 0; i < 3; i++) {
      const response = await post('/webhooks/postmark', payload, auth);
      expect(response.status).toBe(200);
      bodies.push((await response.json()) as AcceptedBody);
    }
    expect(bodies.map((b) => b.duplicate)).toEqual([false, true, true]);
    expect(new Set(bodies.map((b) => b.ticket_id)).size).toBe(1);
    const view = await waitForTicket(bodies[0]!.ticket_id);
    expect(await ticketsWithMessageId(view.ticket.message_id)).toBe(1);
    expect(await decisionsFor(view.ticket.id)).toBe(1);
  });

  it('answers 403 (Postmark stops retrying) for a payload with no message, and keeps it for the audit', async () => {
    const response = await post('/webhooks/postmark', '{"Subject":"no sender"}', auth);
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ error: { code: 'webhook_payload_invalid' } });
    const rejected = await env.DB.prepare("SELECT id, status, guard_reason FROM tickets WHERE source = 'postmark' AND guard_reason = 'unparseable'").first<{
      id: string;
      status: string;
    }>();
    expect(rejected).toMatchObject({ status: 'ignored' });
    expect(await (await request(`/api/tickets/${rejected!.id}/raw`)).text()).toBe('{"Subject":"no sender"}');
    expect((await post('/webhooks/postmark', 'not json', auth)).status).toBe(403);
  });

  it('answers 503 storage_unavailable when D1 is down, so Postmark retries', async () => {
    const response = await postWithDatabaseDown('/webhooks/postmark', supportReply, auth);
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ error: { code: 'storage_unavailable' } });
  });
});

describe('POST /webhooks/sendgrid', () => {
  const multipart = { 'content-type': 'multipart/form-data; boundary=xYzZY' };
  const auth = { ...multipart, authorization: basic('sendgrid', 'test-sendgrid-password') };

  it('refuses missing or wrong Basic auth with 401', async () => {
    const sample = webhookSample('sendgrid/inbound-parse-default-data.sendgrid-python.multipart.crlf.txt');
    expect((await post('/webhooks/sendgrid', sample, multipart)).status).toBe(401);
    const wrong = await post('/webhooks/sendgrid', sample, { ...multipart, authorization: basic('sendgrid', 'nope') });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ error: { code: 'unauthorized' } });
  });

  it('stores a parsed-mode post (header block decoded, text field as the body); three deliveries make one ticket and one decision', async () => {
    const response = await post('/webhooks/sendgrid', webhookSample('sendgrid/inbound-parse-default-data.sendgrid-python.multipart.crlf.txt'), auth);
    expect(response.status).toBe(200);
    const { ticket } = await getTicket(((await response.json()) as AcceptedBody).ticket_id);
    expect(ticket).toMatchObject({ source: 'sendgrid', from: 'test@example.com', from_name: 'Example User', subject: 'Inbound Parse Test Data', text: 'Hello Twilio SendGrid!' });
    // No Message-ID in the sample: a stable derived identity, so a retry finds this ticket.
    expect(ticket.message_id).toMatch(/^derived-[0-9a-f]{32}@deflect\.invalid$/);
    for (let i = 0; i < 2; i++) {
      const again = await post('/webhooks/sendgrid', webhookSample('sendgrid/inbound-parse-default-data.sendgrid-python.multipart.crlf.txt'), auth);
      expect(await again.json()).toMatchObject({ ticket_id: ticket.id, duplicate: true });
    }
    await waitForTicket(ticket.id);
    expect(await ticketsWithMessageId(ticket.message_id)).toBe(1);
    expect(await decisionsFor(ticket.id)).toBe(1);
  });

  it('decodes each field in the charset SendGrid declares (windows-1252 text)', async () => {
    const capture = httpCapture('sendgrid/inbound-parse-capture-2013-encoding.http');
    const response = await post('/webhooks/sendgrid', capture.body, { 'content-type': capture.headers.get('content-type')!, authorization: auth.authorization });
    expect(response.status).toBe(200);
    const { ticket } = await getTicket(((await response.json()) as AcceptedBody).ticket_id);
    expect(ticket.text).toBe('World €');
    expect(ticket.subject).toBe('Hello €');
  });

  it('takes the recipient from the SMTP envelope, not the sender-written To header', async () => {
    const form = new FormData();
    form.set('headers', `From: Ada <ada@example.com>\r\nTo: sales@tallybook.example\r\nSubject: Password\r\nMessage-ID: <${crypto.randomUUID()}@example.com>`);
    form.set('text', 'I forgot my password. How do I reset it?');
    form.set('envelope', JSON.stringify({ to: ['support@tallybook.example'], from: 'ada@example.com' }));
    const encoded = new Request('http://form.local', { method: 'POST', body: form });
    const body = new Uint8Array(await encoded.arrayBuffer());
    const response = await post('/webhooks/sendgrid', body, { 'content-type': encoded.headers.get('content-type')!, authorization: auth.authorization });
    expect(response.status).toBe(200);
    const { ticket } = await getTicket(((await response.json()) as AcceptedBody).ticket_id);
    expect(ticket.to).toBe('support@tallybook.example');
  });

  it('records the 2013 capture’s attachments as metadata', async () => {
    const capture = httpCapture('sendgrid/inbound-parse-capture-2013-valid.http');
    const response = await post('/webhooks/sendgrid', capture.body, { 'content-type': capture.headers.get('content-type')!, authorization: auth.authorization });
    expect(response.status).toBe(200);
    const { ticket } = await getTicket(((await response.json()) as AcceptedBody).ticket_id);
    const attachments = ticket.attachments as { filename: string }[];
    expect(attachments).toHaveLength(4);
    expect(attachments.map((a) => a.filename)).toEqual(expect.arrayContaining(['foo.txt', 'bar.txt']));
  });

  it('parses raw mode (the whole MIME message in `email`), attachments included', async () => {
    const response = await post('/webhooks/sendgrid', webhookSample('sendgrid/inbound-parse-raw-data-with-attachments.sendgrid-python.multipart.crlf.txt'), auth);
    expect(response.status).toBe(200);
    const { ticket } = await getTicket(((await response.json()) as AcceptedBody).ticket_id);
    expect(ticket.source).toBe('sendgrid');
    expect(ticket.from).toBe('test@example.com');
    expect(ticket.attachments).toEqual([expect.objectContaining({ filename: 'SendGrid.jpg', mimeType: 'image/jpeg' })]);
    const raw = await post('/webhooks/sendgrid', webhookSample('sendgrid/inbound-parse-raw-data.sendgrid-python.multipart.crlf.txt'), auth);
    expect(raw.status).toBe(200);
    expect((await getTicket(((await raw.json()) as AcceptedBody).ticket_id)).ticket.text).not.toBe('');
  });

  it('accepts the SDK sample with bare LF line breaks as the same message as its CRLF twin', async () => {
    const crlf = await post('/webhooks/sendgrid', webhookSample('sendgrid/inbound-parse-default-data.sendgrid-python.multipart.crlf.txt'), auth);
    const lf = await post('/webhooks/sendgrid', webhookSample('sendgrid/inbound-parse-default-data.sendgrid-python.multipart.txt'), auth);
    expect(lf.status).toBe(200);
    expect(((await lf.json()) as AcceptedBody).ticket_id).toBe(((await crlf.json()) as AcceptedBody).ticket_id);
  });

  it('answers 400 (SendGrid retries only 5xx) to a post that carries no message, and keeps it', async () => {
    const notParse = new TextEncoder().encode('--xYzZY\r\nContent-Disposition: form-data; name="sender_ip"\r\n\r\n0.0.0.0\r\n--xYzZY--\r\n');
    const response = await post('/webhooks/sendgrid', notParse, auth);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: 'webhook_payload_invalid' } });
    const rejected = await env.DB.prepare("SELECT id FROM tickets WHERE source = 'sendgrid' AND guard_reason = 'unparseable'").first<{ id: string }>();
    const stored = await request(`/api/tickets/${rejected!.id}/raw`);
    expect(new Uint8Array(await stored.arrayBuffer())).toEqual(notParse);
    const plain = await post('/webhooks/sendgrid', 'hello', { 'content-type': 'text/plain', authorization: auth.authorization });
    expect(plain.status).toBe(400);
  });

  it('answers 503 when D1 is down, so SendGrid retries', async () => {
    const response = await postWithDatabaseDown('/webhooks/sendgrid', webhookSample('sendgrid/inbound-parse-default-data.sendgrid-python.multipart.crlf.txt'), auth);
    expect(response.status).toBe(503);
  });
});

describe('POST /webhooks/mailgun', () => {
  /** Mailgun signs each POST when it sends it: re-sign a captured body with key `foo` at the current time. */
  async function resign(body: Uint8Array, old: { timestamp: string; token: string; signature: string }, token: string): Promise<Uint8Array> {
    const timestamp = String(Math.floor(Date.now() / 1000));
    const key = await crypto.subtle.importKey('raw', new TextEncoder().encode('foo'), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(timestamp + token)));
    const signature = [...mac].map((b) => b.toString(16).padStart(2, '0')).join('');
    let binary = '';
    for (const byte of body) binary += String.fromCharCode(byte);
    const replaced = binary.replace(old.timestamp, timestamp).replace(old.token, token).replace(old.signature, signature);
    return Uint8Array.from(replaced, (c) => c.charCodeAt(0));
  }

  const captured = { timestamp: '1366071615', token: '5o56tmpwd3dnwthehwclemd-i-7u2gv9vb3u745ywj67d0mc87', signature: 'bc2ab6c1080d52f2a06928b93f21e86c2d28c548e2ef64354f8ba1a95bb53cd6' };

  it('refuses the captured payload as stale: its signature is valid but from 2013', async () => {
    const capture = httpCapture('mailgun/route-capture-2013-parsed-valid.http');
    const response = await post('/webhooks/mailgun', capture.body, { 'content-type': capture.headers.get('content-type')! });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: { code: 'webhook_timestamp_stale' } });
  });

  it('refuses a wrong or missing signature with 401 webhook_signature_invalid', async () => {
    for (const name of ['mailgun/route-capture-2013-parsed-invalid.http', 'mailgun/route-capture-2013-parsed-spam.http']) {
      const capture = httpCapture(name);
      const response = await post('/webhooks/mailgun', capture.body, { 'content-type': capture.headers.get('content-type')! });
      expect(response.status).toBe(401);
      expect(await response.json()).toMatchObject({ error: { code: 'webhook_signature_invalid' } });
    }
    const unsigned = await post('/webhooks/mailgun', 'sender=a%40example.com&subject=hi', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(unsigned.status).toBe(401);
  });

  it('stores a freshly signed parsed post, then refuses replays of its token: one ticket, one decision', async () => {
    const capture = httpCapture('mailgun/route-capture-2013-parsed-valid.http');
    const body = await resign(capture.body, captured, `tok-${crypto.randomUUID()}`);
    const headers = { 'content-type': capture.headers.get('content-type')! };
    const first = await post('/webhooks/mailgun', body, headers);
    expect(first.status).toBe(200);
    const { ticket_id } = (await first.json()) as AcceptedBody;
    for (let i = 0; i < 2; i++) {
      const replay = await post('/webhooks/mailgun', body, headers);
      expect(replay.status).toBe(406);
      expect(await replay.json()).toMatchObject({ error: { code: 'webhook_replayed' } });
    }
    const view: TicketView = await waitForTicket(ticket_id);
    expect(view.ticket).toMatchObject({ source: 'mailgun', message_id: 'E102015D-F580-4316-81FA-7324838A3AE8@opennorth.ca', from: 'james@opennorth.ca', subject: 'Test' });
    expect((view.ticket.attachments as unknown[]).length).toBe(2);
    expect(await ticketsWithMessageId('E102015D-F580-4316-81FA-7324838A3AE8@opennorth.ca')).toBe(1);
    expect(await decisionsFor(ticket_id)).toBe(1);
  });

  it('uses stripped-text and keeps In-Reply-To/References (route tester fields, urlencoded)', async () => {
    const fields = JSON.parse(decoder.decode(webhookSample('mailgun/route-forward-fields.route-tester.json'))) as Record<string, string>;
    const body = new TextEncoder().encode(new URLSearchParams(fields).toString());
    const signed = await resign(body, { timestamp: fields.timestamp!, token: fields.token!, signature: fields.signature! }, `tok-${crypto.randomUUID()}`);
    const response = await post('/webhooks/mailgun', signed, { 'content-type': 'application/x-www-form-urlencoded' });
    expect(response.status).toBe(200);
    const { ticket } = await getTicket(((await response.json()) as AcceptedBody).ticket_id);
    expect(ticket).toMatchObject({
      text: 'Hi Alice,\n\nThis is Bob.\n\nI also attached a file.',
      in_reply_to: '517AC78B.5060404@sandbox085a3b878a964897b9b9efb2395a1f5a.mailgun.org',
      references: ['517AC78B.5060404@sandbox085a3b878a964897b9b9efb2395a1f5a.mailgun.org'],
      subject: 'Re: Sample POST request',
    });
  });

  it("counts Mailgun's DKIM pass only when the From domain signed: a forged From signed by the sender's own domain is not authenticated", async () => {
    const fields = JSON.parse(decoder.decode(webhookSample('mailgun/route-forward-fields.route-tester.json'))) as Record<string, string>;
    const authenticated = async (from: string, signers: string[]) => {
      const headers = signers.map((d) => ['DKIM-Signature', `v=1; a=rsa-sha256; c=relaxed/relaxed; d=${d}; s=mg; h=from:to:subject`]);
      const forged = { ...fields, from, From: from, sender: 'bounce@evil.example', 'X-Mailgun-Spf': 'Fail', 'X-Mailgun-Dkim-Check-Result': 'Pass', 'message-headers': JSON.stringify(headers), 'Message-Id': `<${crypto.randomUUID()}@evil.example>` };
      const body = new TextEncoder().encode(new URLSearchParams(forged).toString());
      const signed = await resign(body, { timestamp: fields.timestamp!, token: fields.token!, signature: fields.signature! }, `tok-${crypto.randomUUID()}`);
      const response = await post('/webhooks/mailgun', signed, { 'content-type': 'application/x-www-form-urlencoded' });
      expect(response.status).toBe(200);
      return (await getTicket(((await response.json()) as AcceptedBody).ticket_id)).ticket.sender_authenticated;
    };
    expect(await authenticated('Victim <victim@bank.example>', ['evil.example'])).toBe(false);
    expect(await authenticated('Victim <victim@bank.example>', ['bank.example', 'evil.example'])).toBe(false);
    expect(await authenticated('Ada <ada@evil.example>', ['evil.example'])).toBe(true);
  });

  it('reads the DKIM signatures of a raw MIME post (body-mime) the same way', async () => {
    const fields = JSON.parse(decoder.decode(webhookSample('mailgun/route-forward-fields.route-tester.json'))) as Record<string, string>;
    const authenticated = async (from: string, signer: string) => {
      const mime = [`DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed;\r\n\td=${signer}; s=mg; h=from:to:subject`, `From: ${from}`, 'To: support@tallybook.example', 'Subject: Password', `Message-ID: <${crypto.randomUUID()}@evil.example>`, '', 'I forgot my password. How do I reset it?'].join('\r\n');
      const form = { sender: 'bounce@evil.example', recipient: 'support@tallybook.example', 'X-Mailgun-Spf': 'Fail', 'X-Mailgun-Dkim-Check-Result': 'Pass', 'body-mime': mime, timestamp: fields.timestamp!, token: fields.token!, signature: fields.signature! };
      const body = new TextEncoder().encode(new URLSearchParams(form).toString());
      const signed = await resign(body, { timestamp: fields.timestamp!, token: fields.token!, signature: fields.signature! }, `tok-${crypto.randomUUID()}`);
      const response = await post('/webhooks/mailgun/mime', signed, { 'content-type': 'application/x-www-form-urlencoded' });
      expect(response.status).toBe(200);
      return (await getTicket(((await response.json()) as AcceptedBody).ticket_id)).ticket.sender_authenticated;
    };
    expect(await authenticated('Victim <victim@bank.example>', 'evil.example')).toBe(false);
    expect(await authenticated('Ada <ada@evil.example>', 'evil.example')).toBe(true);
  });

  it('parses raw MIME mode (body-mime) at /webhooks/mailgun/mime', async () => {
    const capture = httpCapture('mailgun/route-capture-2013-raw-valid.http');
    const body = await resign(capture.body, captured, `tok-${crypto.randomUUID()}`);
    const response = await post('/webhooks/mailgun/mime', body, { 'content-type': capture.headers.get('content-type')! });
    expect(response.status).toBe(200);
    const { ticket } = await getTicket(((await response.json()) as AcceptedBody).ticket_id);
    expect(ticket).toMatchObject({ source: 'mailgun', message_id: '99CF7D8C-FCD4-443F-8E04-69C4E470D18F@opennorth.ca', from: 'james@opennorth.ca' });
  });

  it('answers 503 when D1 is down, and the Mailgun retry with the same token is then accepted', async () => {
    const capture = httpCapture('mailgun/route-capture-2013-raw-valid.http');
    const token = `tok-${crypto.randomUUID()}`;
    const body = await resign(capture.body, captured, token);
    const headers = { 'content-type': capture.headers.get('content-type')! };
    const down = await postWithDatabaseDown('/webhooks/mailgun/mime', body, headers);
    expect(down.status).toBe(503);
    const retry = await post('/webhooks/mailgun/mime', body, headers);
    expect(retry.status).toBe(200);
  });
});
