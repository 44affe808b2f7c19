// The cron sweep (the scheduled() handler): nothing accepted is ever lost. Tickets
// stuck before a decision (a crashed run, a failed enqueue) and deliveries stuck
// before a send (a lost OUTBOX message, a crashed send) go back on their queue;
// replay caches are pruned, and the calibration is refitted when due.
import { findStuckDeliveries } from '../db/deliveries';
import { pruneWebhookReplays } from '../db/intake';
import { findStuckTickets } from '../db/tickets';
import type { Deps } from '../deps';
import type { OutboxMessage, TicketMessage } from '../queue-messages';
import { refitWhenDue } from './calibration';

/** Mailgun's documented timestamp tolerance is minutes; a day of tokens is ample. */
const REPLAY_RETENTION_MS = 24 * 60 * 60 * 1000;
/** Queue sendBatch takes at most 100 messages. */
const PAGE = 100;

export type SweepResult = { requeued: number; deliveriesRequeued: number };

export async function sweep(deps: Deps): Promise<SweepResult> {
  const now = deps.clock.now();
  const requeued = await sweepTickets(deps, now);
  const deliveriesRequeued = await sweepDeliveries(deps, now);
  await pruneWebhookReplays(deps.db, now - REPLAY_RETENTION_MS);
  await refitWhenDue(deps.db, deps.config, now);
  return { requeued, deliveriesRequeued };
}

/** Every stuck ticket, oldest first, a page at a time: the oldest waited longest. */
export async function sweepTickets(deps: Deps, now: number): Promise<number> {
  let total = 0;
  let after: { updatedAt: number; id: string } | undefined;
  for (;;) {
    const page = await findStuckTickets(deps.db, now, deps.config.SWEEP_AFTER_SECONDS * 1000, PAGE, after);
    if (page.length > 0) await deps.queues.tickets.sendBatch(page.map((t) => ({ body: { ticketId: t.id } satisfies TicketMessage })));
    total += page.length;
    const last = page.at(-1);
    if (!last || page.length < PAGE) return total;
    after = { updatedAt: last.updatedAt, id: last.id };
  }
}

/**
 * Every delivery `queued` past DELIVERY_SWEEP_AFTER_SECONDS or `sending` past
 * SEND_STALE_SECONDS goes back on OUTBOX. The claim decides who sends: a repeat is a
 * no-op, and a send that crashed after the provider took it is sent at most once more.
 */
export async function sweepDeliveries(deps: Deps, now: number): Promise<number> {
  const windows = { queuedOlderThanMs: deps.config.DELIVERY_SWEEP_AFTER_SECONDS * 1000, staleMs: deps.config.SEND_STALE_SECONDS * 1000 };
  let total = 0;
  let after: { updatedAt: number; id: string } | undefined;
  for (;;) {
    const page = await findStuckDeliveries(deps.db, now, windows, PAGE, after);
    if (page.length > 0) await deps.queues.outbox.sendBatch(page.map((d) => ({ body: { deliveryId: d.id } satisfies OutboxMessage })));
    total += page.length;
    const last = page.at(-1);
    if (!last || page.length < PAGE) return total;
    after = { updatedAt: last.updatedAt, id: last.id };
  }
}
