// The one door every source goes through: identity, thread, store, then either
// audit the ignore or hand the ticket to the pipeline. Storing comes first, so a
// ticket that was accepted can always be found and finished.
import type { TicketRow } from '../db/tickets';
import { resolveThreadId, storeTicket } from '../db/tickets';
import type { Deps } from '../deps';
import { errorSummary, logEvent } from '../log';
import { recordIgnored } from '../pipeline';
import { derivedMessageId, type TicketDraft } from '../ticket';
import { guardDraft } from './guard';

export type TicketMessage = { ticketId: string };

export type Accepted = { ticket: TicketRow; created: boolean };

/** Store the ticket (once per Message-ID) and record its ignore decision if the guard refused it. */
export async function storeDraft(draft: TicketDraft, deps: Deps): Promise<Accepted> {
  const guardReason = draft.guardReason ?? guardDraft(draft, deps.config);
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
