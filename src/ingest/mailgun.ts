// Mailgun route forward() → TicketDraft, and the signature fields the form carries
// (checked by security/mailgun.ts before anything here reads the message).
import type { MailgunSignature } from '../security/mailgun';
import { normalizeMessageId, parseReferences, type TicketDraft } from '../ticket';
import { dkimSigningDomains, mailgunAuthentication } from './authentication';
import { customerText, singleLine, stripQuotedReply, unstrippedCopy } from './body';
import { decodeField, type BinaryForm } from './form';
import { draftFromMime, rawCopy, textLimits, type MimeLimits } from './mime';

type Limits = MimeLimits;

export function signatureFields(form: BinaryForm): MailgunSignature {
  const text = (name: string) => decodeField(form.field(name), 'utf-8').trim();
  return { timestamp: text('timestamp'), token: text('token'), signature: text('signature') };
}

/** `message-headers` is a JSON list of [name, value] pairs; names in lower case, values capped. A missing or broken list gives none. */
function headerPairs(json: string): { key: string; value: string }[] {
  try {
    const pairs: unknown = JSON.parse(json);
    if (!Array.isArray(pairs)) return [];
    return pairs.flatMap((p) => (Array.isArray(p) && typeof p[0] === 'string' && typeof p[1] === 'string' ? [{ key: p[0].toLowerCase(), value: p[1].slice(0, 2000) }] : []));
  } catch {
    return [];
  }
}

/** The first value of each header (the guard's view); with no list, the guard reads the individual header fields below. */
function headerRecord(pairs: readonly { key: string; value: string }[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const { key, value } of pairs) if (!(key in headers)) headers[key] = value;
  return headers;
}

const ADDRESS = /<([^<>\s]+@[^<>\s]+)>|([^\s<>",;]+@[^\s<>",;]+)/;

/** A From field is one header line; reading 1000 characters of it keeps the unanchored pattern cheap. */
function mailbox(field: string): { address: string; name: string | null } | null {
  const value = field.slice(0, 1000);
  const match = ADDRESS.exec(value);
  const address = (match?.[1] ?? match?.[2])?.toLowerCase();
  if (!address) return null;
  const name = value.slice(0, match!.index).replace(/^["'\s]+|["'\s]+$/g, '').trim();
  return { address, name: name || null };
}

/** Null when the form carries no message (no sender in any field). */
export async function draftFromMailgun(form: BinaryForm, body: Uint8Array, contentType: string, limits: Limits): Promise<TicketDraft | null> {
  // Every field is cut before any pattern reads it (MAX_SCAN_CHARS characters are at most 4× as many UTF-8 bytes).
  const text = (name: string) => decodeField(form.field(name)?.subarray(0, limits.MAX_SCAN_CHARS * 4) ?? null, 'utf-8');
  // Mailgun's verdict fields, with the message's DKIM signatures: whose pass it is (authentication.ts).
  const verdicts = (headers: readonly { key: string; value: string }[], from: string) => {
    const signatures = headers.filter((h) => h.key === 'dkim-signature').map((h) => h.value);
    return mailgunAuthentication({ dkim: text('X-Mailgun-Dkim-Check-Result'), spf: text('X-Mailgun-Spf'), sender: text('sender'), dkimDomains: dkimSigningDomains(signatures) }, from);
  };
  const rawMime = form.field('body-mime');
  if (rawMime) {
    const draft = await draftFromMime({ bytes: rawMime, source: 'mailgun', envelope: { from: text('sender'), to: text('recipient') }, authenticate: verdicts }, limits);
    return { ...draft, raw: rawCopy(body, contentType) };
  }
  const pairs = headerPairs(text('message-headers'));
  const headers = headerRecord(pairs);
  // Parsed mode also posts each header as its own field ("Auto-Submitted", "List-Id", …).
  for (const name of ['auto-submitted', 'precedence', 'list-id', 'list-unsubscribe', 'return-path', 'x-autoreply', 'x-autorespond', 'x-auto-response-suppress', 'content-type', 'date']) {
    const value = text(name.replace(/(^|-)\w/g, (s) => s.toUpperCase())) || text(name);
    if (value && !(name in headers)) headers[name] = value;
  }
  const from = mailbox(text('from') || text('From')) ?? mailbox(text('sender'));
  if (!from) return null;
  const full = customerText({ text: text('body-plain'), html: text('body-html') }, textLimits(limits));
  // Mailgun already separated the reply from the quote (`stripped-text`); otherwise strip it ourselves.
  const provided = text('stripped-text').trim();
  const stripped = provided ? stripQuotedReply(provided.slice(0, limits.MAX_SCAN_CHARS)).slice(0, limits.MAX_BODY_CHARS) : null;
  return {
    source: 'mailgun',
    messageId: normalizeMessageId(text('Message-Id') || headers['message-id']),
    inReplyTo: parseReferences(text('In-Reply-To') || headers['in-reply-to'])[0] ?? null,
    references: parseReferences(text('References') || headers['references']),
    from: { address: from.address, name: singleLine(from.name, limits.MAX_DISPLAY_NAME_CHARS) || null },
    to: text('recipient') || null,
    subject: singleLine(text('subject') || text('Subject'), limits.MAX_SUBJECT_CHARS),
    text: stripped ?? full.text,
    unstripped: stripped === null ? full.unstripped : unstrippedCopy(full.unstripped ?? full.text, stripped, limits.MAX_BODY_CHARS),
    senderAuthenticated: verdicts(pairs, from.address),
    headers,
    attachments: form.files.slice(0, limits.MAX_ATTACHMENTS).map((f) => ({ filename: f.filename || null, mimeType: f.type.toLowerCase(), size: f.size })),
    raw: rawCopy(body, contentType),
    guardReason: null,
  };
}
