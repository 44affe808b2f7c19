// The OUTBOX consumer's work: perform one delivery, at most once per claim.
import { claimDelivery, failDelivery, findDelivery, markDeliverySent, releaseDelivery } from '../db/deliveries';
import { findTicket } from '../db/tickets';
import type { Deps } from '../deps';
import { errorSummary } from '../log';
import { replyTextFor } from './actions';
import { replyEmail } from './reply';
import type { Mailer } from './types';

/** A send that stalled this long (a crash mid-send) may be claimed again. */
const STALE_SEND_MS = 10 * 60 * 1000;

/**
 * Deliver one planned effect. Returns true when it was sent now, false when it
 * was not ours to send (already sent, or another attempt holds it). Throws on a
 * failed attempt after releasing the claim, so the queue retries it.
 */
export async function deliver(deliveryId: string, deps: Deps, mailer: Mailer = deps.mailer): Promise<boolean> {
  const { db, clock, config } = deps;
  const delivery = await claimDelivery(db, deliveryId, clock.now(), STALE_SEND_MS);
  if (!delivery) return false;
  try {
    const ticket = await findTicket(db, delivery.ticketId);
    if (!ticket) throw new Error(`delivery ${deliveryId} has no ticket`);
    switch (delivery.kind) {
      case 'email_reply': {
        const text = await replyTextFor(ticket.id, deps);
        if (!text) throw new Error(`delivery ${deliveryId} has no reply text`);
        const sent = await mailer.send(replyEmail(ticket, text, config));
        await markDeliverySent(db, delivery.id, clock.now(), { providerId: sent.providerId, payload: sent.mime });
        return true;
      }
      default:
        throw new Error(`delivery kind ${delivery.kind} has no sender`);
    }
  } catch (error) {
    await releaseDelivery(db, delivery.id, clock.now(), errorSummary(error));
    throw error;
  }
}

/** Dead-letter consumer: the queue gave up; make the failure visible. */
export async function markDeliveryDead(deliveryId: string, deps: Deps): Promise<void> {
  const delivery = await findDelivery(deps.db, deliveryId);
  if (!delivery || delivery.status === 'sent') return;
  await failDelivery(deps.db, deliveryId, deps.clock.now(), `dead-lettered after ${delivery.attempts} attempts: ${delivery.lastError ?? 'unknown error'}`);
}
