// Ticket: the one normalised shape every source (Email Routing, Postmark, SendGrid,
// Mailgun, JSON API) produces before anything is stored or decided.
import type { TicketSource } from './db/schema';

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
  /** Lower-cased header names → values, for the guard and the audit. */
  headers: Record<string, string>;
  attachments: Attachment[];
  raw: { contentType: string; body: string } | null;
  /** Set when ingest already knows the message must not be answered (guard). */
  guardReason: string | null;
};

/** `<abc@host>` → `abc@host`; empty → null. */
export function normalizeMessageId(value: string | null | undefined): string | null {
  if (!value) return null;
  const trimmed = value.trim().replace(/^<+/, '').replace(/>+$/, '').trim();
  return trimmed.length > 0 ? trimmed : null;
}

/** A References header is a whitespace-separated list of `<id>`s. */
export function parseReferences(value: string | null | undefined): string[] {
  if (!value) return [];
  const ids = value.match(/<[^<>]+>/g) ?? value.split(/\s+/);
  return ids.map(normalizeMessageId).filter((id): id is string => id !== null);
}

export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
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
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return `${prefix}_${[...bytes].map((b) => b.toString(16).padStart(2, '0')).join('')}`;
}
