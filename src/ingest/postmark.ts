// Postmark inbound webhook JSON → TicketDraft. Postmark strips quoted history itself
// (StrippedTextReply); the Headers array carries Message-ID and the loop headers.
import { z } from 'zod';
import { normalizeMessageId, parseReferences, type TicketDraft } from '../ticket';
import { postmarkAuthentication } from './authentication';
import { customerText, normalizeNewlines, singleLine, unstrippedCopy } from './body';
import { textLimits, type MimeLimits } from './mime';

export const PostmarkInbound = z.looseObject({
  From: z.string().optional(),
  FromName: z.string().optional(),
  FromFull: z.looseObject({ Email: z.string(), Name: z.string().optional() }).optional(),
  To: z.string().optional(),
  OriginalRecipient: z.string().optional(),
  Subject: z.string().optional(),
  MessageID: z.string().optional(),
  Date: z.string().optional(),
  TextBody: z.string().optional(),
  HtmlBody: z.string().optional(),
  StrippedTextReply: z.string().nullish(),
  Headers: z.array(z.looseObject({ Name: z.string(), Value: z.string() })).default([]),
  Attachments: z
    .array(z.looseObject({ Name: z.string().nullish(), ContentType: z.string().nullish(), ContentLength: z.number().nullish() }))
    .default([]),
});
export type PostmarkInbound = z.output<typeof PostmarkInbound>;

export function draftFromPostmark(
  payload: PostmarkInbound,
  raw: string,
  limits: MimeLimits,
): TicketDraft | null {
  const address = (payload.FromFull?.Email ?? payload.From ?? '').trim().toLowerCase();
  if (!address.includes('@')) return null;
  const headers: Record<string, string> = {};
  for (const { Name, Value } of payload.Headers) {
    const name = Name.toLowerCase();
    if (!(name in headers)) headers[name] = Value.slice(0, 2000);
  }
  if (payload.Date && !headers['date']) headers['date'] = payload.Date;
  // Postmark already separated the reply from the quote (StrippedTextReply); otherwise strip it ourselves.
  const body = customerText({ text: payload.TextBody, html: payload.HtmlBody }, textLimits(limits));
  const stripped = payload.StrippedTextReply?.trim() ? normalizeNewlines(payload.StrippedTextReply.trim()).slice(0, limits.MAX_BODY_CHARS) : null;
  const text = stripped ?? body.text;
  return {
    source: 'postmark',
    // Postmark's own MessageID is stable across its retries: the identity when the mail had no Message-ID.
    messageId: normalizeMessageId(headers['message-id']) ?? (payload.MessageID ? `${payload.MessageID}@postmark.invalid` : null),
    inReplyTo: parseReferences(headers['in-reply-to'])[0] ?? null,
    references: parseReferences(headers['references']),
    from: { address, name: singleLine(payload.FromFull?.Name || payload.FromName, limits.MAX_DISPLAY_NAME_CHARS) || null },
    to: payload.OriginalRecipient ?? payload.To ?? null,
    subject: singleLine(payload.Subject, limits.MAX_SUBJECT_CHARS),
    text,
    unstripped: stripped === null ? body.unstripped : unstrippedCopy(body.unstripped ?? body.text, stripped, limits.MAX_BODY_CHARS),
    senderAuthenticated: postmarkAuthentication(headers, address),
    headers,
    attachments: payload.Attachments.slice(0, limits.MAX_ATTACHMENTS).map((a) => ({
      filename: a.Name ?? null,
      mimeType: (a.ContentType ?? 'application/octet-stream').toLowerCase(),
      size: a.ContentLength ?? 0,
    })),
    raw: { contentType: 'application/json', body: raw },
    guardReason: null,
  };
}
