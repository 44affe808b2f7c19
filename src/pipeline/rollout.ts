// The rollout's part of a pipeline run (issue 16): the modes in force and the
// earlier exchange a follow-up continues are read before deciding; the mode and
// the follow-up hold are applied to the policy's decision after it; a follow-up's
// verdict on the earlier auto-reply is recorded once the follow-up is decided.
import type { NewDecision } from '../db/decisions';
import { findAnsweredExchange, recordFollowUpVerdict, type AnsweredExchange } from '../db/follow-ups';
import type { Outcome, RolloutMode } from '../db/schema';
import type { TicketRow } from '../db/tickets';
import { DecisionRequestType } from '../decide/request-types';
import type { Deps } from '../deps';
import { logEvent } from '../log';
import type { EarlierExchange } from '../respond/types';
import { newId } from '../ticket';
import { judgeFollowUp } from '../rollout/follow-up';
import { applyMode, modeReason, offForEveryType, resolveMode, type ModedDecision, type ModeRule } from '../rollout/modes';

/** The offline responder never auto-replies to a follow-up: it cannot read the earlier exchange. */
const FOLLOW_UP_REASON = 'follow_up';

export type RolloutContext = {
  rules: ModeRule[];
  fallback: RolloutMode;
  /** The support address the ticket was sent to (the deployment's own when the source does not say). */
  address: string;
  /** The exchange this ticket follows up on, when it is a reply in a thread we answered. */
  answered: AnsweredExchange | undefined;
};

/**
 * The rollout modes (read with the ticket's claim) and, for a reply in a thread, the
 * exchange it follows up on: the modes are not read a second time.
 */
export async function rolloutContextOf(ticket: TicketRow, rules: ModeRule[], deps: Deps): Promise<RolloutContext> {
  const followsUp = ticket.threadId !== ticket.messageId || Boolean(ticket.inReplyTo);
  return {
    rules,
    fallback: deps.config.DEFAULT_MODE,
    address: ticket.toAddress ?? deps.config.SUPPORT_ADDRESS,
    answered: followsUp ? await findAnsweredExchange(deps.db, ticket) : undefined,
  };
}

/** `off` for every request type at this address: nothing is retrieved, drafted or decided. */
export function decidesNothing(context: RolloutContext): boolean {
  return offForEveryType(context.rules, context.address, DecisionRequestType.options, context.fallback);
}

/** The audit row of a ticket nobody decided: a person has it (mode:off). */
export function offDecision(ticket: TicketRow, deps: Deps): NewDecision {
  const { config, clock } = deps;
  return {
    id: newId('dec'),
    ticketId: ticket.id,
    outcome: 'escalate',
    reasons: [modeReason('off')],
    thresholds: { autoReply: config.AUTO_REPLY_THRESHOLD, review: config.REVIEW_THRESHOLD },
    mode: 'off',
    decidedAt: clock.now(),
  };
}

/** What the responder sees of the earlier exchange (Claude reads it; the offline responder cannot). */
export function earlierExchangeOf(context: RolloutContext): EarlierExchange | null {
  const answered = context.answered;
  return answered ? { subject: answered.subject, customer: answered.text, reply: answered.reply } : null;
}

/** The follow-up hold (offline responder), then the mode of the ticket's address and routed type. */
export function actOnRollout(
  policy: { outcome: Outcome; reasons: string[]; requestType: { type: DecisionRequestType } },
  context: RolloutContext,
  responderName: string,
): ModedDecision {
  const heldFollowUp = context.answered !== undefined && responderName !== 'claude' && policy.outcome === 'auto_reply';
  const decided = heldFollowUp ? { outcome: 'review' as const, reasons: [FOLLOW_UP_REASON] } : policy;
  return applyMode(decided, resolveMode(context.rules, context.address, policy.requestType.type, context.fallback));
}

/**
 * A follow-up to an auto-reply says whether that reply helped: "didn't help" or the
 * question again is `wrong`, "that fixed it" is `right`. One verdict per follow-up
 * (keyed on it), so a retried run records nothing twice.
 */
export async function readFollowUpVerdict(ticket: TicketRow, deps: Deps): Promise<void> {
  if (ticket.threadId === ticket.messageId && !ticket.inReplyTo) return;
  const answered = await findAnsweredExchange(deps.db, ticket);
  if (!answered?.automated) return;
  const judged = judgeFollowUp({ subject: ticket.subject, text: ticket.bodyText }, { subject: answered.subject, text: answered.text });
  if (!judged) return;
  const recorded = await recordFollowUpVerdict(deps.db, { answered, verdict: judged.verdict, followUpTicketId: ticket.id, actor: 'customer' }, deps.clock.now());
  if (recorded) logEvent('info', 'follow_up_verdict', { ticketId: answered.ticketId, followUp: ticket.id, verdict: judged.verdict, signal: judged.signal });
}
