// What a decision sets in motion. Each effect is a delivery row (claimed once)
// plus an OUTBOX message; a repeat of this step finds the rows and re-sends only
// the messages of deliveries still queued.
import type { DecisionRow } from '../db/decisions';
import { planDelivery } from '../db/deliveries';
import type { DeliveryKind } from '../db/schema';
import type { TicketRow } from '../db/tickets';
import type { Deps } from '../deps';
import { deliver } from './outbox';
import type { Mailer } from './types';

export type OutboxMessage = { deliveryId: string };

export function deliveryKindsFor(decision: Pick<DecisionRow, 'outcome'>): DeliveryKind[] {
  switch (decision.outcome) {
    case 'auto_reply':
      return ['email_reply'];
    case 'review':
    case 'escalate':
    case 'ignore':
      return [];
  }
}

export async function planActions(ticket: TicketRow, decision: DecisionRow, deps: Deps, inlineMailer?: Mailer): Promise<void> {
  for (const kind of deliveryKindsFor(decision)) {
    const { delivery } = await planDelivery(deps.db, ticket.id, kind, deps.clock.now());
    if (delivery.status !== 'queued') continue;
    if (kind === 'email_reply' && inlineMailer) {
      // Email Routing: answer through the incoming message (threaded, no sending service).
      // If that fails the delivery stays queued and the outbox retries with the configured mailer.
      const sent = await deliver(delivery.id, deps, inlineMailer).catch(() => false);
      if (sent) continue;
    }
    await deps.queues.outbox.send({ deliveryId: delivery.id } satisfies OutboxMessage);
  }
}
