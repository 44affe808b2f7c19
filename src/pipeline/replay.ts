// Replay a team's past ticket through the real pipeline: stored with source `replay`
// (which acting treats as send-nothing: no reply, no hand-off, no Slack), decided and
// drafted against the active docs, with the reply a person actually sent kept beside it.
import { findDecision, type DecisionRow } from '../db/decisions';
import { recordReplay } from '../db/replays';
import { storeTicket, type TicketRow } from '../db/tickets';
import type { Deps } from '../deps';
import { guardDraft } from '../ingest/guard';
import type { TicketMessage } from '../queue-messages';
import { errorSummary, logEvent } from '../log';
import { processTicket } from '../pipeline';
import { newId, type TicketDraft } from '../ticket';

export type HistoryItem = {
  id: string;
  from: string;
  fromName: string | null;
  subject: string;
  text: string;
  humanReply: string;
  requestType: string | null;
};

export type Replayed = { ticket: TicketRow; created: boolean; decision: DecisionRow | null };

/** A stable Message-ID per history id: replaying the same file again finds the same tickets. */
async function replayMessageId(historyId: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(historyId)));
  return `replay-${[...digest.slice(0, 16)].map((b) => b.toString(16).padStart(2, '0')).join('')}@replay.deflect`;
}

export async function replayTicket(item: HistoryItem, deps: Deps): Promise<Replayed> {
  const { config, clock } = deps;
  const messageId = await replayMessageId(item.id);
  const draft: TicketDraft = {
    source: 'replay',
    messageId,
    inReplyTo: null,
    references: [],
    from: { address: item.from.toLowerCase(), name: item.fromName },
    to: config.SUPPORT_ADDRESS,
    subject: item.subject,
    text: item.text.slice(0, config.MAX_BODY_CHARS),
    headers: {},
    attachments: [],
    raw: null,
    guardReason: null,
  };
  const now = clock.now();
  // No per-sender ticket cap: history is not a flood, and it must not spend a customer's live cap.
  const { ticket, created } = await storeTicket(
    deps.db,
    { ...draft, messageId, guardReason: guardDraft(draft, config) },
    { now, maxRawBytes: config.MAX_RAW_BYTES, ignoreDecision: { id: newId('dec'), thresholds: { autoReply: config.AUTO_REPLY_THRESHOLD, review: config.REVIEW_THRESHOLD } } },
  );
  // Before the run: a ticket is never decided without its human reply beside it (a repeat is a no-op).
  await recordReplay(deps.db, { ticketId: ticket.id, historyId: item.id, humanReply: item.humanReply, labelledType: item.requestType, replayedAt: now });
  if (ticket.status === 'received' || ticket.status === 'pending') {
    try {
      await processTicket(ticket.id, deps);
    } catch (error) {
      // Left pending; the queue finishes it and the replay script polls for the decision.
      logEvent('warn', 'replay_deferred', { ticketId: ticket.id, error: errorSummary(error) });
      await deps.queues.tickets.send({ ticketId: ticket.id } satisfies TicketMessage).catch(() => undefined);
    }
  }
  return { ticket, created, decision: (await findDecision(deps.db, ticket.id)) ?? null };
}
