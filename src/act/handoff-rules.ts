// When a ticket goes to the team's own helpdesk, and through which deliveries.
// Kept apart from the sending (handoff-send.ts) so the outbox can hand a ticket
// off after a failed reply without an import cycle.
import type { Config } from '../config';
import type { DecisionRow } from '../db/decisions';
import type { DeliveryKind } from '../db/schema';
import type { TicketRow } from '../db/tickets';

export type HandoffKind = Extract<DeliveryKind, 'handoff' | 'handoff_webhook'>;

/**
 * THE hand-off rule: a ticket goes to the helpdesk when nothing went to the customer
 * on deflect's own (a review, an escalation, or, in modes that send nothing, even an
 * auto_reply). Ignored mail (spam, loops, bounces) is never handed off: forwarding
 * it would only move the noise into the helpdesk.
 */
export function needsHandoff(decision: Pick<DecisionRow, 'outcome'>, sentToCustomer: boolean): boolean {
  if (decision.outcome === 'ignore') return false;
  return !sentToCustomer;
}

/** The hand-off deliveries this configuration asks for: none when neither HANDOFF_ADDRESS nor HANDOFF_WEBHOOK_URL is set. */
export function handoffKinds(config: Pick<Config, 'HANDOFF_ADDRESS' | 'HANDOFF_WEBHOOK_URL'>): HandoffKind[] {
  return [...(config.HANDOFF_ADDRESS ? (['handoff'] as const) : []), ...(config.HANDOFF_WEBHOOK_URL ? (['handoff_webhook'] as const) : [])];
}

/** Replayed history is never sent anywhere: no reply, no hand-off, no Slack. */
export const isReplay = (ticket: Pick<TicketRow, 'source'>) => ticket.source === 'replay';

