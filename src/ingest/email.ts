// Email Routing's message → TicketDraft: read the raw message (bounded), and the
// refusals only the envelope can tell (too large, a bounce). receiveEmail in
// pipeline.ts stores the draft and runs it inline.
import type { Config } from '../config';
import { normalizeMessageId, parseReferences, type TicketDraft } from '../ticket';
import { singleLine } from './body';
import { GUARD_REASONS } from './guard';

/** Read a stream up to `limit` bytes; null when it is longer (the rest is not read). */
export async function readBounded(stream: ReadableStream<Uint8Array>, limit: number): Promise<Uint8Array | null> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

/** A message over MAX_EMAIL_BYTES: keep its headers and the refusal, never its body. */
export function oversizedDraft(message: ForwardableEmailMessage, limits: Pick<Config, 'MAX_SUBJECT_CHARS'>): TicketDraft {
  const headers = Object.fromEntries([...message.headers].map(([name, value]) => [name.toLowerCase(), value.slice(0, 2000)]));
  return {
    source: 'email',
    messageId: normalizeMessageId(headers['message-id']),
    inReplyTo: parseReferences(headers['in-reply-to'])[0] ?? null,
    references: parseReferences(headers['references']),
    from: { address: message.from.toLowerCase(), name: null },
    to: message.to,
    subject: singleLine(headers['subject'], limits.MAX_SUBJECT_CHARS),
    text: '',
    headers,
    attachments: [],
    raw: null,
    guardReason: GUARD_REASONS.tooLarge,
  };
}

/** Email Routing gives a bounce an empty envelope sender (RFC 5321 null reverse-path). */
export function envelopeGuard(message: ForwardableEmailMessage): string | null {
  const from = message.from.trim();
  return from === '' || from === '<>' ? GUARD_REASONS.bounce : null;
}
