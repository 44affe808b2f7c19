// Raw RFC 5322 bytes → TicketDraft, with postal-mime. Used by Email Routing and by
// the raw-MIME modes of SendGrid and Mailgun. Never throws on bad input: a message
// that cannot be parsed yields whatever text can be recovered, or a draft the guard
// refuses as `unparseable`, so it is stored and audited rather than lost.
import PostalMime, { type Email } from 'postal-mime';
import type { Config } from '../config';
import type { TicketSource } from '../domain';
import { base64Encode } from '../security/encoding';
import { normalizeMessageId, parseReferences, type Attachment, type TicketDraft } from '../ticket';
import { emailRoutingAuthentication } from './authentication';
import { customerText, normalizeNewlines, singleLine, unstrippedCopy } from './body';
import { GUARD_REASONS } from './guard';

export type MimeLimits = Pick<
  Config,
  'MAX_ATTACHMENTS' | 'MAX_BODY_CHARS' | 'MAX_SCAN_CHARS' | 'MAX_SUBJECT_CHARS' | 'MAX_DISPLAY_NAME_CHARS' | 'EMAIL_AUTHSERV_ID'
>;

/** The text limits every adapter applies before any pattern runs. */
export const textLimits = (limits: Pick<Config, 'MAX_BODY_CHARS' | 'MAX_SCAN_CHARS'>) => ({
  maxChars: limits.MAX_BODY_CHARS,
  maxScanChars: limits.MAX_SCAN_CHARS,
});

/** Headers kept on the ticket for the guard and the audit; the raw message keeps the rest. */
const MAX_HEADER_VALUE = 2000;

const utf8Strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

function isUtf8(bytes: Uint8Array): boolean {
  try {
    utf8Strict.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** Offset of the blank line that ends the header block (or the whole length). */
function headerEnd(bytes: Uint8Array): number {
  for (let i = bytes.indexOf(0x0a); i >= 0 && i < bytes.length - 1; i = bytes.indexOf(0x0a, i + 1)) {
    if (bytes[i + 1] === 0x0a || (bytes[i + 1] === 0x0d && bytes[i + 2] === 0x0a)) return i + 1;
  }
  return bytes.length;
}

/**
 * Old clients put raw 8-bit bytes in headers without RFC 2047 encoding; they are
 * almost always windows-1252. postal-mime reads header bytes as UTF-8, so re-encode
 * such a header block as UTF-8 first (valid UTF-8, RFC 6532, is left alone).
 */
function repairHeaderBytes(bytes: Uint8Array): Uint8Array {
  const end = headerEnd(bytes);
  const head = bytes.subarray(0, end);
  if (isUtf8(head)) return bytes;
  const fixed = new TextEncoder().encode(new TextDecoder('windows-1252').decode(head));
  const repaired = new Uint8Array(fixed.length + bytes.length - end);
  repaired.set(fixed);
  repaired.set(bytes.subarray(end), fixed.length);
  return repaired;
}

/** The exact bytes, kept for the audit: as text when they are UTF-8, else base64 (8-bit charsets). One decode, not a check and a decode: a raw message can be 10 MB. */
export function rawCopy(bytes: Uint8Array, contentType = 'message/rfc822'): NonNullable<TicketDraft['raw']> {
  try {
    return { contentType, body: utf8Strict.decode(bytes) };
  } catch {
    return { contentType: `${contentType}; encoding=base64`, body: base64Encode(bytes) };
  }
}

/**
 * How much of a message postal-mime reads. Its cost grows with bytes (it walks them
 * one by one: 10 MB of HTML took ~100 ms) and, far more, with lines (each line is a
 * separate chunk: 100 KB of 8-byte lines took 340 ms in Node, 300 ms for 100,000
 * lines in workerd). Every ticket text is cut at MAX_SCAN_CHARS anyway; beyond
 * these limits a message yields the text and attachments found in its first part
 * only, and the stored raw message is always whole.
 */
export const PARSE_LIMITS = { maxBytes: 500_000, maxLines: 1_000 } as const;

/** The first `maxBytes` bytes or `maxLines` lines of a message, whichever is shorter, cut at a line end when there is one. */
export function parseWindow(bytes: Uint8Array, limits: { maxBytes: number; maxLines: number } = PARSE_LIMITS): Uint8Array {
  // Searched within the window only: a 10 MB message without line breaks is not walked to its end.
  const window = bytes.subarray(0, Math.min(bytes.length, limits.maxBytes));
  let lines = 0;
  for (let at = window.indexOf(0x0a); at >= 0; at = window.indexOf(0x0a, at + 1)) {
    if (++lines >= limits.maxLines) return bytes.subarray(0, at + 1);
  }
  if (window.length === bytes.length) return bytes;
  // A line end in the window's second half, so a cut never falls back into the headers of a one-line body.
  const lastBreak = window.lastIndexOf(0x0a);
  return lastBreak >= window.length / 2 ? window.subarray(0, lastBreak + 1) : window;
}

function headerRecord(email: Pick<Email, 'headers'>): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const { key, value } of email.headers) {
    if (!(key in headers)) headers[key] = value.slice(0, MAX_HEADER_VALUE);
  }
  return headers;
}

function sender(email: Email, envelopeFrom: string | null, limits: MimeLimits): TicketDraft['from'] {
  const from = email.from?.group ? email.from.group[0] : email.from;
  if (from?.address) return { address: from.address.trim().toLowerCase(), name: singleLine(from.name, limits.MAX_DISPLAY_NAME_CHARS) || null };
  return { address: (envelopeFrom ?? '').trim().toLowerCase().replace(/^<|>$/g, ''), name: null };
}

function attachmentsOf(email: Email, limits: MimeLimits): Attachment[] {
  return email.attachments.slice(0, limits.MAX_ATTACHMENTS).map((a) => ({
    filename: a.filename,
    mimeType: a.mimeType,
    size: typeof a.content === 'string' ? a.content.length : a.content.byteLength,
  }));
}

export type MimeInput = {
  bytes: Uint8Array;
  source: TicketSource;
  /** Email Routing's SMTP envelope: the sender when the headers name none, and `<>` for bounces. */
  envelope?: { from: string; to: string };
  /** Provider-stripped reply text (Mailgun `stripped-text`), preferred over our own stripping. */
  strippedText?: string | null;
  /** A webhook provider's verdict on the sender, read with the message's headers (every one, repeats kept, names in lower case). */
  authenticate?: (headers: readonly { key: string; value: string }[], from: string) => boolean | null;
};

export async function draftFromMime(input: MimeInput, limits: MimeLimits): Promise<TicketDraft> {
  const envelopeFrom = input.envelope?.from ?? null;
  let email: Email;
  try {
    email = await PostalMime.parse(repairHeaderBytes(parseWindow(input.bytes)), { attachmentEncoding: 'arraybuffer', maxNestingDepth: 50 });
  } catch {
    return unparsedDraft(input, limits);
  }
  const body = customerText({ text: email.text, html: email.html }, textLimits(limits));
  const providerStripped = input.strippedText?.trim() ? normalizeNewlines(input.strippedText.trim()).slice(0, limits.MAX_BODY_CHARS) : null;
  const text = providerStripped ?? body.text;
  const unstripped = providerStripped === null ? body.unstripped : unstrippedCopy(body.unstripped ?? body.text, providerStripped, limits.MAX_BODY_CHARS);
  const headers = headerRecord(email);
  const from = sender(email, envelopeFrom, limits);
  return {
    source: input.source,
    messageId: normalizeMessageId(email.messageId),
    inReplyTo: parseReferences(email.inReplyTo)[0] ?? null,
    references: parseReferences(email.references),
    from,
    to: input.envelope?.to ?? (email.to?.[0]?.address ?? null),
    subject: singleLine(email.subject, limits.MAX_SUBJECT_CHARS),
    text,
    unstripped,
    // Email Routing's own verdict, or the webhook provider's (`authenticate`); none else.
    senderAuthenticated: input.authenticate
      ? input.authenticate(email.headers, from.address)
      : input.source === 'email'
        ? emailRoutingAuthentication(headers, from.address, limits.EMAIL_AUTHSERV_ID)
        : null,
    headers,
    attachments: attachmentsOf(email, limits),
    raw: rawCopy(input.bytes),
    guardReason: null,
  };
}

/** postal-mime refused the input (a limit, or not MIME at all): keep what text there is. */
function unparsedDraft(input: MimeInput, limits: MimeLimits): TicketDraft {
  const bytes = input.bytes;
  const text = normalizeNewlines(new TextDecoder().decode(bytes.subarray(headerEnd(bytes), headerEnd(bytes) + limits.MAX_SCAN_CHARS * 4)).trim()).slice(0, limits.MAX_BODY_CHARS);
  return {
    source: input.source,
    messageId: null,
    inReplyTo: null,
    references: [],
    from: { address: (input.envelope?.from ?? '').toLowerCase(), name: null },
    to: input.envelope?.to ?? null,
    subject: '',
    text,
    headers: {},
    attachments: [],
    raw: rawCopy(bytes),
    guardReason: text ? null : GUARD_REASONS.unparseable,
  };
}
