// The exact MIME a customer receives. The sender and subject come from real
// messages in ../shared/data/mime (a windows-1251 display name, a subject mixing
// ASCII and RFC 2047 UTF-8 words that already starts with "Re:").
import PostalMime from 'postal-mime';
import { beforeAll, describe, expect, it } from 'vitest';
import { LogMailer } from '../../src/act/log-mailer';
import { acknowledgementEmail, replyEmail } from '../../src/act/reply';
import type { TicketRow } from '../../src/db/tickets';
import { configFrom } from '../../src/config';
import { env } from '../helpers';

const samples = import.meta.glob('../../../shared/data/mime/{rfc2047-partially-encoded-subject,charset-windows-1251}.eml', {
  query: '?raw',
  import: 'default',
  eager: true,
}) as Record<string, string>;
const sample = (name: string) => Object.entries(samples).find(([path]) => path.endsWith(`${name}.eml`))![1];

let ticket: TicketRow;

beforeAll(async () => {
  const customer = await PostalMime.parse(sample('charset-windows-1251'));
  const thread = await PostalMime.parse(sample('rfc2047-partially-encoded-subject'));
  ticket = {
    id: 'tkt_mime',
    fromAddress: customer.from!.address!,
    fromName: customer.from!.name!,
    subject: thread.subject!,
    messageId: thread.messageId!.replace(/^<|>$/g, ''),
    references: ['first@37signals.com'],
  } as TicketRow;
});

const config = () => configFrom(env);
const DRAFT = 'Hi,\n\nyou can reset your password under Settings → Security. Grüße!';

/** mimetext generates the Date and a random boundary; everything else must match byte for byte. */
function normalise(mime: string): string {
  const boundary = /boundary=([^\r\n;]+)/.exec(mime)![1]!;
  return mime.replaceAll(boundary, 'BOUNDARY').replace(/^Date: .+$/m, 'Date: DATE');
}

describe('auto-reply MIME', () => {
  it('reads the real samples as expected (non-ASCII name, subject already a reply)', () => {
    expect(ticket.fromName).toBe('Атиковa');
    expect(ticket.subject).toBe('Re: Test: "漢字" mid "漢字" tail');
  });

  it('is exactly this message: RFC 2047 name and subject, Re: once, threading, Auto-Submitted, base64 UTF-8 text and HTML with the footer', async () => {
    const { mime } = await new LogMailer('tallybook.example').send(replyEmail(ticket, DRAFT, config()));
    expect(normalise(mime!)).toBe(
      [
        'Date: DATE',
        'From: =?utf-8?B?VGFsbHlib29rIFN1cHBvcnQ=?= <support@tallybook.example>',
        'To: =?utf-8?B?0JDRgtC40LrQvtCyYQ==?= <yusuf75thu@auracom.net>',
        `Message-ID: <${/^Message-ID: <(.+)>$/m.exec(mime!)![1]}>`,
        'Subject: =?utf-8?B?UmU6IFRlc3Q6ICLmvKLlrZciIG1pZCAi5ryi5a2XIiB0YWls?=',
        'MIME-Version: 1.0',
        'In-Reply-To: <d3b8cf8e49f04480850c28713a1f473e@37signals.com>',
        'References: <first@37signals.com>',
        ' <d3b8cf8e49f04480850c28713a1f473e@37signals.com>',
        'Auto-Submitted: auto-replied',
        'Content-Type: multipart/alternative; boundary=BOUNDARY',
        '',
        '--BOUNDARY',
        'Content-Type: text/plain; charset=UTF-8',
        'Content-Transfer-Encoding: base64',
        '',
        // "Hi,\r\n\r\nyou can reset your password under Settings → Security. Grüße!\r\n\r\n--\r\n" + REPLY_FOOTER
        'SGksDQoNCnlvdSBjYW4gcmVzZXQgeW91ciBwYXNzd29yZCB1bmRlciBTZXR0aW5ncyDihpIgU2Vj',
        'dXJpdHkuIEdyw7zDn2UhDQoNCi0tDQpUaGlzIGFuc3dlciB3YXMgc2VudCBhdXRvbWF0aWNhbGx5',
        'IGZyb20gb3VyIGhlbHAgY2VudGVyLiBSZXBseSB0byB0aGlzIGVtYWlsIHRvIHJlYWNoIGEgcGVy',
        'c29uLg==',
        '',
        '--BOUNDARY',
        'Content-Type: text/html; charset=UTF-8',
        'Content-Transfer-Encoding: base64',
        '',
        'PCFkb2N0eXBlIGh0bWw+PGh0bWw+PGJvZHk+PHA+SGksPC9wPg0KPHA+eW91IGNhbiByZXNldCB5',
        'b3VyIHBhc3N3b3JkIHVuZGVyIFNldHRpbmdzIOKGkiBTZWN1cml0eS4gR3LDvMOfZSE8L3A+DQo8',
        'cD4tLTxicj5UaGlzIGFuc3dlciB3YXMgc2VudCBhdXRvbWF0aWNhbGx5IGZyb20gb3VyIGhlbHAg',
        'Y2VudGVyLiBSZXBseSB0byB0aGlzIGVtYWlsIHRvIHJlYWNoIGEgcGVyc29uLjwvcD48L2JvZHk+',
        'PC9odG1sPg==',
        '',
        '--BOUNDARY--',
      ].join('\r\n'),
    );
  });

  it('decodes back, with a mail parser, to the names, subject and text we meant', async () => {
    const { mime } = await new LogMailer('tallybook.example').send(replyEmail(ticket, DRAFT, config()));
    const parsed = await PostalMime.parse(mime!);
    expect(parsed.from).toMatchObject({ name: 'Tallybook Support', address: 'support@tallybook.example' });
    expect(parsed.to).toEqual([{ name: 'Атиковa', address: 'yusuf75thu@auracom.net' }]);
    expect(parsed.subject).toBe('Re: Test: "漢字" mid "漢字" tail');
    expect(parsed.inReplyTo).toBe('<d3b8cf8e49f04480850c28713a1f473e@37signals.com>');
    expect(parsed.text).toBe(`${DRAFT.replace(/\n/g, '\r\n')}\r\n\r\n--\r\n${config().REPLY_FOOTER}`);
    expect(parsed.html).toContain('<p>you can reset your password under Settings → Security. Grüße!</p>');
    expect(mime!.split('\r\n').every((line) => line.length <= 78)).toBe(true);
  });

  it('escapes the draft in the HTML part, so a reply cannot carry markup', () => {
    const email = replyEmail(ticket, 'Use <script>alert(1)</script> & "quotes"', config());
    expect(email.html).toContain('<p>Use &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot;</p>');
  });
});

describe('replies a person approved, and acknowledgements', () => {
  it('sends a human-approved reply without the automation footer and without Auto-Submitted', async () => {
    const { mime } = await new LogMailer('tallybook.example').send(replyEmail(ticket, DRAFT, config(), { automated: false }));
    const parsed = await PostalMime.parse(mime!);
    expect(parsed.text).toBe(DRAFT.replace(/\n/g, '\r\n'));
    expect(parsed.headers.map((h) => h.key)).not.toContain('auto-submitted');
    expect(parsed.inReplyTo).toBe('<d3b8cf8e49f04480850c28713a1f473e@37signals.com>');
  });

  it('threads the escalation acknowledgement and marks it automatic, without the footer', async () => {
    const { mime } = await new LogMailer('tallybook.example').send(acknowledgementEmail(ticket, config()));
    const parsed = await PostalMime.parse(mime!);
    expect(parsed.subject).toBe('Re: Test: "漢字" mid "漢字" tail');
    expect(parsed.text).toBe(config().CUSTOMER_ACK_TEXT);
    expect(parsed.headers.find((h) => h.key === 'auto-submitted')?.value).toBe('auto-replied');
    expect(parsed.headers.find((h) => h.key === 'references')?.value).toBe('<first@37signals.com> <d3b8cf8e49f04480850c28713a1f473e@37signals.com>'); // unfolded by the parser
  });
});

describe('a stored row that slipped past ingest still cannot add header lines', () => {
  const hostile = () =>
    ({
      id: 'tkt_hostile',
      fromAddress: 'ada@example.com',
      fromName: 'Ada\r\nBcc: victim@example.com',
      subject: 'Help\r\nX-Injected: subject',
      messageId: 'parent@example.com>\r\nBcc: victim@example.com',
      references: ['ok@example.com', 'bad@example.com\r\nX-Injected: references', 'in<side>@example.com'],
    }) as TicketRow;

  it('drops unsafe threading ids and folds CR/LF in names and subject into spaces', async () => {
    const { mime } = await new LogMailer('tallybook.example').send(replyEmail(hostile(), DRAFT, config()));
    const headerBlock = mime!.split('\r\n\r\n')[0]!;
    expect(headerBlock).not.toMatch(/^(Bcc|X-Injected):/im);
    expect(headerBlock).not.toContain('In-Reply-To');
    expect(headerBlock).toContain('References: <ok@example.com>');
    const parsed = await PostalMime.parse(mime!);
    expect(parsed.subject).toBe('Re: Help X-Injected: subject');
    expect(parsed.to?.[0]?.name).toBe('Ada Bcc: victim@example.com');
    expect(parsed.bcc ?? []).toEqual([]);
  });
});
