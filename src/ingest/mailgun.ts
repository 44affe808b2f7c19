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

/** `message-headers` is a JSON list of [name, value] pairs. */
function headerRecord(json: string): Record<string, string> {
  const headers: Record<string, string> = {};
  try {
    const pairs: unknown = JSON.parse(json);
    if (!Array.isArray(pairs)) return headers;
    for (const pair of pairs) {
      if (Array.isArray(pair) && typeof pair[0] === 'string' && typeof pair[1] === 'string') {
        const name = pair[0].toLowerCase();
        if (!(name in headers)) headers[name] = pair[1].slice(0, 2000);
      }
    }
  } catch {
    // A missing or broken list leaves the guard with the individual header fields below.
  }
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

/** Every value of the header `name` in `message-headers` (`[[name, value], …]`). */
function headerValues(json: string, name: string): string[] {
  try {
    const pairs: unknown = JSON.parse(json);
    if (!Array.isArray(pairs)) return [];
    return pairs.flatMap((p) => (Array.isArray(p) && typeof p[0] === 'string' && typeof p[1] === 'string' && p[0].toLowerCase() === name ? [p[1].slice(0, 2000)] : []));
  } catch {
    return [];
  }
}

/** Every value of the header `name` in a raw message's header block, folded lines joined. */
function mimeHeaderValues(bytes: Uint8Array, name: string, maxBytes: number): string[] {
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, maxBytes)).split(/\r?\n\r?\n/, 1)[0]!;
  const prefix = `${name}:`;
  return head
    .replace(/\r?\n[ \t]+/g, ' ')
    .split(/\r?\n/)
    .filter((line) => line.toLowerCase().startsWith(prefix))
    .map((line) => line.slice(prefix.length).slice(0, 2000));
}

/** Null when the form carries no message (no sender in any field). */
export async function draftFromMailgun(form: BinaryForm, body: Uint8Array, contentType: string, limits: Limits): Promise<TicketDraft | null> {
  // Every field is cut before any pattern reads it (MAX_SCAN_CHARS characters are at most 4× as many UTF-8 bytes).
  const text = (name: string) => decodeField(form.field(name)?.subarray(0, limits.MAX_SCAN_CHARS * 4) ?? null, 'utf-8');
  const verdicts = (from: string, dkimSignatures: string[]) =>
    mailgunAuthentication(
      { dkim: text('X-Mailgun-Dkim-Check-Result'), spf: text('X-Mailgun-Spf'), sender: text('sender'), dkimDomains: dkimSigningDomains(dkimSignatures) },
      from,
    );
  const rawMime = form.field('body-mime');
  if (rawMime) {
    const draft = await draftFromMime({ bytes: rawMime, source: 'mailgun', envelope: { from: text('sender'), to: text('recipient') } }, limits);
    const signatures = mimeHeaderValues(rawMime, 'dkim-signature', limits.MAX_SCAN_CHARS * 4);
    return { ...draft, senderAuthenticated: verdicts(draft.from.address, signatures), raw: rawCopy(body, contentType) };
  }
  const headers = headerRecord(text('message-headers'));
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
    senderAuthenticated: verdicts(from.address, headerValues(text('message-headers'), 'dkim-signature')),
    headers,
    attachments: form.files.slice(0, limits.MAX_ATTACHMENTS).map((f) => ({ filename: f.filename || null, mimeType: f.type.toLowerCase(), size: f.size })),
    raw: rawCopy(body, contentType),
    guardReason: null,
  };
}
