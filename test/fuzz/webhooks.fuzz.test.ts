// The inbound mail webhooks under random and mutated bodies, with valid credentials
// so the parsing is what is exercised: never a 500, a 4xx always carries a stable
// code, and every 2xx names a stored ticket.
import { env } from 'cloudflare:workers';
import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import { app } from '../../src/app';
import { ERROR_CODES } from '../../src/errors';
import { webhookSample } from '../ingest/samples';
import { TEST_SECRETS } from '../setup/test-secrets';
import { FUZZ_TIMEOUT_MS, fuzzParameters, recordingQueue } from './fuzz';

const fuzzEnv = { ...env, TICKETS: recordingQueue(), OUTBOX: recordingQueue(), RATE_LIMIT_ENABLED: 'false' } as Env;
const encoder = new TextEncoder();

async function post(path: string, body: BodyInit, headers: Record<string, string>): Promise<Response> {
  return app.fetch(new Request(`https://deflect.test${path}`, { method: 'POST', body, headers }), fuzzEnv);
}

async function storedTicket(id: string): Promise<boolean> {
  return (await env.DB.prepare('SELECT 1 AS found FROM tickets WHERE id = ?').bind(id).first()) !== null;
}

/** Statuses seen by the current property: each asserts its generator reached both acceptance and refusal. */
let statuses: number[] = [];
beforeEach(() => {
  statuses = [];
});
const reachedBoth = () => {
  expect(statuses.some((s) => s === 200)).toBe(true);
  expect(statuses.some((s) => s >= 400)).toBe(true);
};

/** 2xx → a stored ticket; anything else → a 4xx with a documented code. */
async function checkResponse(response: Response): Promise<number> {
  expect(response.status).toBeLessThan(500);
  statuses.push(response.status);
  const body = (await response.json()) as { ticket_id?: string; error?: { code: string } };
  if (response.ok) expect(await storedTicket(body.ticket_id!)).toBe(true);
  else expect(ERROR_CODES).toContain(body.error?.code);
  return response.status;
}

/** Any string, with the awkward cases made likely: giant, astral and combining unicode, NULs, lone surrogates. */
const text = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.string({ unit: 'grapheme', maxLength: 200 }),
  fc.constantFrom('', '\u0000', '\uD800', '👩‍👩‍👧‍👦', 'é', 'Z̤͔ͧ̑̓', '<script>alert(1)</script>', 'a'.repeat(300_000)),
);

describe('POST /webhooks/postmark fuzzed', { timeout: FUZZ_TIMEOUT_MS }, () => {
  const headers = { 'content-type': 'application/json', authorization: `Basic ${btoa(`postmark:${TEST_SECRETS.POSTMARK_WEBHOOK_TOKEN}`)}` };
  const seeds = ['inbound-support-reply.activecampaign-docs.json', 'inbound-capture-2013-valid.json', 'inbound-capture-2013-spam.json', 'inbound-fixture.mvdnbrk.json', 'inbound-test-payload.postmarker.json'].map(
    (name) => JSON.parse(new TextDecoder().decode(webhookSample(`postmark/${name}`))) as Record<string, unknown>,
  );
  const fields = ['From', 'FromName', 'FromFull', 'To', 'Subject', 'MessageID', 'Date', 'TextBody', 'HtmlBody', 'StrippedTextReply', 'Headers', 'Attachments', 'Extra'];

  // Replace, drop or blow up fields of a real payload.
  const mutated = fc
    .tuple(
      fc.constantFrom(...seeds),
      fc.array(fc.tuple(fc.constantFrom(...fields), fc.oneof(fc.anything(), text, fc.constant(undefined))), { minLength: 1, maxLength: 4 }),
      fc.uuid(),
    )
    .map(([seed, changes, id]) => {
      const payload: Record<string, unknown> = { ...seed, MessageID: `${id}@fuzz.example` };
      for (const [field, value] of changes) payload[field] = value;
      return JSON.stringify(payload);
    });

  it('mutated payloads are stored, or refused with a stable code', async () => {
    await fc.assert(fc.asyncProperty(mutated, async (body) => void (await checkResponse(await post('/webhooks/postmark', body, headers)))), fuzzParameters(0.2));
    reachedBoth();
  });

  it('arbitrary JSON and raw strings never cause a 500', async () => {
    const body = fc.oneof(fc.jsonValue().map((v) => JSON.stringify(v)), fc.string({ maxLength: 500 }), fc.string({ unit: 'binary', maxLength: 500 }));
    await fc.assert(fc.asyncProperty(body, async (raw) => void (await checkResponse(await post('/webhooks/postmark', raw, headers)))), fuzzParameters(0.05));
  });
});

/** A multipart/form-data body built by hand, so boundaries, line breaks and duplicates can be wrong. */
function multipart(parts: [string, string][], boundary: string, lineBreak: string, declared = boundary): { body: Uint8Array; contentType: string } {
  const lines = parts.flatMap(([name, value]) => [`--${boundary}`, `Content-Disposition: form-data; name="${name}"`, '', value]);
  const body = [...lines, `--${boundary}--`, ''].join(lineBreak);
  return { body: Uint8Array.from(body, (ch) => ch.charCodeAt(0) & 0xff), contentType: `multipart/form-data; boundary=${declared}` };
}

const BCHARS = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'()+_,-./:=? ";
const boundary = fc.oneof(
  fc.string({ unit: fc.constantFrom(...BCHARS), minLength: 1, maxLength: 70 }),
  fc.constantFrom('"quoted"', 'a', '-'.repeat(70), 'x'.repeat(200)),
  fc.string({ minLength: 1, maxLength: 30 }),
);

describe('POST /webhooks/sendgrid fuzzed', { timeout: FUZZ_TIMEOUT_MS }, () => {
  const auth = `Basic ${btoa(TEST_SECRETS.SENDGRID_BASIC_AUTH)}`;
  const charsets = fc.oneof(
    fc.constant('{"to":"UTF-8","subject":"UTF-8","from":"UTF-8","text":"iso-8859-1"}'),
    fc.dictionary(fc.constantFrom('text', 'html', 'subject', 'from'), fc.oneof(fc.constantFrom('utf-8', 'x-unknown', 'shift_jis', 'utf-7', ''), fc.string({ maxLength: 20 }))).map((v) => JSON.stringify(v)),
    fc.string({ maxLength: 60 }),
    fc.jsonValue().map((v) => JSON.stringify(v)),
  );
  const fieldValue = fc.oneof(text, fc.string({ unit: 'binary', maxLength: 300 }));
  const field = fc.oneof(
    fc.tuple(fc.constantFrom('from', 'to', 'subject', 'text', 'html', 'headers', 'envelope', 'email', 'spam_score', 'attachments'), fieldValue),
    fc.tuple(fc.constant('charsets'), charsets),
    fc.tuple(fc.constant('from'), fc.emailAddress().map((a) => `Fuzz <${a}>`)),
    fc.tuple(fc.constant('headers'), fc.uuid().map((id) => `Message-ID: <${id}@fuzz.example>\r\nFrom: a@b.example\r\nSubject: hi`)),
  );
  // An Inbound Parse post with some of its fields dropped, odd ones added (duplicates too), and odd framing.
  const inboundParse = fc.uuid().map((id): [string, string][] => [
    ['headers', `Message-ID: <${id}@fuzz.example>\r\nFrom: Fuzz <fuzz@example.com>\r\nSubject: hi`],
    ['from', 'Fuzz <fuzz@example.com>'],
    ['text', 'How do I export my invoices?'],
    ['charsets', '{"text":"utf-8","subject":"utf-8","from":"utf-8"}'],
  ]);
  const form = fc.tuple(
    inboundParse.chain((base) => fc.subarray(base)),
    fc.array(field, { maxLength: 8 }),
    fc.oneof({ weight: 3, arbitrary: fc.stringMatching(/^[0-9A-Za-z_-]{1,40}$/) }, boundary),
    fc.oneof({ weight: 3, arbitrary: fc.constant('\r\n') }, fc.constant('\n')),
    fc.option(boundary, { nil: undefined, freq: 4 }),
  );

  it('odd form bodies are stored, or refused with a stable code', async () => {
    await fc.assert(
      fc.asyncProperty(form, async ([base, extra, b, lineBreak, declared]) => {
        const parts = [...base, ...extra];
        const { body, contentType } = multipart(parts, b, lineBreak, declared ?? b);
        await checkResponse(await post('/webhooks/sendgrid', body, { 'content-type': contentType, authorization: auth }));
      }),
      fuzzParameters(0.2),
    );
    reachedBoth();
  });

  it('arbitrary bytes under any content type never cause a 500', async () => {
    const contentType = fc.oneof(fc.constantFrom('multipart/form-data', 'multipart/form-data; boundary=', 'application/x-www-form-urlencoded', 'text/plain', ''), fc.string({ maxLength: 80 }));
    await fc.assert(
      fc.asyncProperty(contentType, fc.uint8Array({ maxLength: 2000 }), async (type, body) => void (await checkResponse(await post('/webhooks/sendgrid', body, { 'content-type': type, authorization: auth })))),
      fuzzParameters(0.05),
    );
  });
});

async function mailgunSignature(timestamp: string, token: string, key: string = TEST_SECRETS.MAILGUN_SIGNING_KEY): Promise<string> {
  const cryptoKey = await crypto.subtle.importKey('raw', encoder.encode(key), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const mac = await crypto.subtle.sign('HMAC', cryptoKey, encoder.encode(timestamp + token));
  return [...new Uint8Array(mac)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

describe('POST /webhooks/mailgun fuzzed', { timeout: FUZZ_TIMEOUT_MS }, () => {
  const mailgunField = fc.oneof(
    fc.tuple(fc.constantFrom('sender', 'from', 'From', 'recipient', 'subject', 'body-plain', 'body-html', 'stripped-text', 'message-headers', 'Message-Id', 'In-Reply-To', 'References', 'body-mime'), text),
    fc.tuple(fc.constant('from'), fc.emailAddress().map((a) => `"Fuzz" <${a}>`)),
    fc.tuple(fc.constant('message-headers'), fc.array(fc.tuple(fc.string({ maxLength: 20 }), fc.string({ maxLength: 60 }))).map((pairs) => JSON.stringify(pairs))),
    fc.tuple(fc.constant('body-mime'), fc.uuid().map((id) => `From: a@b.example\r\nMessage-ID: <${id}@fuzz.example>\r\nSubject: hi\r\n\r\nHello`)),
  );
  const encoding = fc.constantFrom('urlencoded', 'multipart');

  function encode(fields: [string, string][], how: string, b: string): { body: Uint8Array; contentType: string } {
    if (how === 'multipart') return multipart(fields, b, '\r\n');
    const params = new URLSearchParams();
    for (const [name, value] of fields) params.append(name, value);
    return { body: encoder.encode(params.toString()), contentType: 'application/x-www-form-urlencoded' };
  }

  it('validly signed forms of any content are stored, or refused with a stable code', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(mailgunField, { maxLength: 10 }), encoding, boundary, fc.constantFrom('/webhooks/mailgun', '/webhooks/mailgun/mime'), async (fields, how, b, path) => {
        const timestamp = String(Math.floor(Date.now() / 1000));
        const token = crypto.randomUUID();
        const signed: [string, string][] = [...fields, ['timestamp', timestamp], ['token', token], ['signature', await mailgunSignature(timestamp, token)]];
        const { body, contentType } = encode(signed, how, b);
        const status = await checkResponse(await post(path, body, { 'content-type': contentType }));
        expect([200, 406]).toContain(status);
      }),
      fuzzParameters(0.2),
    );
    reachedBoth();
  });

  it('random or tampered signatures are refused as 401 with nothing stored', async () => {
    const signature = fc.oneof(fc.string({ maxLength: 80 }), fc.stringMatching(/^[0-9a-f]{64}$/), fc.string().map(async (t) => mailgunSignature('1', t, 'not-the-key')));
    await fc.assert(
      fc.asyncProperty(fc.array(mailgunField, { maxLength: 6 }), signature, fc.oneof(fc.stringMatching(/^\d{1,12}$/), fc.string({ maxLength: 14 })), async (fields, sig, timestamp) => {
        const before = (await env.DB.prepare('SELECT count(*) AS n FROM tickets').first<{ n: number }>())!.n;
        const token = crypto.randomUUID();
        const { body, contentType } = encode([...fields, ['timestamp', timestamp], ['token', token], ['signature', await sig]], 'urlencoded', 'x');
        const response = await post('/webhooks/mailgun', body, { 'content-type': contentType });
        expect(response.status).toBe(401);
        expect(['webhook_signature_invalid', 'webhook_timestamp_stale']).toContain(((await response.json()) as { error: { code: string } }).error.code);
        expect((await env.DB.prepare('SELECT count(*) AS n FROM tickets').first<{ n: number }>())!.n).toBe(before);
      }),
      fuzzParameters(0.05),
    );
  });
});
