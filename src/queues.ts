// Queue consumers. Messages carry ids, never bodies (queue messages are ≤ 128 KB,
// and the row in D1 is the truth). Each message is acked or retried on its own.
import { OutboundError } from './act/http';
import { markDeliveryDead, deliver } from './act/outbox';
import type { OutboxMessage } from './act/plan';
import { setTicketStatus, findTicket } from './db/tickets';
import type { Deps } from './deps';
import type { TicketMessage } from './ingest/accept';
import { errorSummary, logEvent } from './log';
import { processTicket } from './pipeline';

export const QUEUE_NAMES = {
  tickets: 'deflect-tickets',
  outbox: 'deflect-outbox',
  ticketsDead: 'deflect-tickets-dlq',
  outboxDead: 'deflect-outbox-dlq',
} as const;

type Handler = (body: unknown, deps: Deps) => Promise<void>;

const handlers: Record<string, Handler> = {
  [QUEUE_NAMES.tickets]: async (body, deps) => {
    await processTicket((body as TicketMessage).ticketId, deps);
  },
  [QUEUE_NAMES.outbox]: async (body, deps) => {
    await deliver((body as OutboxMessage).deliveryId, deps);
  },
  [QUEUE_NAMES.ticketsDead]: async (body, deps) => {
    // The queue gave up on this ticket: mark it failed so a person sees it.
    const ticket = await findTicket(deps.db, (body as TicketMessage).ticketId);
    if (ticket && !['done', 'ignored'].includes(ticket.status)) {
      await setTicketStatus(deps.db, ticket.id, 'failed', deps.clock.now(), { lastError: `dead-lettered: ${ticket.lastError ?? 'unknown error'}` });
    }
  },
  [QUEUE_NAMES.outboxDead]: async (body, deps) => {
    await markDeliveryDead((body as OutboxMessage).deliveryId, deps);
  },
};

/** Base delay for ticket retries; doubled per attempt (exponential backoff), capped at 15 min. */
const RETRY_BASE_SECONDS = 5;
const BACKOFF_CAP_SECONDS = 900;
/** Cloudflare Queues accepts delays up to 12 hours. */
const MAX_DELAY_SECONDS = 43_200;

/** A provider's Retry-After wins (Slack 429); otherwise exponential backoff from the queue's base. */
export function retryDelaySeconds(error: unknown, attempts: number, baseSeconds: number): number {
  if (error instanceof OutboundError && error.retryAfterSeconds !== undefined) return Math.min(MAX_DELAY_SECONDS, error.retryAfterSeconds);
  return Math.min(BACKOFF_CAP_SECONDS, baseSeconds * 2 ** (attempts - 1));
}

export async function consume(batch: MessageBatch<unknown>, deps: Deps): Promise<void> {
  const queue = batch.queue.replace(/-preview$/, '');
  const handler = handlers[queue];
  if (!handler) throw new Error(`no consumer for queue ${batch.queue}`);
  const baseSeconds = queue === QUEUE_NAMES.outbox ? deps.config.OUTBOX_RETRY_BASE_SECONDS : RETRY_BASE_SECONDS;
  for (const message of batch.messages) {
    try {
      await handler(message.body, deps);
      message.ack();
    } catch (error) {
      const delaySeconds = retryDelaySeconds(error, message.attempts, baseSeconds);
      logEvent('warn', 'queue_retry', { queue: batch.queue, attempt: message.attempts, error: errorSummary(error) });
      message.retry({ delaySeconds });
    }
  }
}
