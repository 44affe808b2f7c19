// processTicket: the only place that sequences effects. A stored ticket goes
// retrieve → respond → decide → act → audit. It is idempotent: a ticket with a
// decision is not decided again, and deliveries are claimed once per kind.
import type { Mailer } from './act/types';
import { planActions } from './act/plan';
import { calibrate } from './decide/calibration';
import { confidenceFeatures } from './decide/confidence-features';
import { checkReply } from './decide/reply-check';
import { decide } from './decide/policy';
import { calibrationInForce } from './db/calibrations';
import { countAutoReplies, countAutoRepliesTo, findDecision, recordDecision, threadHandledByHuman, type DecisionRow } from './db/decisions';
import { claimTicket, findTicket, setTicketStatus, type TicketRow } from './db/tickets';
import type { Deps } from './deps';
import { errorSummary } from './log';
import { actOnRollout, decidesNothing, earlierExchangeOf, loadRolloutContext, offDecision, readFollowUpVerdict } from './rollout/run';
import { newId, senderKey } from './ticket';

const DAY_MS = 24 * 60 * 60 * 1000;
const MINUTE_MS = 60 * 1000;

/** Held for a person when the deployment already sent its share of auto-replies (AUTO_REPLY_LIMIT_*). */
export const DEPLOYMENT_REPLY_LIMIT = 'deployment_reply_limit';

export type ProcessResult =
  | { status: 'done'; decision: DecisionRow }
  | { status: 'failed'; decision: DecisionRow; lastError: string }
  | { status: 'skipped'; reason: 'not_claimable' }
  | { status: 'skipped'; reason: 'leased'; retryAfterMs: number };

export type ProcessOptions = {
  /** Email Routing tickets answered inline reply through the incoming message. */
  inlineMailer?: Mailer;
  /** Fault injection for tests of the crash-at-every-stage guarantee. */
  failAfter?: (stage: 'retrieve' | 'respond' | 'decide' | 'act') => void;
};

export async function processTicket(ticketId: string, deps: Deps, options: ProcessOptions = {}): Promise<ProcessResult> {
  const { db, clock, config } = deps;
  const ticket = await claimTicket(db, ticketId, clock.now(), config.LEASE_SECONDS * 1000);
  if (!ticket) return notClaimable(ticketId, deps);
  // Runs that died without reaching the catch below (killed, out of memory) still counted their claim.
  if (ticket.attempts > config.TICKET_MAX_ATTEMPTS) return giveUp(ticket, ticket.lastError ?? 'the run never finished', deps);
  try {
    const decision = (await findDecision(db, ticket.id)) ?? (await decideTicket(ticket, deps, options));
    await readFollowUpVerdict(ticket, deps);
    await setTicketStatus(db, ticket.id, 'decided', clock.now());
    await planActions(ticket, decision, deps, options.inlineMailer);
    options.failAfter?.('act');
    await setTicketStatus(db, ticket.id, decision.outcome === 'ignore' ? 'ignored' : 'done', clock.now(), { lastError: null });
    return { status: 'done', decision };
  } catch (error) {
    if (ticket.attempts >= config.TICKET_MAX_ATTEMPTS) return giveUp(ticket, errorSummary(error), deps);
    // Leave it for the queue's retry (or the cron sweep): nothing accepted is dropped.
    await setTicketStatus(db, ticket.id, 'pending', clock.now(), { lastError: errorSummary(error) });
    throw error;
  }
}

/** Another run holds the lease (retry when it ends), or the ticket is finished. */
async function notClaimable(ticketId: string, deps: Deps): Promise<ProcessResult> {
  const current = await findTicket(deps.db, ticketId);
  const now = deps.clock.now();
  if (current?.status === 'processing' && current.leaseUntil !== null && current.leaseUntil >= now) {
    return { status: 'skipped', reason: 'leased', retryAfterMs: current.leaseUntil - now + 1 };
  }
  return { status: 'skipped', reason: 'not_claimable' };
}

/**
 * TICKET_MAX_ATTEMPTS runs did not finish this ticket: stop running it, and hand it
 * to a person as an escalation (Slack and the acknowledgement when configured, the
 * console always) with its last error. Planned before the status flips, so a failure
 * here leaves the ticket to the sweep, which gives up again.
 */
async function giveUp(ticket: TicketRow, lastError: string, deps: Deps): Promise<ProcessResult> {
  const { db, clock, config } = deps;
  const decision =
    (await findDecision(db, ticket.id)) ??
    (await recordDecision(db, {
      id: newId('dec'),
      ticketId: ticket.id,
      outcome: 'escalate',
      reasons: ['attempts_exhausted'],
      thresholds: { autoReply: config.AUTO_REPLY_THRESHOLD, review: config.REVIEW_THRESHOLD },
      decidedAt: clock.now(),
    }));
  await planActions(ticket, { ...decision, outcome: 'escalate' }, deps);
  const summary = `gave up after ${ticket.attempts} attempts: ${lastError}`;
  await setTicketStatus(db, ticket.id, 'failed', clock.now(), { lastError: summary });
  return { status: 'failed', decision, lastError: summary };
}

async function decideTicket(ticket: TicketRow, deps: Deps, options: ProcessOptions): Promise<DecisionRow> {
  const { db, clock, config, retriever, responder } = deps;
  const latencyMs: Record<string, number> = {};
  const timed = async <T>(stage: string, run: () => Promise<T>): Promise<T> => {
    const started = Date.now();
    try {
      return await run();
    } finally {
      latencyMs[stage] = Date.now() - started;
    }
  };
  const rollout = await loadRolloutContext(ticket, deps);
  if (decidesNothing(rollout)) return recordDecision(db, offDecision(ticket, deps));
  const started = Date.now();
  const text = ticket.bodyText.slice(0, config.MAX_TICKET_CHARS);
  const query = `${ticket.subject}\n${text}`;

  const retrieval = await timed('retrieve', () => retriever.retrieve(query, config.RETRIEVAL_TOP_K));
  options.failAfter?.('retrieve');
  const result = await timed('respond', () =>
    responder.respond({
      ticket: { subject: ticket.subject, text, fromName: ticket.fromName, language: ticket.language },
      chunks: retrieval.chunks,
      earlier: earlierExchangeOf(rollout),
    }),
  );
  options.failAfter?.('respond');

  const now = clock.now();
  const modelConfidence = result.response?.confidence_score ?? null;
  // The offline responder's score is itself this calibration; only Claude's self-score is extra evidence.
  const features = confidenceFeatures(retrieval.queryTerms, retrieval.chunks, responder.name === 'claude' ? modelConfidence : null);
  const { policy, confidence, calibrationVersion } = await timed('decide', async () => {
    const [senderAutoRepliesToday, threadHuman, calibration, deploymentLimited] = await Promise.all([
      countAutoRepliesTo(db, ticket.senderKey ?? senderKey(ticket.fromAddress), now - DAY_MS),
      threadHandledByHumanFor(ticket, deps),
      calibrationInForce(db, config),
      deploymentReplyLimitReached(deps, now),
    ]);
    const confidence = modelConfidence === null ? null : calibrate(calibration, features);
    const replyProblems = [
      ...(result.response ? checkReply({ reply: result.response.suggested_reply, docs: retrieval.chunks, secrets: secretValues(deps), ownAddresses: [config.SUPPORT_ADDRESS] }) : []),
      ...(deploymentLimited ? [DEPLOYMENT_REPLY_LIMIT] : []),
    ];
    // The checks read what the customer sent, not only what survived quote stripping (SECURITY.md).
    const policyTicket = { subject: ticket.subject, text, unstripped: ticket.bodyUnstripped, fromName: ticket.fromName };
    const policy = decide({
      ticket: policyTicket,
      retrieval,
      result,
      confidence,
      config,
      context: { senderAutoRepliesToday, threadHandledByHuman: threadHuman, replyProblems },
    });
    return { policy: { ...policy, ...actOnRollout(policy, rollout, responder.name) }, confidence, calibrationVersion: calibration.version };
  });
  options.failAfter?.('decide');
  latencyMs.total = Date.now() - started;

  const calls = result.calls;
  return recordDecision(db, {
    id: newId('dec'),
    ticketId: ticket.id,
    outcome: policy.outcome,
    reasons: policy.reasons,
    mode: policy.mode,
    policyOutcome: policy.policyOutcome,
    modelConfidence,
    confidence,
    calibrationVersion: confidence === null ? null : calibrationVersion,
    confidenceFeatures: confidence === null ? null : features,
    thresholds: { autoReply: config.AUTO_REPLY_THRESHOLD, review: config.REVIEW_THRESHOLD },
    intent: result.response?.intent ?? null,
    requestType: policy.requestType.type,
    classifierType: policy.requestType.classifierType,
    classifierProbability: policy.requestType.classifierProbability,
    classifierVersion: policy.requestType.modelVersion,
    claudeType: policy.requestType.claudeType,
    suggestedReply: policy.keepDraft ? (result.response?.suggested_reply ?? null) : null,
    language: result.response?.language ?? null,
    docSources: result.response?.doc_sources ?? [],
    retrieved: retrieval.chunks.map(({ text: _text, headingPath: _path, ...evidence }) => evidence),
    retriever: retrieval.retriever,
    corpusVersion: retrieval.corpusVersion,
    responder: responder.name,
    modelCalls: calls,
    tokensIn: calls.reduce((n, c) => n + c.inputTokens + c.cacheReadTokens + c.cacheWriteTokens, 0),
    tokensOut: calls.reduce((n, c) => n + c.outputTokens, 0),
    costUsd: calls.reduce((n, c) => n + c.costUsd, 0),
    latencyMs,
    decidedAt: now,
  });
}

async function deploymentReplyLimitReached({ db, config }: Deps, now: number): Promise<boolean> {
  const [lastMinute, lastDay] = await Promise.all([
    config.AUTO_REPLY_LIMIT_PER_MINUTE > 0 ? countAutoReplies(db, now - MINUTE_MS) : 0,
    config.AUTO_REPLY_LIMIT_PER_DAY > 0 ? countAutoReplies(db, now - DAY_MS) : 0,
  ]);
  return (
    (config.AUTO_REPLY_LIMIT_PER_MINUTE > 0 && lastMinute >= config.AUTO_REPLY_LIMIT_PER_MINUTE) ||
    (config.AUTO_REPLY_LIMIT_PER_DAY > 0 && lastDay >= config.AUTO_REPLY_LIMIT_PER_DAY)
  );
}

async function threadHandledByHumanFor(ticket: TicketRow, deps: Deps): Promise<boolean> {
  if (ticket.threadId === ticket.messageId) return false;
  return threadHandledByHuman(deps.db, ticket.threadId, ticket.id);
}

function secretValues(deps: Deps): string[] {
  return Object.values(deps.config.secrets).filter((v): v is string => typeof v === 'string');
}
