// What a person can do with a decision, from Slack or the console: the same
// actions, the same feedback rows. The email_reply delivery row is the lock, so
// a double click (or both channels at once) sends one email.
import { replyDraft } from '../act/reply';
import { findDecision } from '../db/decisions';
import { isUnsentAutomatedReply, listDeliveries, planDelivery, reclaimSkippedReply, type DeliveryRow } from '../db/deliveries';
import { listFeedback, recordFeedback, recordRejectionUnlessReplied, type FeedbackRow } from '../db/feedback';
import { findTicket, setTicketOwner } from '../db/tickets';
import type { Deps } from '../deps';
import { AppError, ConflictError, NotFoundError } from '../errors';
import { enqueueDelivery } from './deliver';
import { isReplay } from '../act/handoff-rules';

export type HumanAction =
  | { kind: 'approve' }
  | { kind: 'edit'; text: string }
  | { kind: 'reject' }
  | { kind: 'take_over' };

export type Actor = { name: string; channel: FeedbackRow['channel'] };

export type ActionResult = {
  /** `applied`: this action took effect; `already_handled`: an earlier action on this ticket did. */
  status: 'applied' | 'already_handled';
  delivery: DeliveryRow | null;
};

export async function applyHumanAction(ticketId: string, action: HumanAction, actor: Actor, deps: Deps): Promise<ActionResult> {
  const { db, clock } = deps;
  const ticket = await findTicket(db, ticketId);
  if (!ticket) throw new NotFoundError('No such ticket');
  const decision = await findDecision(db, ticketId);
  const now = clock.now();
  const feedbackRow = (verdict: FeedbackRow['verdict'], editedText: string | null = null) =>
    recordFeedback(db, { ticketId, decisionId: decision?.id ?? null, verdict, editedText, actor: actor.name, channel: actor.channel }, now);

  switch (action.kind) {
    case 'approve':
    case 'edit': {
      // Shadow's promise: nothing reaches the customer from deflect; the team's helpdesk answers (a verdict is recorded instead).
      if (decision?.mode === 'shadow') throw new AppError('shadow_sends_nothing', 409, 'This ticket ran in shadow: deflect sends nothing; record whether you would send the draft instead');
      if (isReplay(ticket)) throw new ConflictError('This ticket was replayed from history: nothing is ever sent for it');
      const text = action.kind === 'edit' ? action.text.trim() : (decision?.suggestedReply ?? '').trim();
      if (!text) throw new ConflictError('There is no draft to send; edit it first');
      const planned = await planDelivery(db, ticketId, 'email_reply', now, actor.channel);
      // An automated reply the send-time rules skipped (unverified sender, sender cap, a thread a person owns) was never sent: a person may.
      const delivery = planned.created ? planned.delivery : isUnsentAutomatedReply(planned.delivery) ? await reclaimSkippedReply(db, ticketId, actor.channel, now) : undefined;
      if (!delivery) return { status: 'already_handled', delivery: planned.delivery };
      await feedbackRow(action.kind === 'edit' ? 'edited' : 'approved', action.kind === 'edit' ? text : null);
      await enqueueDelivery(delivery.id, deps);
      return { status: 'applied', delivery };
    }
    case 'reject': {
      // A reply that went out (or is on its way) is not a draft any more: a late Reject, from a
      // stale queue page or a bulk selection, would record a sent reply as a bad draft.
      const recorded = await recordRejectionUnlessReplied(db, { ticketId, decisionId: decision?.id ?? null, actor: actor.name, channel: actor.channel }, now);
      if (!recorded) return { status: 'already_handled', delivery: (await listDeliveries(db, ticketId)).find((d) => d.kind === 'email_reply') ?? null };
      return { status: 'applied', delivery: null };
    }
    case 'take_over': {
      if (ticket.owner) return { status: 'already_handled', delivery: null };
      await setTicketOwner(db, ticketId, actor.name, now);
      await feedbackRow('taken_over');
      return { status: 'applied', delivery: null };
    }
  }
}

/** The text a human approved or edited last, else the model's draft (what an edit starts from). */
export async function currentReplyText(ticketId: string, deps: Deps): Promise<string | null> {
  const { editedText } = replyDraft(await listFeedback(deps.db, ticketId));
  return editedText ?? (await findDecision(deps.db, ticketId))?.suggestedReply ?? null;
}
