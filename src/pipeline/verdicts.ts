// Reviewers' verdicts that send nothing (issue 16): "would send" / "would not send"
// on a draft that was not sent, "right" / "wrong" on a reply that was, and the
// request type confirmed or corrected (issue 14 item 5: a training example for
// `npm run train -- --feedback`). The same rows from the console and Slack.
import type { Actor } from './human-actions';
import { findDecision } from '../db/decisions';
import { listDeliveries } from '../db/deliveries';
import { recordFeedback } from '../db/feedback';
import type { FeedbackVerdict } from '../db/schema';
import { findTicket } from '../db/tickets';
import { RequestType } from '../decide/request-types';
import type { Deps } from '../deps';
import { AppError } from '../errors';
import { verdictsFor, type ReviewerVerdict } from '../rollout/verdicts';

async function loadReviewed(ticketId: string, deps: Deps) {
  const ticket = await findTicket(deps.db, ticketId);
  if (!ticket) throw new AppError('not_found', 404, 'No such ticket');
  const [decision, deliveries] = await Promise.all([findDecision(deps.db, ticketId), listDeliveries(deps.db, ticketId)]);
  if (!decision) throw new AppError('conflict', 409, 'The ticket is not decided yet');
  return { decision, replySent: deliveries.some((d) => d.kind === 'email_reply' && d.status === 'sent') };
}

export async function recordReviewerVerdict(ticketId: string, verdict: ReviewerVerdict, actor: Actor, deps: Deps): Promise<void> {
  const { decision, replySent } = await loadReviewed(ticketId, deps);
  if (!verdictsFor(decision, replySent).includes(verdict)) {
    const why = replySent ? 'a reply was sent: say whether it was right or wrong' : 'nothing was sent: say whether you would send the draft';
    throw new AppError('verdict_not_applicable', 409, `"${verdict}" does not apply to this ticket (${why})`);
  }
  await recordFeedback(deps.db, { ticketId, decisionId: decision.id, verdict: verdict satisfies FeedbackVerdict, actor: actor.name, channel: actor.channel }, deps.clock.now());
}

/** `type_confirmed` when the reviewer keeps the routed type, `type_corrected` when they name another. */
export async function recordRequestTypeReview(ticketId: string, requestType: RequestType, actor: Actor, deps: Deps): Promise<'type_confirmed' | 'type_corrected'> {
  const { decision } = await loadReviewed(ticketId, deps);
  const verdict = decision.requestType === requestType ? 'type_confirmed' : 'type_corrected';
  await recordFeedback(deps.db, { ticketId, decisionId: decision.id, verdict, requestType, actor: actor.name, channel: actor.channel }, deps.clock.now());
  return verdict;
}
