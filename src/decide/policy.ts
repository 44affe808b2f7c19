// The policy: the model proposes, code disposes. Pure: (ticket, retrieval,
// response, config, context) → Decision. Nothing in the ticket text can move a
// threshold; text can only add reasons to involve a person.
import type { Config } from '../config';
import type { Outcome } from '../db/schema';
import type { ResponderResult } from '../respond/types';
import type { Retrieval } from '../retrieval/types';
import { detectSensitiveTopics, looksLikeInjection, needsNoAction } from './sensitive';

export type PolicyConfig = Pick<
  Config,
  'AUTO_REPLY_THRESHOLD' | 'REVIEW_THRESHOLD' | 'SENSITIVE_TOPICS' | 'REFUND_AUTO_LIMIT_USD' | 'SENDER_DAILY_CAP'
>;

export type PolicyContext = {
  /** Auto-replies already sent to this sender in the last 24 h. */
  senderAutoRepliesToday: number;
  /** The thread already went to a person (escalated, in review, or taken over). */
  threadHandledByHuman: boolean;
  /** Problems found in the drafted reply before sending (see reply-check). */
  replyProblems: string[];
};

export type PolicyInput = {
  ticket: { subject: string; text: string };
  retrieval: Retrieval;
  result: ResponderResult;
  /** The calibrated confidence (null when there is no response). */
  confidence: number | null;
  config: PolicyConfig;
  context: PolicyContext;
};

export type PolicyDecision = { outcome: Outcome; reasons: string[] };

/** Reason codes are stable: they are stored, filtered on, and documented in the README. */
export const REASONS = {
  confidentAndGrounded: 'confident_grounded',
  noActionNeeded: 'no_action_needed',
  belowAutoThreshold: 'below_auto_threshold',
  belowReviewThreshold: 'below_review_threshold',
  modelEscalated: 'model_escalated',
  noDocSources: 'no_doc_sources',
  ungrounded: 'ungrounded_sources',
  noRetrieval: 'no_retrieval',
  senderCap: 'sender_cap_reached',
  threadHuman: 'thread_handled_by_human',
  injection: 'suspected_injection',
  emptyReply: 'empty_reply',
  retrievalDegraded: 'retrieval_degraded',
} as const;

export function decide(input: PolicyInput): PolicyDecision {
  const { ticket, retrieval, result, confidence, config, context } = input;
  const text = `${ticket.subject}\n${ticket.text}`;
  const info = retrieval.degraded ? [REASONS.retrievalDegraded, retrieval.degraded] : [];

  if (result.failure || !result.response) {
    return { outcome: 'escalate', reasons: [result.failure ?? 'schema_invalid', ...info] };
  }
  const response = result.response;

  // Reasons that send the ticket to a person whatever the confidence.
  const escalations: string[] = [];
  for (const topic of detectSensitiveTopics(text, config.SENSITIVE_TOPICS, config.REFUND_AUTO_LIMIT_USD)) {
    escalations.push(`sensitive:${topic}`);
  }
  if (looksLikeInjection(text)) escalations.push(REASONS.injection);
  if (context.threadHandledByHuman) escalations.push(REASONS.threadHuman);
  // "Thanks, that fixed it" needs nothing, unless it also says something a person must see.
  if (escalations.length === 0 && needsNoAction(ticket.text, ticket.subject)) {
    return { outcome: 'ignore', reasons: [REASONS.noActionNeeded, ...info] };
  }
  if (response.escalate) escalations.push(REASONS.modelEscalated);
  if (retrieval.chunks.length === 0) escalations.push(REASONS.noRetrieval);
  if (escalations.length > 0) return { outcome: 'escalate', reasons: [...escalations, ...info] };

  // Reasons that keep a confident draft from going out on its own.
  const holds: string[] = [];
  const retrieved = new Set(retrieval.chunks.map((c) => c.chunkId));
  if (response.doc_sources.length === 0) holds.push(REASONS.noDocSources);
  else if (response.doc_sources.some((id) => !retrieved.has(id))) holds.push(REASONS.ungrounded);
  if (!response.suggested_reply.trim()) holds.push(REASONS.emptyReply);
  if (config.SENDER_DAILY_CAP > 0 && context.senderAutoRepliesToday >= config.SENDER_DAILY_CAP) holds.push(REASONS.senderCap);
  holds.push(...context.replyProblems);

  const score = confidence ?? 0;
  if (score >= config.AUTO_REPLY_THRESHOLD && holds.length === 0) {
    return { outcome: 'auto_reply', reasons: [REASONS.confidentAndGrounded, ...info] };
  }
  if (score >= config.REVIEW_THRESHOLD) {
    const why = score >= config.AUTO_REPLY_THRESHOLD ? holds : [REASONS.belowAutoThreshold, ...holds];
    return { outcome: 'review', reasons: [...why, ...info] };
  }
  return { outcome: 'escalate', reasons: [REASONS.belowReviewThreshold, ...holds, ...info] };
}
