// Every real message in shared/data/mime goes through the Worker's email() handler,
// alone in a fresh mailbox, and ends as the outcome its category implies.
import { env } from 'cloudflare:workers';
import { beforeEach, describe, expect, it } from 'vitest';
import worker from '../../src/index';
import { getTicket, request, type TicketView } from '../helpers';
import { emailMessage, MIME_SAMPLES } from './samples';

/** Machine mail: ignored, with the reason a person reading the audit would expect. */
const IGNORED: Record<string, string> = {
  'arf-abuse-rfc5965-example.eml': 'abuse_report',
  'arf-aol-fbl.eml': 'abuse_report',
  'arf-yahoo-fbl.eml': 'abuse_report',
  'autoreply-apple-vacation.eml': 'auto_reply',
  'autoreply-auto-submitted-qp-utf8.eml': 'auto_submitted',
  'autoreply-away-auto-submitted.eml': 'auto_submitted',
  'autoreply-bounce-notification-lookalike.eml': 'auto_submitted',
  'autoreply-exchange-automatic-reply.eml': 'auto_reply',
  'autoreply-exchange-windows-1252-qp.eml': 'auto_reply',
  'autoreply-noreply-mimecast.eml': 'auto_submitted',
  'bounce-amazonses.eml': 'bounce',
  'bounce-exim.eml': 'bounce',
  'bounce-gmail-dsn.eml': 'bounce',
  'bounce-gmail-plaintext-no-dsn.eml': 'bounce',
  'bounce-office365-ndr.eml': 'bounce',
  'bounce-postfix-dsn.eml': 'bounce',
  'bounce-postfix-multi-recipient.eml': 'bounce',
  'bounce-qmail-plaintext.eml': 'bounce',
  'bounce-sendmail-delay-warning.eml': 'bounce',
  'mdn-read-receipt.eml': 'read_receipt',
  'list-mailman2-digest.eml': 'mailing_list',
  'list-mailman2-shapelib.eml': 'mailing_list',
  'list-mailman3-distutils-sig.eml': 'mailing_list',
  'malformed-raw-latin1-from-header.eml': 'bulk_precedence',
  'malformed-multipart-without-boundary.eml': 'bounce',
  // Nothing to answer: no text, no subject. Stored and audited, not dropped.
  'malformed-not-an-email.eml': 'empty_message',
  'base64-root-image-part.eml': 'empty_message',
};

/** Questions: ticketed with the decoded subject, sender and clean text. */
const TICKETED: Record<string, { subject?: string; from?: string; name?: string; text?: string | RegExp; attachments?: string[] }> = {
  'plain-basic-crlf.eml': { subject: 'Testing 123', from: 'test@lindsaar.net', text: 'Plain email.\n\nHope it works well!\n\nMikel' },
  'plain-basic-lf.eml': { subject: 'Testing 123', text: 'Plain email.\n\nHope it works well!\n\nMikel' },
  'plain-no-content-type.eml': { name: 'Bob Marley', text: "Hello,\nI'm just testing message parsing\n\nBR,\nBob" },
  'plain-rfc2822-appendix-a-example.eml': { subject: 'Saying Hello', from: 'jdoe@machine.example', text: /just to say hello/ },
  'html-only-iso-8859-1.eml': { text: 'This is a test mailing' },
  'html-only-long-links.eml': { text: /^http:\/\/www\.longurlmaker\.com\// },
  'html-only-spam-de.eml': { subject: '123.042 Euro pro Jahr GRARANTIERT von einer Bank! KOSTENLOS', text: /„asozial/ },
  'alt-related-inline-image.eml': { text: 'Test of text section', attachments: ['image/png:favicon.png'] },
  'alt-text-and-html.eml': { text: 'Section one\n\nSection two' },
  'alt-transactional-papertrail.eml': { subject: 'Welcome to Papertrail', text: /^What's next\?/ },
  'attach-calendar-invite.eml': { subject: 'Invitation: Test event ⏰ @ Thu Apr 11, 2024 11am - 12pm (GMT+3) (andris@ethereal.email)', attachments: ['text/calendar:null', 'application/ics:invite.ics'] },
  'attach-forwarded-message-rfc822.eml': { text: /^This is the first part\./ },
  'attach-nonascii-filename.eml': { attachments: ['text/plain:ciële.txt'] },
  'attach-only-image.eml': { subject: 'Test', text: '', attachments: ['image/jpeg:favicon.jpg'] },
  'attach-pdf.eml': { subject: 'Another PDF with 🎉 Unicode chars in it 🍿', attachments: ['application/pdf:broken.pdf'] },
  'attach-rfc2047-filename.eml': { subject: 'Fwd: Signed email causes file attachments' },
  'charset-euc-kr.eml': { subject: 'NOTE: 한국말로 하는 것', text: '대부분의 마찬가지로, 우리는 하나님을 믿습니다.\n\n제 이름은 Jamis입니다.' },
  'charset-iso-2022-jp.eml': { subject: 'まみむめも', text: 'すみません。' },
  'charset-iso-8859-1-qp.eml': { subject: 'MIME Quoted Printable', text: /^Lorem ipsum/ },
  'charset-koi8-r-base64.eml': { subject: 'Алфавит', text: 'Вопрос' },
  'charset-ks_c_5601-1987.eml': { text: '스티해' },
  'charset-shift_jis.eml': { text: /^あいうえお\n\nこのメールはテスト用のメールです。/ },
  'charset-windows-1251.eml': { name: 'Атиковa' },
  'charset-windows-1252-qp.eml': { text: 'Search for hähä' },
  'rfc2047-b-encoded-name-with-comma.eml': { name: 'Foo, Bar', text: 'hello, world' },
  'rfc2047-partially-encoded-subject.eml': { subject: 'Re: Test: "漢字" mid "漢字" tail' },
  'rfc2047-rfc-section8-example.eml': { name: 'Keith Moore', subject: 'If you can read this you understand the example.' },
  'rfc2047-utf8-base64-bilingual.eml': { subject: 'Simple text. How are you? Как ты поживаешь?', text: 'This line is in English\nА эта линия по-русски.' },
  'rfc2047-utf8-q-subject.eml': { subject: 'MIME UTF8 Test ¢ More Text' },
  'qp-plain-body.eml': { text: /^Lorem ipsum dolor sit amet, consectetur adipiscing elit\. Phasellus/ },
  'quoted-aol-original-message.eml': { text: 'Hello' },
  'quoted-apple-mail.eml': { text: 'Hello' },
  'quoted-gmail-on-wrote.eml': { text: 'Hello' },
  'quoted-outlook-from-sent-block.eml': { text: 'Hello' },
  'quoted-yahoo-original-message.eml': { text: 'Hello' },
  // postal-mime joins the flowed "> Hi " with the answer below it; the attribution is still gone.
  'quoted-thunderbird.eml': { text: /Hello$/ },
  'quoted-html-share-block.eml': { text: /^Hi Katharine\.[\s\S]*Joe XXX$/ },
  'malformed-base64-attachment.eml': { text: 'A text section', attachments: ['application/msword:some.doc'] },
  'malformed-false-multipart.eml': { subject: 'Broken MIME', text: '' },
  'malformed-missing-boundaries.eml': { text: /^Hi This is a broken message/ },
  'malformed-missing-final-boundary.eml': { text: 'Some body' },
  // Raw windows-1252 bytes in the header, no RFC 2047: decoded, not replaced by U+FFFD.
  'malformed-raw-8bit-subject.eml': { subject: 'Formação FrenetikPolis: Mega Campanha Final Verão | Cursos de Setembro', text: 'TEST' },
  'malformed-truncated-forward.eml': { subject: 'Fwd: fotos', text: /^Note: forwarded message attached\./ },
};

async function deliverAlone(name: string): Promise<TicketView> {
  await worker.email(emailMessage(MIME_SAMPLES[name]!, { from: 'envelope-sender@example.net' }), env);
  const rows = await env.DB.prepare('SELECT id FROM tickets').all<{ id: string }>();
  expect(rows.results).toHaveLength(1);
  return getTicket(rows.results[0]!.id);
}

beforeEach(async () => {
  // Several samples share a Message-ID (copies of one test message): each is judged alone.
  for (const table of ['deliveries', 'feedback', 'decisions', 'raw_messages', 'tickets']) await env.DB.prepare(`DELETE FROM ${table}`).run();
});

describe('the shared MIME samples through email()', () => {
  it('covers every sample in shared/data/mime', () => {
    const judged = [...Object.keys(IGNORED), ...Object.keys(TICKETED)].sort();
    expect(judged).toEqual(Object.keys(MIME_SAMPLES).sort());
    expect(judged).toHaveLength(70);
  });

  it.each(Object.entries(IGNORED))('%s is stored and ignored as %s, with no model call and no reply', async (name, reason) => {
    const view = await deliverAlone(name);
    expect(view.ticket.status).toBe('ignored');
    expect(view.ticket.guard_reason).toBe(reason);
    expect(view.decision).toMatchObject({ outcome: 'ignore', reasons: [reason], model_calls: [] });
    expect(view.deliveries).toEqual([]);
  });

  it.each(Object.entries(TICKETED))('%s becomes a ticket with decoded fields and clean text', async (name, expected) => {
    const view = await deliverAlone(name);
    expect(view.ticket.guard_reason).toBeNull();
    expect(view.decision).not.toBeNull();
    expect(view.ticket.status).toMatch(/^(done|ignored)$/);
    if (expected.subject !== undefined) expect(view.ticket.subject).toBe(expected.subject);
    if (expected.from !== undefined) expect(view.ticket.from).toBe(expected.from);
    if (expected.name !== undefined) expect(view.ticket.from_name).toBe(expected.name);
    if (typeof expected.text === 'string') expect(view.ticket.text).toBe(expected.text);
    if (expected.text instanceof RegExp) expect(view.ticket.text).toMatch(expected.text);
    expect(String(view.ticket.text)).not.toMatch(/\uFFFD|wrote:\s*$|-----Original Message-----/m);
    expect(String(view.ticket.subject)).not.toContain('\uFFFD');
    if (expected.attachments) {
      const attachments = view.ticket.attachments as { filename: string | null; mimeType: string }[];
      expect(attachments.map((a) => `${a.mimeType}:${a.filename}`)).toEqual(expected.attachments);
    }
  });

  it('keeps the exact original bytes retrievable, 8-bit charsets included', async () => {
    for (const name of ['charset-shift_jis.eml', 'plain-basic-crlf.eml', 'malformed-raw-8bit-subject.eml']) {
      const view = await deliverAlone(name);
      const response = await request(`/api/tickets/${view.ticket.id}/raw`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/plain; charset=utf-8');
      expect(response.headers.get('x-deflect-original-content-type')).toBe('message/rfc822');
      expect(new Uint8Array(await response.arrayBuffer())).toEqual(MIME_SAMPLES[name]);
      await env.DB.prepare('DELETE FROM decisions').run();
      await env.DB.prepare('DELETE FROM raw_messages').run();
      await env.DB.prepare('DELETE FROM deliveries').run();
      await env.DB.prepare('DELETE FROM tickets').run();
    }
  });
});
