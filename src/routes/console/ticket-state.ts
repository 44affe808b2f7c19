// Where a ticket stands for a reviewer, and which actions can still take effect.
// One state, one message: the page shows only the buttons that would change
// something, so "Approve" never answers "already handled" while "Reject" says "Done".
import type { DecisionRow } from '../../db/decisions';
import { isUnsentAutomatedReply, type DeliveryRow } from '../../db/deliveries';
import type { FeedbackRow } from '../../db/feedback';
import type { TicketRow } from '../../db/tickets';

export type ConsoleAction = 'approve' | 'edit' | 'reject' | 'take_over';

export type TicketState = {
  kind: 'undecided' | 'replied' | 'rejected' | 'taken_over' | 'open' | 'no_draft' | 'shadow';
  message: string;
  actions: ConsoleAction[];
  /** The reply that went (or is going) out, and who made it. */
  sent: { text: string; by: string; status: DeliveryRow['status'] } | null;
};

export function ticketState(input: {
  ticket: Pick<TicketRow, 'owner'>;
  decision: Pick<DecisionRow, 'suggestedReply' | 'outcome' | 'mode'> | undefined;
  deliveries: Pick<DeliveryRow, 'kind' | 'status' | 'channel' | 'lastError'>[];
  /** Newest first, as listFeedback returns them. */
  feedback: Pick<FeedbackRow, 'verdict' | 'actor' | 'editedText'>[];
}): TicketState {
  const { ticket, decision, deliveries, feedback } = input;
  if (!decision) return { kind: 'undecided', message: 'Not decided yet: the pipeline is still working on it.', actions: [], sent: null };
  const reply = deliveries.find((d) => d.kind === 'email_reply' && !isUnsentAutomatedReply(d));
  const refused = deliveries.find(isUnsentAutomatedReply);
  if (reply) {
    const human = feedback.find((f) => f.verdict === 'approved' || f.verdict === 'edited');
    const text = human?.verdict === 'edited' && human.editedText ? human.editedText : (decision.suggestedReply ?? '');
    const by = human ? `${human.verdict === 'edited' ? 'edited' : 'approved'} by ${human.actor}` : 'sent automatically by deflect';
    const status = reply.status === 'sent' ? 'Replied' : reply.status === 'failed' ? 'The reply failed to send (see Health)' : 'The reply is on its way';
    return { kind: 'replied', message: `${status}: ${by}. Nothing more to do here.`, actions: [], sent: { text, by, status: reply.status } };
  }
  if (decision.mode === 'shadow') {
    return { kind: 'shadow', message: 'Shadow mode: deflect sent nothing to the customer; your helpdesk answers. Would you have sent this draft as it is?', actions: [], sent: null };
  }
  const hasDraft = Boolean(decision.suggestedReply?.trim());
  const rejected = feedback.find((f) => f.verdict === 'rejected');
  if (ticket.owner) {
    return {
      kind: 'taken_over',
      message: `Taken over by ${ticket.owner}${rejected ? ` (draft rejected by ${rejected.actor})` : ''}: they answer it; you can still send a reply from here.`,
      actions: hasDraft && !rejected ? ['approve', 'edit'] : ['edit'],
      sent: null,
    };
  }
  if (rejected) {
    return { kind: 'rejected', message: `Draft rejected by ${rejected.actor}: take it over, or write the reply yourself.`, actions: ['edit', 'take_over'], sent: null };
  }
  if (decision.outcome === 'ignore') {
    return { kind: 'no_draft', message: 'Ignored: nothing here needed an answer, and nothing was sent. Reply yourself if it does.', actions: ['edit', 'take_over'], sent: null };
  }
  if (!hasDraft) return { kind: 'no_draft', message: 'No draft: write the reply, or take the ticket over.', actions: ['edit', 'take_over'], sent: null };
  return { kind: 'open', message: refused ? notSentMessage(refused.lastError) : 'Waiting for a person.', actions: ['approve', 'edit', 'reject', 'take_over'], sent: null };
}

/** Why deflect's own reply did not go out, for the person who may now send it. */
function notSentMessage(reason: string | null): string {
  if (reason === 'sender_unverified') {
    return 'deflect did not send its reply: the sender passed no SPF or DKIM check, so the From address may be forged. Send it only if you know the sender.';
  }
  const why = reason === 'sender_daily_cap' ? 'this sender reached SENDER_DAILY_CAP' : reason === 'thread_owned' ? 'a person already handles this thread' : (reason ?? 'a send-time rule');
  return `deflect did not send its reply (${why}): waiting for a person.`;
}
