// SendGrid Inbound Parse (multipart/form-data) → TicketDraft, in both modes: "raw"
// (the whole MIME message in `email`) and parsed (fields, with `charsets` naming the
// encoding of each one, and the header block in `headers`).
import type { TicketDraft } from '../ticket';
import { sendgridAuthentication } from './authentication';
import { customerText, singleLine } from './body';
import { decodeField, type BinaryForm } from './form';
import { draftFromMime, rawCopy, textLimits, type MimeLimits } from './mime';

type Limits = MimeLimits;

function charsetsOf(form: BinaryForm): Record<string, string> {
  try {
    const parsed: unknown = JSON.parse(decodeField(form.field('charsets'), 'utf-8'));
    return parsed && typeof parsed === 'object' ? (parsed as Record<string, string>) : {};
  } catch {
    return {};
  }
}

/**
 * SendGrid's SMTP envelope (`{"to": [...], "from": "..."}`). Its recipient, not the
 * sender-written To header, is the address the mail reached: the rollout mode is read
 * by it, so a To naming another of the team's addresses must not pick that one's mode.
 */
function envelopeOf(form: BinaryForm): { from: string | null; to: string | null } {
  try {
    const envelope = JSON.parse(decodeField(form.field('envelope'), 'utf-8')) as { from?: unknown; to?: unknown };
    const to = Array.isArray(envelope.to) ? envelope.to[0] : envelope.to;
    return { from: typeof envelope.from === 'string' ? envelope.from : null, to: typeof to === 'string' && to.trim() ? to.trim().toLowerCase() : null };
  } catch {
    return { from: null, to: null };
  }
}

/** Null when the form carries no message at all (neither `email` nor `headers`). */
export async function draftFromSendGrid(form: BinaryForm, body: Uint8Array, contentType: string, limits: Limits): Promise<TicketDraft | null> {
  const envelope = envelopeOf(form);
  const verdicts = { dkim: decodeField(form.field('dkim'), 'utf-8'), spf: decodeField(form.field('SPF'), 'utf-8'), envelopeFrom: envelope.from };
  const rawEmail = form.field('email');
  if (rawEmail) {
    const draft = await draftFromMime({ bytes: rawEmail, source: 'sendgrid' }, limits);
    return { ...draft, to: envelope.to ?? draft.to, senderAuthenticated: sendgridAuthentication(verdicts, draft.from.address), raw: rawCopy(body, contentType) };
  }

  const headerBlock = form.field('headers');
  if (!headerBlock) return null;
  const charsets = charsetsOf(form);
  // The header block is a message without a body: postal-mime decodes From, Subject (RFC 2047) and the ids.
  const blank = new TextEncoder().encode('\r\n\r\n');
  const headersOnly = new Uint8Array(headerBlock.length + blank.length);
  headersOnly.set(headerBlock);
  headersOnly.set(blank, headerBlock.length);
  const parsed = await draftFromMime({ bytes: headersOnly, source: 'sendgrid' }, limits);
  const envelopeFrom = verdicts.envelopeFrom;
  const from = parsed.from.address ? parsed.from : { address: (envelopeFrom ?? '').toLowerCase(), name: null };
  const scan = limits.MAX_SCAN_CHARS;
  const fieldText = (name: string, charset: string | undefined) => decodeField(form.field(name)?.subarray(0, scan * 4) ?? null, charset);
  const text = customerText({ text: fieldText('text', charsets.text), html: fieldText('html', charsets.html) }, textLimits(limits));
  return {
    ...parsed,
    from,
    to: envelope.to ?? parsed.to,
    subject: parsed.subject || singleLine(fieldText('subject', charsets.subject), limits.MAX_SUBJECT_CHARS),
    ...text,
    senderAuthenticated: sendgridAuthentication(verdicts, from.address),
    attachments: form.files.slice(0, limits.MAX_ATTACHMENTS).map((f) => ({ filename: f.filename || null, mimeType: f.type.toLowerCase(), size: f.size })),
    raw: rawCopy(body, contentType),
  };
}
