// The one door every source goes through: identity, thread, store, then either
// audit the ignore or hand the ticket to the pipeline. Storing comes first, so a
// ticket that was accepted can always be found and finished.
import { countTicketsFrom } from '../db/intake';
import { resolveThreadId, StorageUnavailableError, storeTicket, type TicketRow } from '../db/tickets';
import type { Deps } from '../deps';
import { errorSummary, logEvent } from '../log';
import { recordIgnored } from '../pipeline';
import { derivedMessageId, senderKey, type TicketDraft } from '../ticket';
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
  const guardReason = draft.guardReason ?? guardDraft(draft, deps.config) ?? (await senderCapReason(draft, deps));
  const messageId = draft.messageId ?? (await derivedMessageId(draft));
  const referenced = [...draft.references, ...(draft.inReplyTo ? [draft.inReplyTo] : [])];
  const threadId = await resolveThreadId(deps.db, messageId, referenced);
  const { ticket, created } = await storeTicket(
    deps.db,
    { ...draft, messageId, guardReason },
    { now: deps.clock.now(), threadId, maxRawBytes: deps.config.MAX_RAW_BYTES },
  );
  if (ticket.status === 'ignored' && ticket.guardReason) await recordIgnored(ticket, [ticket.guardReason], deps);
  return { ticket, created };
}

/** A sender over the daily ticket cap is kept and audited, but no model runs for it (floods, mail loops). */
async function senderCapReason(draft: TicketDraft, deps: Deps): Promise<string | null> {
  const cap = deps.config.SENDER_DAILY_TICKET_CAP;
  if (cap === 0) return null;
  const stored = await countTicketsFrom(deps.db, senderKey(draft.from.address), deps.clock.now() - DAY_MS);
  return stored >= cap ? GUARD_REASONS.senderCap : null;
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
