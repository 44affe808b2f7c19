// The OUTBOX consumer's work: perform one delivery, at most once per claim.
import { OutboundError } from '../errors';
import { acknowledgementEmail, replyDraft, replyEmail } from '../act/reply';
import { escalationMessage } from '../act/slack-message';
import type { Mailer, SlackUpdatePlan } from '../act/types';
import { escalateAutoReply, type DecisionRow } from '../db/decisions';
import {
  claimDeliveryRun,
  failDelivery,
  findDelivery,
  markDeliverySent,
  planDelivery,
  releaseDelivery,
  requeueFailedDelivery,
  sendRefusal,
  skipDelivery,
  type ClaimedDelivery,
  type DeliveryRow,
} from '../db/deliveries';
import { findTicket, type TicketRow } from '../db/tickets';
import type { Deps } from '../deps';
import { errorSummary } from '../log';
import { isReplay } from '../act/handoff-rules';
import { enqueueHandoffs } from './handoff';
import { performHandoff, performHandoffWebhook } from '../act/handoff-send';
import type { OutboxMessage } from '../queue-messages';

const DAY_MS = 24 * 60 * 60 * 1000;

type Sent = { providerId: string | null; payload: string | null };

/** A claimed delivery whose ticket exists (a send without one fails for good). */
type ClaimedSend = ClaimedDelivery & { ticket: TicketRow };

export type DeliverOptions = {
  /** An Email Routing reply attempt: whatever its failure, the delivery is left to the outbox and its mailer. */
  inline?: boolean;
};

/** Put a planned delivery on OUTBOX. */
export async function enqueueDelivery(deliveryId: string, deps: Deps): Promise<void> {
  await deps.queues.outbox.send({ deliveryId } satisfies OutboxMessage);
}

/**
 * Deliver one planned effect. Returns true when it was sent now, false when it
 * is finished without us (already sent, `failed` or `skipped` for good). Throws
 * on a retryable failure after releasing the claim, and when another attempt
 * holds a fresh claim (retry after its stale window), so the queue retries it.
 */
export async function deliver(deliveryId: string, deps: Deps, mailer: Mailer = deps.mailer, options: DeliverOptions = {}): Promise<boolean> {
  const { db, clock, config } = deps;
  const now = clock.now();
  const staleMs = config.SEND_STALE_SECONDS * 1000;
  const gate = { senderDailyCap: config.SENDER_DAILY_CAP, since: now - DAY_MS };
  // The claim returns the ticket, decision and feedback the send reads: no read between claim and mark.
  const claimed = await claimDeliveryRun(db, deliveryId, now, staleMs, gate);
  if (!claimed) return notClaimed(deliveryId, deps, { now, staleMs, gate });
  const { delivery } = claimed;
  try {
    if (!claimed.ticket) throw new OutboundError(`delivery ${deliveryId} has no ticket`, false);
    if (isReplay(claimed.ticket)) throw new OutboundError(`delivery ${deliveryId} is for a replayed ticket: nothing is ever sent for one`, false);
    const sent = await perform({ ...claimed, ticket: claimed.ticket }, deps, mailer);
    await markDeliverySent(db, delivery.id, clock.now(), sent);
    return true;
  } catch (error) {
    const message = errorSummary(error);
    if (error instanceof OutboundError && !error.retryable && !options.inline) {
      await failDelivery(db, delivery.id, clock.now(), message);
      await handOff(delivery, deps);
      return false;
    }
    await releaseDelivery(db, delivery.id, clock.now(), message);
    throw error;
  }
}

/** The claim failed: someone else is sending it (retry later), a rule refused it (skip, hand off), or it is finished. */
async function notClaimed(
  deliveryId: string,
  deps: Deps,
  at: { now: number; staleMs: number; gate: { senderDailyCap: number; since: number } },
): Promise<boolean> {
  const current = await findDelivery(deps.db, deliveryId);
  if (current?.status === 'sending') {
    const retryAfterSeconds = Math.max(1, Math.ceil((current.updatedAt + at.staleMs - at.now) / 1000));
    throw new OutboundError(`delivery ${deliveryId} is being sent by another attempt`, true, retryAfterSeconds);
  }
  if (current?.status !== 'queued') return false;
  const refusal = await sendRefusal(deps.db, deliveryId, at.gate);
  if (!refusal) throw new OutboundError(`delivery ${deliveryId} changed while it was claimed`, true);
  await skipDelivery(deps.db, deliveryId, at.now, refusal);
  // Not an auto-reply after all: the decision says so, and the ticket waits in the console's queue for a person.
  if (current.kind === 'email_reply') await escalateAutoReply(deps.db, current.ticketId, refusal);
  await handOff(current, deps);
  return false;
}

/**
 * A message to the customer that will not go out (failed for good, or refused) must
 * not be silence: the ticket goes to Slack as an escalation when Slack is configured;
 * the console's Health page lists it either way.
 */
async function handOff(delivery: DeliveryRow, deps: Deps): Promise<void> {
  if (delivery.kind === 'email_reply') {
    // The customer got no answer after all: the helpdesk takes the ticket (HANDOFF_ADDRESS / HANDOFF_WEBHOOK_URL).
    const ticket = await findTicket(deps.db, delivery.ticketId);
    if (ticket) await enqueueHandoffs(ticket, deps);
  }
  if (!deps.notifier || (delivery.kind !== 'email_reply' && delivery.kind !== 'customer_ack')) return;
  const { delivery: alert, created } = await planDelivery(deps.db, delivery.ticketId, 'slack', deps.clock.now());
  if (created) await enqueueDelivery(alert.id, deps);
}

async function perform(claimed: ClaimedSend, deps: Deps, mailer: Mailer): Promise<Sent> {
  const { config } = deps;
  const { delivery, ticket } = claimed;
  switch (delivery.kind) {
    case 'email_reply': {
      const draft = replyDraft(claimed.feedback);
      const text = draft.editedText ?? claimed.decision?.suggestedReply ?? null;
      if (!text) throw new OutboundError(`delivery ${delivery.id} has no reply text`, false);
      return fromMail(await mailer.send(replyEmail(ticket, text, config, { automated: draft.automated })));
    }
    case 'customer_ack':
      return fromMail(await mailer.send(acknowledgementEmail(ticket, config)));
    case 'slack': {
      const row: DecisionRow | undefined = claimed.decision;
      if (!row) throw new OutboundError(`delivery ${delivery.id} has no decision`, false);
      const message = escalationMessage(ticket, row, { editable: Boolean(config.secrets.SLACK_BOT_TOKEN) });
      return notifierOf(deps).post(message);
    }
    case 'slack_update': {
      if (!delivery.payload) throw new OutboundError(`delivery ${delivery.id} has no response_url`, false);
      const plan = JSON.parse(delivery.payload) as SlackUpdatePlan;
      return notifierOf(deps).update(plan.response_url, plan.message);
    }
    case 'handoff':
      return performHandoff(delivery, ticket, claimed.decision, deps, mailer);
    case 'handoff_webhook':
      return performHandoffWebhook(delivery, ticket, claimed.decision, deps);
  }
}

function notifierOf(deps: Deps) {
  if (!deps.notifier) throw new OutboundError('Slack is not configured (SLACK_WEBHOOK_URL)', false);
  return deps.notifier;
}

const fromMail = (sent: { providerId: string | null; mime: string | null; payload?: string }): Sent => ({
  providerId: sent.providerId,
  payload: sent.payload ?? sent.mime,
});

/** Dead-letter consumer: the queue gave up; make the failure visible. */
export async function markDeliveryDead(deliveryId: string, deps: Deps): Promise<void> {
  const delivery = await findDelivery(deps.db, deliveryId);
  if (!delivery || delivery.status === 'sent') return;
  await failDelivery(deps.db, deliveryId, deps.clock.now(), `dead-lettered after ${delivery.attempts} attempts: ${delivery.lastError ?? 'unknown error'}`);
  await handOff(delivery, deps);
}

/** The console's Retry: a failed delivery goes back to `queued` and on OUTBOX; null when it is no longer failed. */
export async function retryFailedDelivery(deliveryId: string, deps: Deps): Promise<DeliveryRow | null> {
  const delivery = await requeueFailedDelivery(deps.db, deliveryId, deps.clock.now());
  if (!delivery) return null;
  await enqueueDelivery(delivery.id, deps);
  return delivery;
}
