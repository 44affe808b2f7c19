// The cron sweep: nothing accepted is ever lost. Tickets stuck before a decision
// (a crashed run, a failed enqueue) go back on the queue; replay caches are pruned.
import { lt } from 'drizzle-orm';
import { refitWhenDue } from './db/calibrations';
import { webhookReplays } from './db/schema';
import { findStuckTickets } from './db/tickets';
import type { Deps } from './deps';
import type { TicketMessage } from './ingest/accept';

/** Mailgun's documented timestamp tolerance is minutes; a day of tokens is ample. */
const REPLAY_RETENTION_MS = 24 * 60 * 60 * 1000;

export async function sweep(deps: Deps): Promise<{ requeued: number }> {
  const now = deps.clock.now();
  const stuck = await findStuckTickets(deps.db, now, deps.config.SWEEP_AFTER_SECONDS * 1000);
  if (stuck.length > 0) {
    await deps.queues.tickets.sendBatch(stuck.map((t) => ({ body: { ticketId: t.id } satisfies TicketMessage })));
  }
  await deps.db.delete(webhookReplays).where(lt(webhookReplays.seenAt, now - REPLAY_RETENTION_MS));
  await refitWhenDue(deps.db, deps.config, now);
  return { requeued: stuck.length };
}
