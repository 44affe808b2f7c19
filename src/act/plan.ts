// What a decision sets in motion. Each effect is a delivery row (claimed once)
// plus an OUTBOX message; a repeat of this step finds the rows and re-sends only
// the messages of deliveries still queued.
import { escalateAutoReply, type DecisionRow } from '../db/decisions';
import { planDelivery, planThreadAcknowledgement, skipDelivery } from '../db/deliveries';
import type { DeliveryKind } from '../db/schema';
import type { TicketRow } from '../db/tickets';
import type { Deps } from '../deps';
import { planHandoff } from './handoff';
import { isReplay } from './handoff-rules';
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

/** Why an automatic email was not sent through the configured mailer: the sender may be forged. */
export const SENDER_UNVERIFIED = 'sender_unverified';

/**
 * Email Routing's reply() answers the envelope sender of an authenticated message;
 * any other mailer writes to the header From, which anyone can forge. So an
 * automatic email goes through another mailer only when ingest recorded a passed
 * authentication, or the ticket came from the API (the caller is our own system).
 */
export function mayMailSender(ticket: Pick<TicketRow, 'source' | 'senderAuthenticated'>): boolean {
  return ticket.source === 'api' || ticket.senderAuthenticated === true;
}

export async function planActions(ticket: TicketRow, decision: DecisionRow, deps: Deps, inlineMailer?: Mailer): Promise<void> {
  // A replayed past ticket is decided and drafted, never acted on (npm run replay).
  if (isReplay(ticket)) return;
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
    if ((kind === 'email_reply' || kind === 'customer_ack') && !mayMailSender(ticket)) {
      await refuseUnverified(ticket, kind, delivery.id, deps);
      continue;
    }
    await deps.queues.outbox.send({ deliveryId: delivery.id } satisfies OutboxMessage);
  }
  // The team's helpdesk gets every ticket deflect does not answer (docs/HANDOFF.md).
  const inline = inlineMailer && { mailer: inlineMailer, deliver: (id: string) => deliver(id, deps, inlineMailer, { inline: true }) };
  await planHandoff(ticket, decision, deps, { inline });
}

/** One acknowledgement per thread: a follow-up on an escalated thread is not acknowledged again. */
function planOnce(ticket: TicketRow, kind: DeliveryKind, deps: Deps) {
  const now = deps.clock.now();
  return kind === 'customer_ack' ? planThreadAcknowledgement(deps.db, ticket, now) : planDelivery(deps.db, ticket.id, kind, now);
}

/** No backscatter: the email is skipped, and an auto-reply's ticket goes to a person instead. */
async function refuseUnverified(ticket: TicketRow, kind: DeliveryKind, deliveryId: string, deps: Deps): Promise<void> {
  await skipDelivery(deps.db, deliveryId, deps.clock.now(), SENDER_UNVERIFIED);
  if (kind !== 'email_reply') return;
  const escalated = await escalateAutoReply(deps.db, ticket.id, SENDER_UNVERIFIED);
  if (escalated) await planActions(ticket, escalated, deps);
}
