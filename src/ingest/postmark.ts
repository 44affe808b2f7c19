// Postmark inbound webhook JSON → TicketDraft. Postmark strips quoted history itself
// (StrippedTextReply); the Headers array carries Message-ID and the loop headers.
import { z } from 'zod';
import type { Config } from '../config';
import { normalizeMessageId, parseReferences, type TicketDraft } from '../ticket';
import { customerText } from './body';

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
  limits: Pick<Config, 'MAX_ATTACHMENTS' | 'MAX_BODY_CHARS'>,
): TicketDraft | null {
  const address = (payload.FromFull?.Email ?? payload.From ?? '').trim().toLowerCase();
  if (!address.includes('@')) return null;
  const headers: Record<string, string> = {};
  for (const { Name, Value } of payload.Headers) {
    const name = Name.toLowerCase();
    if (!(name in headers)) headers[name] = Value.slice(0, 2000);
  }
  if (payload.Date && !headers['date']) headers['date'] = payload.Date;
  const stripped = payload.StrippedTextReply?.trim();
  return {
    source: 'postmark',
    // Postmark's own MessageID is stable across its retries: the identity when the mail had no Message-ID.
    messageId: normalizeMessageId(headers['message-id']) ?? (payload.MessageID ? `${payload.MessageID}@postmark.invalid` : null),
    inReplyTo: parseReferences(headers['in-reply-to'])[0] ?? null,
    references: parseReferences(headers['references']),
    from: { address, name: payload.FromFull?.Name?.trim() || payload.FromName?.trim() || null },
    to: payload.OriginalRecipient ?? payload.To ?? null,
    subject: (payload.Subject ?? '').replace(/\s+/g, ' ').trim(),
    text: stripped ? stripped.slice(0, limits.MAX_BODY_CHARS) : customerText({ text: payload.TextBody, html: payload.HtmlBody }, limits.MAX_BODY_CHARS),
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
