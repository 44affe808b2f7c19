// Ticket: the one normalised shape every source (Email Routing, Postmark, SendGrid,
// Mailgun, JSON API) produces before anything is stored or decided.
import type { TicketSource } from './domain';
import { logEvent } from './log';
import { randomBytes, sha256Hex } from './security/crypto';
import { hexEncode } from './security/encoding';

export type Attachment = { filename: string | null; mimeType: string; size: number };

export type TicketDraft = {
  source: TicketSource;
  /** Message-ID without angle brackets; null when the message had none (we derive a stable one). */
  messageId: string | null;
  inReplyTo: string | null;
  references: string[];
  from: { address: string; name: string | null };
  to: string | null;
  subject: string;
  /** Customer text with quoted history and signatures removed. */
  text: string;
  /** Everything the customer sent as text, before stripping (newlines normalised, capped); null when it equals `text`. */
  unstripped?: string | null;
  /** SPF/DKIM/DMARC verdict the receiving service recorded: true passed, false failed, null unknown (API, no verdict). */
  senderAuthenticated?: boolean | null;
  /** Lower-cased header names → values, for the guard and the audit. */
  headers: Record<string, string>;
  attachments: Attachment[];
  raw: { contentType: string; body: string } | null;
  /** Set when ingest already knows the message must not be answered (guard). */
  guardReason: string | null;
};

/** RFC 5322 §2.1.1: no header line is longer, so no id inside one is either. */
export const MAX_THREADING_ID_CHARS = 998;

/** A References header is read this far: 100 ids of ordinary length, never a 10 MB header. */
const MAX_REFERENCES_CHARS = 20_000;

export type ThreadingIdProblem = 'threading_id_too_long' | 'threading_id_not_printable_ascii' | 'threading_id_angle_bracket';

/**
 * Why an id (without its angle brackets) must not be written into a reply's
 * In-Reply-To/References, or null when it is safe: visible ASCII only (RFC 5322
 * msg-id), so no CR/LF can start a header line of ours, and no `<`/`>` inside.
 */
export function threadingIdProblem(id: string): ThreadingIdProblem | null {
  if (id.length > MAX_THREADING_ID_CHARS) return 'threading_id_too_long';
  for (let i = 0; i < id.length; i++) {
    const code = id.charCodeAt(i);
    if (code < 0x21 || code > 0x7e) return 'threading_id_not_printable_ascii';
    if (code === 0x3c || code === 0x3e) return 'threading_id_angle_bracket';
  }
  return null;
}

/** `<abc@host>` → `abc@host`; empty → null. Does not validate: see `threadingId`. */
export function stripAngleBrackets(value: string | null | undefined): string | null {
  if (!value) return null;
  let start = 0;
  let end = value.length;
  while (start < end && (value[start] === '<' || /\s/.test(value[start]!))) start++;
  while (end > start && (value[end - 1] === '>' || /\s/.test(value[end - 1]!))) end--;
  return end > start ? value.slice(start, end) : null;
}

/** A mail's id made safe: the normalised id, or null (dropped, and logged with the reason) when it could inject header lines. */
export function normalizeMessageId(value: string | null | undefined): string | null {
  const id = stripAngleBrackets(value);
  if (id === null) return null;
  const problem = threadingIdProblem(id);
  if (!problem) return id;
  logEvent('warn', 'threading_id_dropped', { reason: problem, length: id.length });
  return null;
}

/** A References header is a whitespace-separated list of `<id>`s; unsafe ids are dropped. */
export function parseReferences(value: string | null | undefined): string[] {
  if (!value) return [];
  const head = value.slice(0, MAX_REFERENCES_CHARS);
  const ids = head.match(/<[^<>]{1,998}>/g) ?? head.split(/\s+/);
  return ids.map(normalizeMessageId).filter((id): id is string => id !== null);
}

/**
 * The sender as the caps count it: `Flood+53@Example.com` and `flood@example.com`
 * are one sender (plus-addressing, RFC 5233, and case are the cheapest ways to look like many).
 */
export function senderKey(address: string): string {
  const lower = address.trim().toLowerCase();
  const at = lower.lastIndexOf('@');
  if (at <= 0) return lower;
  const plus = lower.indexOf('+');
  return plus >= 0 && plus < at ? `${lower.slice(0, plus)}${lower.slice(at)}` : lower;
}

/**
 * A message without a Message-ID still needs one identity so that a provider's
 * retry of it is recognised: hash what a retry keeps the same.
 */
export async function derivedMessageId(draft: Pick<TicketDraft, 'from' | 'subject' | 'text' | 'headers'>): Promise<string> {
  const date = draft.headers['date'] ?? '';
  const hash = await sha256Hex([draft.from.address.toLowerCase(), date, draft.subject, draft.text].join('\n'));
  return `derived-${hash.slice(0, 32)}@deflect.invalid`;
}

export function newId(prefix: string): string {
  return `${prefix}_${hexEncode(randomBytes(12))}`;
}
