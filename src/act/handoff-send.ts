// The OUTBOX's side of a hand-off: forward (inline only), mail, or post the signed webhook.
import type { DecisionRow } from '../db/decisions';
import type { DeliveryRow } from '../db/deliveries';
import type { TicketRow } from '../db/tickets';
import type { Deps } from '../deps';
import { OutboundError } from '../errors';
import { failureFrom, fetchWithDeadline } from './http';
import { handoffEmail, handoffHeaders, handoffPayload, handoffSignature } from './handoff-message';
import { isForwarder, type Mailer } from './types';

type Sent = { providerId: string | null; payload: string | null };

/** The decision is the one the delivery's claim returned (the pipeline reads it once). */
export async function performHandoff(delivery: DeliveryRow, ticket: TicketRow, decision: DecisionRow | undefined, deps: Deps, mailer: Mailer): Promise<Sent> {
  const { config } = deps;
  if (!config.HANDOFF_ADDRESS) throw new OutboundError('hand-off is no longer configured (HANDOFF_ADDRESS)', false);
  if (!decision) throw new OutboundError(`delivery ${delivery.id} has no decision`, false);
  if (isForwarder(mailer) && ticket.source === 'email') {
    const headers = handoffHeaders(ticket, decision, config);
    await mailer.forward(config.HANDOFF_ADDRESS, headers);
    // The record of what was forwarded: the message itself is the customer's, kept in raw_messages.
    return { providerId: null, payload: JSON.stringify({ via: 'forward', to: config.HANDOFF_ADDRESS, headers }) };
  }
  const sent = await mailer.send(handoffEmail(ticket, decision, config));
  return { providerId: sent.providerId, payload: sent.payload ?? sent.mime };
}

export async function performHandoffWebhook(delivery: DeliveryRow, ticket: TicketRow, decision: DecisionRow | undefined, deps: Deps): Promise<Sent> {
  const { config } = deps;
  const secret = config.secrets.HANDOFF_WEBHOOK_SECRET;
  if (!config.HANDOFF_WEBHOOK_URL || !secret) throw new OutboundError('the hand-off webhook is no longer configured (HANDOFF_WEBHOOK_URL)', false);
  if (!decision) throw new OutboundError(`delivery ${delivery.id} has no decision`, false);
  const body = JSON.stringify(handoffPayload(ticket, decision, config));
  const timestamp = String(Math.floor(Date.now() / 1000));
  const response = await fetchWithDeadline(
    deps.fetch,
    config.HANDOFF_WEBHOOK_URL,
    {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-deflect-timestamp': timestamp,
        'x-deflect-signature': await handoffSignature(secret, timestamp, body),
        // The same id on every retry: a receiver can drop a repeat.
        'x-deflect-delivery': delivery.id,
      },
      body,
    },
    config.OUTBOUND_TIMEOUT_MS,
    'Hand-off webhook',
  );
  if (!response.ok) throw await failureFrom(response, 'Hand-off webhook');
  return { providerId: response.headers.get('x-request-id'), payload: body };
}
