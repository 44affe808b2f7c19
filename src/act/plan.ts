// What a decision sets in motion. Each effect is a delivery row (claimed once)
// plus an OUTBOX message; a repeat of this step finds the rows and re-sends only
// the messages of deliveries still queued.
import type { DecisionRow } from '../db/decisions';
import { planDelivery, planThreadAcknowledgement } from '../db/deliveries';
import type { DeliveryKind } from '../db/schema';
import type { TicketRow } from '../db/tickets';
import type { Deps } from '../deps';
import { deliver } from './outbox';
import type { Mailer } from './types';

export type OutboxMessage = { deliveryId: string };

/** Which channels exist besides the console: Slack (a notifier is configured) and the customer acknowledgement. */
export type ActingChannels = { slack: boolean; customerAck: boolean };

export function deliveryKindsFor(decision: Pick<DecisionRow, 'outcome'>, channels: ActingChannels = { slack: false, customerAck: false }): DeliveryKind[] {
  switch (decision.outcome) {
    case 'auto_reply':
      return ['email_reply'];
    case 'review':
      return channels.slack ? ['slack'] : [];
    case 'escalate':
      return [...(channels.slack ? (['slack'] as const) : []), ...(channels.customerAck ? (['customer_ack'] as const) : [])];
    case 'ignore':
      return [];
  }
}

export async function planActions(ticket: TicketRow, decision: DecisionRow, deps: Deps, inlineMailer?: Mailer): Promise<void> {
  const channels = { slack: deps.notifier !== null, customerAck: deps.config.CUSTOMER_ACK };
  for (const kind of deliveryKindsFor(decision, channels)) {
    const planned = await planOnce(ticket, kind, deps);
    if (!planned) continue;
    const { delivery } = planned;
    if (delivery.status !== 'queued') continue;
    if ((kind === 'email_reply' || kind === 'customer_ack') && inlineMailer) {
      // Email Routing: answer through the incoming message (threaded, no sending service).
      // If that fails the delivery stays queued and the outbox retries with the configured mailer.
      const sent = await deliver(delivery.id, deps, inlineMailer, { inline: true }).catch(() => false);
      if (sent) continue;
    }
    await deps.queues.outbox.send({ deliveryId: delivery.id } satisfies OutboxMessage);
  }
}

/** One acknowledgement per thread: a follow-up on an escalated thread is not acknowledged again. */
function planOnce(ticket: TicketRow, kind: DeliveryKind, deps: Deps) {
  const now = deps.clock.now();
  return kind === 'customer_ack' ? planThreadAcknowledgement(deps.db, ticket, now) : planDelivery(deps.db, ticket.id, kind, now);
}
