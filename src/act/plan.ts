// What a decision sets in motion, as rules: which deliveries an outcome plans, and
// whether an automatic email may go to the sender. pipeline/act.ts sequences them.
import type { DecisionRow } from '../db/decisions';
import type { DeliveryKind } from '../db/schema';
import type { TicketRow } from '../db/tickets';

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
