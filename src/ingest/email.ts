// Email Routing: the Worker's email() handler. Read the raw message (bounded),
// normalise, guard, store, then run the pipeline inline so an auto-reply can go
// out through message.reply(). If the run cannot finish, the ticket is left
// pending and enqueued: the queue consumer finishes it with the configured mailer.
import { ReplyMailer } from '../act/reply-mailer';
import type { Deps } from '../deps';
import { errorSummary, logEvent } from '../log';
import { processTicket } from '../pipeline';
import { normalizeMessageId, parseReferences, type TicketDraft } from '../ticket';
import type { Config } from '../config';
import type { TicketMessage } from '../queue-messages';
import { storeDraft, type Accepted } from './accept';
import { singleLine } from './body';
import { GUARD_REASONS } from './guard';
import { draftFromMime } from './mime';

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
function oversizedDraft(message: ForwardableEmailMessage, limits: Pick<Config, 'MAX_SUBJECT_CHARS'>): TicketDraft {
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

export async function receiveEmail(message: ForwardableEmailMessage, deps: Deps): Promise<Accepted> {
  const limit = deps.config.MAX_EMAIL_BYTES;
  const bytes = message.rawSize > limit ? null : await readBounded(message.raw, limit);
  if (!bytes) {
    const accepted = await storeDraft(oversizedDraft(message, deps.config), deps);
    // A permanent SMTP refusal tells a person their mail did not arrive; the refusal is audited above.
    message.setReject(`Message too large: this mailbox accepts up to ${limit} bytes`);
    return accepted;
  }
  const draft = await draftFromMime({ bytes, source: 'email', envelope: { from: message.from, to: message.to } }, deps.config);
  const accepted = await storeDraft({ ...draft, guardReason: draft.guardReason ?? envelopeGuard(message) }, deps);
  if (accepted.created && accepted.ticket.status === 'received') await runInline(accepted.ticket.id, message, deps);
  return accepted;
}

/** Email Routing gives a bounce an empty envelope sender (RFC 5321 null reverse-path). */
function envelopeGuard(message: ForwardableEmailMessage): string | null {
  const from = message.from.trim();
  return from === '' || from === '<>' ? GUARD_REASONS.bounce : null;
}

async function runInline(ticketId: string, message: ForwardableEmailMessage, deps: Deps): Promise<void> {
  try {
    await processTicket(ticketId, deps, { inlineMailer: new ReplyMailer(message) });
  } catch (error) {
    // processTicket left the ticket `pending`; the queue finishes it (and the cron sweep if this send fails too).
    logEvent('warn', 'email_inline_deferred', { ticketId, error: errorSummary(error) });
    await deps.queues.tickets.send({ ticketId } satisfies TicketMessage).catch((enqueueError: unknown) => {
      logEvent('warn', 'enqueue_failed', { ticketId, error: errorSummary(enqueueError) });
    });
  }
}
