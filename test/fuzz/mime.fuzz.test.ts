// Email Routing under mutated MIME, seeded from the real samples (shared/data/mime):
// truncated, boundaries lost or doubled, unknown charsets, huge headers, deep
// nesting, binary junk, CR/LF injected into header values and the envelope.
// Every message is stored exactly once (found by its Message-ID, or the derived id
// when it has none) or refused with setReject; a re-delivery adds nothing.
import { env } from 'cloudflare:workers';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { configFrom } from '../../src/config';
import { draftFromMime } from '../../src/ingest/mime';
import worker from '../../src/index';
import { derivedMessageId } from '../../src/ticket';
import { emailMessage, MIME_SAMPLES } from '../ingest/samples';
import { FUZZ_TIMEOUT_MS, fuzzParameters, recordingQueue } from './fuzz';

// Recording queues: a run checks what email() itself did, not what the consumers do later.
const fuzzEnv = { ...env, TICKETS: recordingQueue(), OUTBOX: recordingQueue() } as Env;
const limits = configFrom(fuzzEnv);

const SEEDS = Object.keys(MIME_SAMPLES).sort();
const toBinary = (bytes: Uint8Array) => Array.from(bytes, (b) => String.fromCharCode(b)).join('');
const fromBinary = (text: string) => Uint8Array.from(text, (ch) => ch.charCodeAt(0) & 0xff);

type Mutation = (message: string) => string;

/** A position inside the message, as a fraction so it fits any seed. */
const at = (message: string, fraction: number) => Math.floor(message.length * fraction);

function boundaries(message: string): string[] {
  return [...message.matchAll(/boundary\s*=\s*"?([^";\r\n]+)"?/gi)].map((m) => m[1]!);
}

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.double({ min: 0, max: 1, noNaN: true }).map((f): Mutation => (m) => m.slice(0, at(m, f))),
  fc.boolean().map((duplicate): Mutation => (m) => {
    let out = m;
    for (const boundary of boundaries(m)) {
      const line = `--${boundary}`;
      out = duplicate ? out.split(line).join(`${line}\r\n${line}`) : out.split(line).join('');
    }
    return out;
  }),
  fc
    .oneof(fc.constantFrom('x-unknown', 'utf-7', 'iso-2022-kr', 'unicode-1-1-utf-7', '', '"', 'utf-8\u0000', 'ks_c_5601-1987'), fc.string({ maxLength: 30 }))
    .map((charset): Mutation => (m) => m.replace(/charset\s*=\s*"?[^";\s]*"?/gi, `charset=${charset}`)),
  fc.tuple(fc.integer({ min: 1000, max: 200_000 }), fc.boolean()).map(([size, folded]): Mutation => (m) => {
    const value = folded ? Array.from({ length: Math.ceil(size / 70) }, () => 'x'.repeat(70)).join('\r\n ') : 'y'.repeat(size);
    return `X-Fuzz-Huge: ${value}\r\n${m}`;
  }),
  fc.integer({ min: 2, max: 150 }).map((depth): Mutation => (m) => {
    const open = Array.from({ length: depth }, (_, i) => `Content-Type: multipart/mixed; boundary="n${i}"\r\n\r\n--n${i}\r\n`).join('');
    const close = Array.from({ length: depth }, (_, i) => `\r\n--n${depth - 1 - i}--`).join('');
    const split = m.search(/\r?\n\r?\n/);
    const head = split < 0 ? m : m.slice(0, split);
    const body = split < 0 ? '' : m.slice(split);
    return `${head.replace(/^content-type:.*$/gim, 'X-Old-Content-Type: gone')}\r\nMIME-Version: 1.0\r\n${open}Content-Type: text/plain\r\n${body}${close}`;
  }),
  fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.uint8Array({ minLength: 1, maxLength: 4096 })).map(([f, junk]): Mutation => (m) => {
    const i = at(m, f);
    return m.slice(0, i) + toBinary(junk) + m.slice(i);
  }),
  fc
    .tuple(fc.constantFrom('Subject', 'From', 'Message-ID', 'In-Reply-To', 'References', 'Content-Type'), fc.constantFrom('\r\n', '\r', '\n', '\r\n\r\n'), fc.string({ maxLength: 80 }))
    .map(([header, breaker, injected]): Mutation => (m) => `${header}: fuzz${breaker}Bcc: victim@example.com${breaker}${injected}\r\n${m}`),
);

const mutatedMessage = fc.tuple(fc.constantFrom(...SEEDS), fc.array(mutation, { minLength: 1, maxLength: 3 })).map(([seed, mutations]) =>
  fromBinary(mutations.reduce((message, mutate) => mutate(message), toBinary(MIME_SAMPLES[seed]!))),
);

const anyBytes = fc.oneof(fc.uint8Array({ maxLength: 2000 }), fc.string({ unit: 'binary', maxLength: 2000 }).map((s) => new TextEncoder().encode(s)));

const envelopeFrom = fc.oneof(
  fc.emailAddress(),
  fc.constantFrom('', '<>', 'a@b.example\r\nBcc: victim@example.com', 'x@example.com\n'),
  fc.string({ maxLength: 60 }),
);

async function ticketsWithMessageId(messageId: string): Promise<number> {
  const row = await env.DB.prepare('SELECT count(*) AS n FROM tickets WHERE message_id = ?').bind(messageId).first<{ n: number }>();
  return row!.n;
}

async function ticketCount(): Promise<number> {
  return (await env.DB.prepare('SELECT count(*) AS n FROM tickets').first<{ n: number }>())!.n;
}

/** The id the ticket is stored under: its Message-ID, or the one derived from its content. */
async function expectedMessageId(bytes: Uint8Array, from: string): Promise<string> {
  const draft = await draftFromMime({ bytes, source: 'email', envelope: { from, to: 'support@tallybook.example' } }, limits);
  return draft.messageId ?? (await derivedMessageId(draft));
}

/** Deliver twice: stored once (or refused with a reason), and the second delivery adds no ticket and no reply. */
async function checkDelivery(bytes: Uint8Array, from: string): Promise<void> {
  const first = emailMessage(bytes, { from });
  await worker.email(first, fuzzEnv);
  expect(first.replies.length).toBeLessThanOrEqual(1);
  const messageId = await expectedMessageId(bytes, from);
  if (first.rejections.length === 0) expect(await ticketsWithMessageId(messageId)).toBe(1);
  else for (const reason of first.rejections) expect(reason.trim()).not.toBe('');

  const before = await ticketCount();
  const again = emailMessage(bytes, { from });
  await worker.email(again, fuzzEnv);
  expect(await ticketCount()).toBe(before);
  expect(again.replies).toEqual([]);
}

describe('MIME parsing fuzzed', { timeout: FUZZ_TIMEOUT_MS }, () => {
  it('draftFromMime never throws, on mutated samples and on arbitrary bytes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(mutatedMessage, anyBytes), async (bytes) => {
        const draft = await draftFromMime({ bytes, source: 'email' }, limits);
        expect(draft.text.length).toBeLessThanOrEqual(limits.MAX_BODY_CHARS);
        expect(draft.attachments.length).toBeLessThanOrEqual(limits.MAX_ATTACHMENTS);
        for (const value of Object.values(draft.headers)) expect(value.length).toBeLessThanOrEqual(2000);
      }),
      fuzzParameters(1),
    );
  });
});

describe('email() fuzzed', { timeout: FUZZ_TIMEOUT_MS }, () => {
  it('a mutated sample is stored once or refused with a reason, and its re-delivery adds nothing', async () => {
    await fc.assert(fc.asyncProperty(mutatedMessage, envelopeFrom, checkDelivery), fuzzParameters(0.2));
  });

  it('arbitrary bytes are stored once or refused with a reason, and their re-delivery adds nothing', async () => {
    await fc.assert(fc.asyncProperty(anyBytes, envelopeFrom, checkDelivery), fuzzParameters(0.05));
  });
});
