// Hand a ticket deflect does not answer to the team's helpdesk. An Email Routing
// ticket is forwarded inline (the helpdesk threads it as the customer's own mail);
// forward() exists only while the email() invocation is alive, so if it fails, or
// the ticket is decided later by the queue, the OUTBOX sends a hand-off email instead.
import type { DecisionRow } from '../db/decisions';
import type { TicketRow } from '../db/tickets';
import type { Deps } from '../deps';
import { errorSummary, logEvent } from '../log';
import { handoffKinds, isReplay, needsHandoff, type HandoffKind } from '../act/handoff-rules';
import { isForwarder, type Mailer } from '../act/types';
import { planDelivery } from '../db/deliveries';

export type HandoffOptions = {
  /**
   * While email() still runs: the incoming message's mailer and the OUTBOX's deliver()
   * bound to it (passed in, so this module does not import the outbox: no import cycle).
   */
  inline?: { mailer: Mailer; deliver: (deliveryId: string) => Promise<boolean> };
  /** Whether deflect sent the customer an answer on its own; modes that send nothing pass false. */
  sentToCustomer?: boolean;
};

export async function planHandoff(ticket: TicketRow, decision: DecisionRow, deps: Deps, options: HandoffOptions = {}): Promise<void> {
  const sentToCustomer = options.sentToCustomer ?? decision.outcome === 'auto_reply';
  if (!needsHandoff(decision, sentToCustomer)) return;
  const inline = options.inline && isForwarder(options.inline.mailer) ? options.inline : null;
  const pending = await enqueueHandoffs(ticket, deps, { keepInline: inline ? ['handoff'] : [] });
  for (const delivery of pending) {
    const sent = await inline!.deliver(delivery.id).catch((error: unknown) => {
      logEvent('warn', 'handoff_forward_failed', { ticketId: ticket.id, error: errorSummary(error) });
      return false;
    });
    // Still queued: the OUTBOX mails the hand-off with the configured mailer.
    if (!sent) await deps.queues.outbox.send({ deliveryId: delivery.id });
  }
}

/**
 * Plan the hand-off deliveries (one row per ticket and kind, so a repeat is a no-op)
 * and queue the new ones for the OUTBOX. Returns the rows still queued that the caller
 * may send inline; the rest went to the queue.
 */
export async function enqueueHandoffs(ticket: TicketRow, deps: Deps, options: { keepInline?: HandoffKind[] } = {}) {
  if (isReplay(ticket)) return [];
  const inline = [];
  for (const kind of handoffKinds(deps.config)) {
    const { delivery } = await planDelivery(deps.db, ticket.id, kind, deps.clock.now());
    if (delivery.status !== 'queued') continue;
    if (options.keepInline?.includes(kind)) inline.push(delivery);
    else await deps.queues.outbox.send({ deliveryId: delivery.id });
  }
  return inline;
}
