// A ticket's whole path, in the order it happens, in this one file:
//   acceptDraft (POST /api/tickets, the webhooks) or receiveEmail (the email() handler):
//     guard → dedupe and sender cap → store → audit an ignore → enqueue (or run inline);
//   processTicket (the TICKETS consumer, or inline for Email Routing):
//     claim → retrieve → respond → decide → record the decision → planActions → status.
// It is idempotent: a stored Message-ID is not stored again, a ticket with a decision
// is not decided again, and deliveries are claimed once per kind. pipeline/ holds the
// services it hands on to (acting, delivery, human actions, the sweep, calibration, corpus).
import { ReplyMailer } from './act/reply-mailer';
import type { Mailer } from './act/types';
import { calibrate, CalibrationParams } from './decide/calibration';
import { selectAnswer } from './decide/answer-selection';
import { confidenceFeatures, withSelfScore } from './decide/confidence-features';
import { checkReply } from './decide/reply-check';
import { decide } from './decide/policy';
import { findDecision, readDecisionContext, recordDecision, type DecisionContext, type DecisionRow } from './db/decisions';
import { findAnsweredExchange } from './db/follow-ups';
import type { ModeRuleOf } from './db/modes';
import { claimNonce, releaseNonce } from './db/intake';
import { claimTicketRun, findTicket, setTicketStatus, storeTicket, type TicketRow } from './db/tickets';
import { StorageUnavailableError } from './errors';
import type { Deps } from './deps';
import { envelopeGuard, oversizedDraft, readBounded } from './ingest/email';
import { GUARD_REASONS, guardDraft } from './ingest/guard';
import { draftFromMime } from './ingest/mime';
import { errorSummary, logEvent } from './log';
import { planActions } from './pipeline/act';
import type { TicketMessage } from './queue-messages';
import { derivedMessageId, newId, senderKey, type TicketDraft } from './ticket';
import { actOnRollout, decidesNothing, earlierExchangeOf, offDecision, readFollowUpVerdict, rolloutContextOf } from './pipeline/rollout';

const DAY_MS = 24 * 60 * 60 * 1000;
const MINUTE_MS = 60 * 1000;

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
  const { config, clock } = deps;
  const now = clock.now();
  const messageId = draft.messageId ?? (await derivedMessageId(draft));
  const { ticket, created } = await storeTicket(
    deps.db,
    { ...draft, messageId, guardReason: draft.guardReason ?? guardDraft(draft, config) },
    {
      now,
      maxRawBytes: config.MAX_RAW_BYTES,
      references: [...draft.references, ...(draft.inReplyTo ? [draft.inReplyTo] : [])],
      // A sender over the daily ticket cap is kept and audited, but no model runs for it (floods, mail loops).
      senderCap: { limit: config.SENDER_DAILY_TICKET_CAP, since: now - DAY_MS, reason: GUARD_REASONS.senderCap },
      ignoreDecision: { id: newId('dec'), thresholds: { autoReply: config.AUTO_REPLY_THRESHOLD, review: config.REVIEW_THRESHOLD } },
    },
  );
  return { ticket, created };
}

/**
 * Store and enqueue for the TICKETS consumer. A failed enqueue is not an error for
 * the caller: the ticket is stored `received`, and the cron sweep enqueues it.
 */
export async function acceptDraft(draft: TicketDraft, deps: Deps): Promise<Accepted> {
  const accepted = await storeDraft(draft, deps);
  if (accepted.created && accepted.ticket.status === 'received') await enqueueTicket(accepted.ticket.id, deps);
  return accepted;
}

/**
 * A provider whose signature does not cover the body (Mailgun) sends a one-time token:
 * claim it before accepting, and give it back when nothing was stored, so the
 * provider's retry is not refused as a replay. 'replayed': the token was used before.
 */
export async function acceptOnce<T>(nonce: { provider: string; token: string }, deps: Deps, accept: () => Promise<T>): Promise<T | 'replayed'> {
  const firstUse = await claimNonce(deps.db, nonce.provider, nonce.token, deps.clock.now()).catch((error: unknown) => {
    throw new StorageUnavailableError(error);
  });
  if (!firstUse) return 'replayed';
  try {
    return await accept();
  } catch (error) {
    // Give the token back when nothing was stored, so the provider's retry is not refused as a replay;
    // if D1 refuses that too, the retry is refused and the log says why.
    if (error instanceof StorageUnavailableError) {
      await releaseNonce(deps.db, nonce.provider, nonce.token).catch((releaseError: unknown) =>
        logEvent('warn', 'nonce_release_failed', { provider: nonce.provider, error: errorSummary(releaseError) }),
      );
    }
    throw error;
  }
}

/**
 * Email Routing: read the raw message (bounded), normalise, guard, store, then run
 * processTicket inline so an auto-reply can go out through message.reply(). If the
 * run cannot finish, the ticket is left pending and enqueued: the queue consumer
 * finishes it with the configured mailer.
 */
export async function receiveEmail(message: ForwardableEmailMessage, deps: Deps): Promise<Accepted> {
  const limit = deps.config.MAX_EMAIL_BYTES;
  const bytes = message.rawSize > limit ? null : await readBounded(message.raw, limit);
  if (!bytes) {
    const accepted = await storeDraft(oversizedDraft(message, deps.config), deps);
    // A permanent SMTP refusal tells a person their mail did not arrive; the refusal is audited above.
    message.setReject(`Message too large: this mailbox accepts up to ${limit} bytes`);
    return accepted;
  }
  const draft = await draftFromMime({ bytes, source: 'email', envelope: { from: message.from, to: message.to } }, deps.config);
  const accepted = await storeDraft({ ...draft, guardReason: draft.guardReason ?? envelopeGuard(message) }, deps);
  if (accepted.created && accepted.ticket.status === 'received') await runInline(accepted.ticket.id, message, deps);
  return accepted;
}

async function runInline(ticketId: string, message: ForwardableEmailMessage, deps: Deps): Promise<void> {
  try {
    await processTicket(ticketId, deps, { inlineMailer: new ReplyMailer(message) });
  } catch (error) {
    // processTicket left the ticket `pending`; the queue finishes it (and the cron sweep if this send fails too).
    logEvent('warn', 'email_inline_deferred', { ticketId, error: errorSummary(error) });
    await enqueueTicket(ticketId, deps);
  }
}

/** A lost enqueue is logged, not thrown: the ticket is stored, and the cron sweep enqueues it. */
async function enqueueTicket(ticketId: string, deps: Deps): Promise<void> {
  await deps.queues.tickets.send({ ticketId } satisfies TicketMessage).catch((error: unknown) => {
    logEvent('warn', 'enqueue_failed', { ticketId, error: errorSummary(error) });
  });
}

/** The TICKETS dead-letter queue gave up on this ticket: mark it failed so a person sees it. */
export async function markTicketDead(ticketId: string, deps: Deps): Promise<void> {
  const ticket = await findTicket(deps.db, ticketId);
  if (ticket && !['done', 'ignored'].includes(ticket.status)) {
    await setTicketStatus(deps.db, ticket.id, 'failed', deps.clock.now(), { lastError: `dead-lettered: ${ticket.lastError ?? 'unknown error'}` });
  }
}

/** Held for a person when the deployment already sent its share of auto-replies (AUTO_REPLY_LIMIT_*). */
const DEPLOYMENT_REPLY_LIMIT = 'deployment_reply_limit';

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
  const run = await claimTicketRun(db, ticketId, clock.now(), config.LEASE_SECONDS * 1000);
  if (!run) return notClaimable(ticketId, deps);
  const { ticket } = run;
  // Runs that died without reaching the catch below (killed, out of memory) still counted their claim.
  if (ticket.attempts > config.TICKET_MAX_ATTEMPTS) return giveUp(ticket, ticket.lastError ?? 'the run never finished', deps, run.decision);
  try {
    const decision = run.decision ?? (await decideTicket(ticket, run.modeRules, deps, options));
    await readFollowUpVerdict(ticket, deps);
    // One status write per run: the lease covers acting too, so no second run plans the same actions meanwhile.
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
async function giveUp(ticket: TicketRow, lastError: string, deps: Deps, recorded?: DecisionRow): Promise<ProcessResult> {
  const { db, clock, config } = deps;
  const decision =
    recorded ??
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

async function decideTicket(ticket: TicketRow, modeRules: ModeRuleOf[], deps: Deps, options: ProcessOptions): Promise<DecisionRow> {
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
  const rollout = await rolloutContextOf(ticket, modeRules, deps);
  if (decidesNothing(rollout)) return recordDecision(db, offDecision(ticket, deps));
  const started = Date.now();
  const text = ticket.bodyText.slice(0, config.MAX_TICKET_CHARS);
  const query = `${ticket.subject}\n${text}`;

  const retrieval = await timed('retrieve', () => retriever.retrieve(query, config.RETRIEVAL_TOP_K));
  options.failAfter?.('retrieve');
  // Run once: the offline responder answers from them, and the decision's confidence reads them.
  const selection = selectAnswer(retrieval.queryTerms, retrieval.chunks);
  const evidence = confidenceFeatures(retrieval.queryTerms, retrieval.chunks, null, selection);
  const result = await timed('respond', () =>
    responder.respond({
      ticket: { subject: ticket.subject, text, fromName: ticket.fromName },
      chunks: retrieval.chunks,
      queryTerms: retrieval.queryTerms,
      selection,
      evidence,
      earlier: earlierExchangeOf(rollout),
    }),
  );
  options.failAfter?.('respond');

  const now = clock.now();
  const modelConfidence = result.response?.confidence_score ?? null;
  // The offline responder's score is itself this calibration; only Claude's self-score is extra evidence.
  const features = withSelfScore(evidence, responder.name === 'claude' ? modelConfidence : null);
  const { policy, confidence, calibrationVersion } = await timed('decide', async () => {
    const context = await readDecisionContext(db, {
      senderKey: ticket.senderKey ?? senderKey(ticket.fromAddress),
      daySince: now - DAY_MS,
      minuteSince: now - MINUTE_MS,
      thread: ticket.threadId === ticket.messageId ? null : { threadId: ticket.threadId, exceptTicketId: ticket.id },
      limits: { perMinute: config.AUTO_REPLY_LIMIT_PER_MINUTE > 0, perDay: config.AUTO_REPLY_LIMIT_PER_DAY > 0 },
    });
    const calibration = calibrationFrom(context, config);
    const deploymentLimited = deploymentReplyLimitReached(context, config);
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
      termCoverage: confidence === null ? null : features.coverage_top,
      config,
      context: { senderAutoRepliesToday: context.senderAutoRepliesToday, threadHandledByHuman: context.threadHandledByHuman, replyProblems },
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
    classifierPersonProbability: policy.requestType.classifierPersonProbability,
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

/** The parameters in force: the newest accepted refit of the current feature set, else config (as pipeline/calibration.ts calibrationInForce). */
function calibrationFrom(context: DecisionContext, config: Deps['config']): CalibrationParams {
  const parsed = CalibrationParams.safeParse(context.calibrationParams);
  return parsed.success ? parsed.data : config.CALIBRATION;
}

function deploymentReplyLimitReached(context: DecisionContext, config: Deps['config']): boolean {
  const { autoRepliesLastMinute: lastMinute, autoRepliesLastDay: lastDay } = context;
  return (
    (config.AUTO_REPLY_LIMIT_PER_MINUTE > 0 && (lastMinute ?? 0) >= config.AUTO_REPLY_LIMIT_PER_MINUTE) ||
    (config.AUTO_REPLY_LIMIT_PER_DAY > 0 && (lastDay ?? 0) >= config.AUTO_REPLY_LIMIT_PER_DAY)
  );
}

function secretValues(deps: Deps): string[] {
  return Object.values(deps.config.secrets).filter((v): v is string => typeof v === 'string');
}
