// What a decision sets in motion. Each effect is a delivery row (claimed once)
// plus an OUTBOX message; a repeat of this step finds the rows and re-sends only
// the messages of deliveries still queued. Which kinds, and whether the sender may
// be mailed, is decided in act/plan.ts; this file only sequences.
import { deliveryKindsFor, mayMailSender, SENDER_UNVERIFIED } from '../act/plan';
import type { Mailer } from '../act/types';
import { escalateAutoReply, type DecisionRow } from '../db/decisions';
import { planDelivery, planThreadAcknowledgement, skipDelivery } from '../db/deliveries';
import type { DeliveryKind } from '../db/schema';
import type { TicketRow } from '../db/tickets';
import type { Deps } from '../deps';
import { errorSummary, logEvent } from '../log';
import { modeAllowsDelivery, sendsToCustomer } from '../rollout/modes';
import { isReplay } from '../act/handoff-rules';
import { planHandoff } from './handoff';
import { deliver, enqueueDelivery } from './deliver';

export async function planActions(ticket: TicketRow, decision: DecisionRow, deps: Deps, inlineMailer?: Mailer): Promise<void> {
  // A replayed past ticket is decided and drafted, never acted on (npm run replay).
  if (isReplay(ticket)) return;
  const channels = { slack: deps.notifier !== null, customerAck: deps.config.CUSTOMER_ACK };
  for (const kind of deliveryKindsFor(decision, channels).filter((k) => modeAllowsDelivery(decision.mode, k))) {
    const planned = await planOnce(ticket, kind, deps);
    if (!planned) continue;
    const { delivery } = planned;
    if (delivery.status !== 'queued') continue;
    if ((kind === 'email_reply' || kind === 'customer_ack') && inlineMailer) {
      // Email Routing: answer through the incoming message (threaded, no sending service).
      // If that fails the delivery stays queued and the outbox retries with the configured mailer.
      const sent = await deliver(delivery.id, deps, inlineMailer, { inline: true }).catch((error: unknown) => {
        logEvent('warn', 'inline_reply_deferred', { ticketId: ticket.id, deliveryId: delivery.id, error: errorSummary(error) });
        return false;
      });
      if (sent) continue;
    }
    if ((kind === 'email_reply' || kind === 'customer_ack') && !mayMailSender(ticket)) {
      await refuseUnverified(ticket, kind, delivery.id, deps);
      continue;
    }
    await enqueueDelivery(delivery.id, deps);
  }
  // The team's helpdesk gets every ticket deflect does not answer itself, in any mode (docs/HANDOFF.md).
  const inline = inlineMailer && { mailer: inlineMailer, deliver: (id: string) => deliver(id, deps, inlineMailer, { inline: true }) };
  await planHandoff(ticket, decision, deps, { inline, sentToCustomer: sendsToCustomer(decision) });
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
