// The one door every source goes through: identity, thread, store, then either
// audit the ignore or hand the ticket to the pipeline. Storing comes first, so a
// ticket that was accepted can always be found and finished.
import { storeTicket, type TicketRow } from '../db/tickets';
import { StorageUnavailableError } from '../errors';
import type { Deps } from '../deps';
import { errorSummary, logEvent } from '../log';
import { derivedMessageId, newId, type TicketDraft } from '../ticket';
import { GUARD_REASONS, guardDraft } from './guard';

const DAY_MS = 24 * 60 * 60 * 1000;

export type TicketMessage = { ticketId: string };

export type Accepted = { ticket: TicketRow; created: boolean };

/**
 * Store the ticket (once per Message-ID) and record its ignore decision if the guard
 * refused it. Any failure is a StorageUnavailableError: the caller must not acknowledge
 * the message (a 503 makes providers retry).
 */
export async function storeDraft(draft: TicketDraft, deps: Deps): Promise<Accepted> {
  try {
    return await storeOnce(draft, deps);
  } catch (error) {
    throw error instanceof StorageUnavailableError ? error : new StorageUnavailableError(error);
  }
}

async function storeOnce(draft: TicketDraft, deps: Deps): Promise<Accepted> {
  const { config, clock } = deps;
  const now = clock.now();
  const messageId = draft.messageId ?? (await derivedMessageId(draft));
  const { ticket, created } = await storeTicket(
    deps.db,
    { ...draft, messageId, guardReason: draft.guardReason ?? guardDraft(draft, config) },
    {
      now,
      maxRawBytes: config.MAX_RAW_BYTES,
      references: [...draft.references, ...(draft.inReplyTo ? [draft.inReplyTo] : [])],
      // A sender over the daily ticket cap is kept and audited, but no model runs for it (floods, mail loops).
      senderCap: { limit: config.SENDER_DAILY_TICKET_CAP, since: now - DAY_MS, reason: GUARD_REASONS.senderCap },
      ignoreDecision: { id: newId('dec'), thresholds: { autoReply: config.AUTO_REPLY_THRESHOLD, review: config.REVIEW_THRESHOLD } },
    },
  );
  return { ticket, created };
}

/**
 * Store and enqueue for the TICKETS consumer. A failed enqueue is not an error for
 * the caller: the ticket is stored `received`, and the cron sweep enqueues it.
 */
export async function acceptDraft(draft: TicketDraft, deps: Deps): Promise<Accepted> {
  const accepted = await storeDraft(draft, deps);
  if (accepted.created && accepted.ticket.status === 'received') {
    await deps.queues.tickets.send({ ticketId: accepted.ticket.id } satisfies TicketMessage).catch((error: unknown) => {
      logEvent('warn', 'enqueue_failed', { ticketId: accepted.ticket.id, error: errorSummary(error) });
    });
  }
  return accepted;
}
