// The policy: the model proposes, code disposes. Pure: (ticket, retrieval,
// response, config, context) → Decision. Nothing in the ticket text can move a
// threshold; text can only add reasons to involve a person. Routing starts from
// the request type (request-type-routing.ts): person-needed types escalate,
// account_specific is reviewed, no_action and spam are ignored, how_to goes to
// the calibrated threshold.
import type { Config } from '../config';
import type { Outcome } from '../domain';
import type { ResponderResult } from '../respond/types';
import type { Retrieval } from '../retrieval/types';
import { normalizeForChecks } from './normalize';
import { judgeRequestType, type RequestTypeVerdict, type TicketTexts } from './request-type-routing';
import { needsPerson } from './request-types';
import { detectSensitiveTopics, looksLikeInjection, customerLines, needsNoAction, splitQuotedTail } from './sensitive';

export type PolicyConfig = Pick<
  Config,
  | 'AUTO_REPLY_THRESHOLD'
  | 'REVIEW_THRESHOLD'
  | 'MIN_TERM_COVERAGE'
  | 'SENSITIVE_TOPICS'
  | 'REFUND_AUTO_LIMIT_USD'
  | 'SENDER_DAILY_CAP'
  | 'MAX_TICKET_CHARS'
  | 'MAX_SUBJECT_CHARS'
  | 'MAX_DISPLAY_NAME_CHARS'
  | 'REQUEST_TYPE_MIN_PROBABILITY'
  | 'REQUEST_TYPE_MIN_KNOWN_WORDS'
  | 'REQUEST_TYPE_PERSON_PROBABILITY'
  | 'REQUEST_TYPE_HOLD_PROBABILITY'
>;

export type PolicyContext = {
  /** Auto-replies already sent to this sender in the last 24 h. */
  senderAutoRepliesToday: number;
  /** The thread already went to a person (escalated, in review, or taken over). */
  threadHandledByHuman: boolean;
  /** Problems found in the drafted reply before sending (see reply-check). */
  replyProblems: string[];
};

export type PolicyTicket = {
  subject: string;
  /** The customer text the responder saw (quotes and signature stripped at ingest for mail). */
  text: string;
  fromName?: string | null;
  /** The body before quote and signature stripping, when ingest kept it. */
  unstripped?: string | null;
};

export type PolicyInput = {
  ticket: PolicyTicket;
  retrieval: Retrieval;
  result: ResponderResult;
  /** The calibrated confidence (null when there is no response). */
  confidence: number | null;
  /** Share of the ticket's search terms the selected doc holds (the `coverage_top` feature); null without features. */
  termCoverage: number | null;
  config: PolicyConfig;
  context: PolicyContext;
};

export type PolicyDecision = { outcome: Outcome; reasons: string[]; requestType: RequestTypeVerdict };

/** Reason codes are stable: they are stored, filtered on, and documented in docs/confidence-and-policy.md "Decisions and reason codes". */
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
  lowTermCoverage: 'low_term_coverage',
  typeUnclear: 'type_unclear',
  typeNearPerson: 'type_near_person',
  typeDisagreement: 'type_disagreement',
  secondOpinionUnavailable: 'second_opinion_unavailable',
} as const;

/** `type:<request_type>`: the request type that routed the ticket. */
export const typeReason = (type: string): string => `type:${type}`;

/**
 * What each check reads, capped before any pattern or the classifier runs: the
 * subject (MAX_SUBJECT_CHARS), the display name (MAX_DISPLAY_NAME_CHARS), the text and
 * the unstripped body (MAX_TICKET_CHARS each), all through normalizeForChecks.
 */
export function ticketTexts(ticket: PolicyTicket, config: PolicyConfig): TicketTexts & { all: string[] } {
  const subject = normalizeForChecks(ticket.subject.slice(0, config.MAX_SUBJECT_CHARS));
  const name = normalizeForChecks((ticket.fromName ?? '').slice(0, config.MAX_DISPLAY_NAME_CHARS));
  const text = normalizeForChecks(ticket.text.slice(0, config.MAX_TICKET_CHARS));
  const unstripped = normalizeForChecks((ticket.unstripped ?? '').slice(0, config.MAX_TICKET_CHARS));
  const { head, tail } = splitQuotedTail(text);
  const side = [name, tail, unstripped === text ? '' : unstripped].filter((s) => s.trim() !== '');
  return { main: `${subject}\n${head}`, body: customerLines(text), side, all: [subject, name, text, unstripped].filter((s) => s !== '') };
}

export function decide(input: PolicyInput): PolicyDecision {
  const { ticket, retrieval, result, confidence, termCoverage, config, context } = input;
  const texts = ticketTexts(ticket, config);
  const requestType = judgeRequestType(texts, result.response?.request_type ?? null, config);
  const type = requestType.type;
  const info = retrieval.degraded ? [REASONS.retrievalDegraded, retrieval.degraded] : [];
  const routed = (outcome: Outcome, reasons: string[]): PolicyDecision => ({ outcome, reasons: [...reasons, ...info], requestType });

  // Reasons that send the ticket to a person whatever the confidence.
  const escalations: string[] = [];
  if (needsPerson(type)) escalations.push(typeReason(type));
  // Keyword topics add recall where the classifier is not sure the main text is a question or spam;
  // in the quoted, signature and stripped parts they always count.
  const keywordTexts = type === 'spam' ? texts.side : [texts.main, ...texts.side];
  const topics = new Set(keywordTexts.flatMap((t) => detectSensitiveTopics(t, config.SENSITIVE_TOPICS, config.REFUND_AUTO_LIMIT_USD)));
  for (const topic of topics) escalations.push(`sensitive:${topic}`);
  if (texts.all.some(looksLikeInjection)) escalations.push(REASONS.injection);
  if (context.threadHandledByHuman) escalations.push(REASONS.threadHuman);

  // Nothing to answer: audited, nothing sent, even when the responder failed.
  if (escalations.length === 0) {
    if (type === 'spam' || type === 'no_action') return routed('ignore', [typeReason(type)]);
    if (needsNoAction(ticket.text.slice(0, config.MAX_TICKET_CHARS), ticket.subject.slice(0, config.MAX_SUBJECT_CHARS))) {
      return routed('ignore', [REASONS.noActionNeeded]);
    }
  }

  if (result.failure || !result.response) return routed('escalate', [...escalations, result.failure ?? 'schema_invalid']);
  const response = result.response;
  if (response.escalate) escalations.push(REASONS.modelEscalated);
  if (retrieval.chunks.length === 0) escalations.push(REASONS.noRetrieval);
  if (escalations.length > 0) return routed('escalate', escalations);

  // Reasons that keep a confident draft from going out on its own.
  const holds: string[] = [];
  if (type === 'account_specific') holds.push(typeReason(type));
  if (type === 'unclear') holds.push(REASONS.typeUnclear);
  if (requestType.nearPerson) holds.push(REASONS.typeNearPerson);
  if (requestType.claudeType && requestType.claudeType !== requestType.classifierType) holds.push(REASONS.typeDisagreement);
  const retrieved = new Set(retrieval.chunks.map((c) => c.chunkId));
  if (response.doc_sources.length === 0) holds.push(REASONS.noDocSources);
  else if (response.doc_sources.some((id) => !retrieved.has(id))) holds.push(REASONS.ungrounded);
  if (!response.suggested_reply.trim()) holds.push(REASONS.emptyReply);
  // The calibration never saw a confident case this thin: its score here is extrapolation (term-coverage.ts).
  if (termCoverage !== null && termCoverage < config.MIN_TERM_COVERAGE) holds.push(REASONS.lowTermCoverage);
  // The cascade found the fast draft borderline and the strong model did not answer: the draft kept is one the
  // responder itself would not send unchecked, whatever retrieval's evidence adds to its score.
  if (result.calls.some((c) => c.role === 'strong' && c.outcome === 'error')) holds.push(REASONS.secondOpinionUnavailable);
  if (config.SENDER_DAILY_CAP > 0 && context.senderAutoRepliesToday >= config.SENDER_DAILY_CAP) holds.push(REASONS.senderCap);
  holds.push(...context.replyProblems);

  const score = confidence ?? 0;
  if (score >= config.AUTO_REPLY_THRESHOLD && holds.length === 0) return routed('auto_reply', [REASONS.confidentAndGrounded]);
  // account_specific is always reviewed (a person checks the draft against the account), never escalated for its score.
  if (score >= config.REVIEW_THRESHOLD || type === 'account_specific') {
    const why = score >= config.AUTO_REPLY_THRESHOLD ? holds : [REASONS.belowAutoThreshold, ...holds];
    return routed('review', why);
  }
  return routed('escalate', [REASONS.belowReviewThreshold, ...holds]);
}
