// Queue consumers. Messages carry ids, never bodies (queue messages are ≤ 128 KB,
// and the row in D1 is the truth). Each message is acked or retried on its own.
import { z } from 'zod';
import { OutboundError } from './errors';
import type { Deps } from './deps';
import { errorSummary, logEvent } from './log';
import { markTicketDead, processTicket } from './pipeline';
import { deliver, markDeliveryDead } from './pipeline/deliver';
import { OutboxMessage, TicketMessage } from './queue-messages';

export const QUEUE_NAMES = {
  tickets: 'deflect-tickets',
  outbox: 'deflect-outbox',
  ticketsDead: 'deflect-tickets-dlq',
  outboxDead: 'deflect-outbox-dlq',
} as const;

/** What a handled message asks for: nothing (ack), or to be delivered again after a while. */
type Handled = void | { retryAfterSeconds: number };
type Handler = (body: unknown, deps: Deps) => Promise<Handled>;

/** A body that is not one of ours can never become valid: it is logged and acked, not retried. */
function parsed<T extends z.ZodType>(schema: T, run: (message: z.output<T>, deps: Deps) => Promise<Handled>): Handler {
  return async (body, deps) => {
    const message = schema.safeParse(body);
    if (!message.success) {
      logEvent('error', 'queue_message_invalid', { error: z.prettifyError(message.error) });
      return;
    }
    return run(message.data, deps);
  };
}

const handlers: Record<string, Handler> = {
  [QUEUE_NAMES.tickets]: parsed(TicketMessage, async ({ ticketId }, deps) => {
    const result = await processTicket(ticketId, deps);
    // A redelivery while another run holds the lease: come back when the lease ends, not never.
    if (result.status === 'skipped' && result.reason === 'leased') return { retryAfterSeconds: Math.ceil(result.retryAfterMs / 1000) };
  }),
  [QUEUE_NAMES.outbox]: parsed(OutboxMessage, async ({ deliveryId }, deps) => {
    await deliver(deliveryId, deps);
  }),
  [QUEUE_NAMES.ticketsDead]: parsed(TicketMessage, async ({ ticketId }, deps) => {
    await markTicketDead(ticketId, deps);
  }),
  [QUEUE_NAMES.outboxDead]: parsed(OutboxMessage, async ({ deliveryId }, deps) => {
    await markDeliveryDead(deliveryId, deps);
  }),
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

/** A message's run outlived its deadline; it is retried, and the claim it holds protects the row meanwhile. */
class DeadlineExceeded extends Error {
  constructor(readonly afterMs: number) {
    super(`run exceeded its ${afterMs} ms deadline`);
    this.name = 'DeadlineExceeded';
  }
}

function withDeadline<T>(run: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineExceeded(ms)), ms);
  });
  return Promise.race([run, deadline]).finally(() => clearTimeout(timer));
}

/**
 * Up to QUEUE_CONCURRENCY messages run at once, each within TICKET_DEADLINE_SECONDS
 * and the batch's budget (BATCH_BUDGET_SECONDS, under the platform's 15 minutes): once
 * the budget is spent, messages not yet started are retried, not started.
 */
export async function consume(batch: MessageBatch<unknown>, deps: Deps): Promise<void> {
  const queue = batch.queue.replace(/-preview$/, '');
  const handler = handlers[queue];
  if (!handler) throw new Error(`no consumer for queue ${batch.queue}`);
  const { config } = deps;
  const baseSeconds = queue === QUEUE_NAMES.outbox ? config.OUTBOX_RETRY_BASE_SECONDS : RETRY_BASE_SECONDS;
  // A run cut at its deadline still holds its claim: retry once that claim can be taken over.
  const afterDeadlineSeconds = queue === QUEUE_NAMES.outbox ? config.SEND_STALE_SECONDS : config.LEASE_SECONDS;
  // Wall-clock time, not deps.clock: the budget is the platform's, whatever clock the rows use.
  const budgetEnd = Date.now() + config.BATCH_BUDGET_SECONDS * 1000;
  const pending = [...batch.messages];

  const runOne = async (message: Message<unknown>) => {
    const remainingMs = budgetEnd - Date.now();
    if (remainingMs <= 0) {
      logEvent('warn', 'queue_budget_spent', { queue: batch.queue, messageId: message.id });
      message.retry({ delaySeconds: 0 });
      return;
    }
    try {
      const handled = await withDeadline(handler(message.body, deps), Math.min(config.TICKET_DEADLINE_SECONDS * 1000, remainingMs));
      if (handled) message.retry({ delaySeconds: Math.min(MAX_DELAY_SECONDS, handled.retryAfterSeconds) });
      else message.ack();
    } catch (error) {
      const delaySeconds = error instanceof DeadlineExceeded ? afterDeadlineSeconds : retryDelaySeconds(error, message.attempts, baseSeconds);
      logEvent('warn', 'queue_retry', { queue: batch.queue, attempt: message.attempts, error: errorSummary(error) });
      message.retry({ delaySeconds });
    }
  };
  const lane = async () => {
    for (let message = pending.shift(); message; message = pending.shift()) await runOne(message);
  };
  await Promise.all(Array.from({ length: Math.min(config.QUEUE_CONCURRENCY, pending.length) }, lane));
}
