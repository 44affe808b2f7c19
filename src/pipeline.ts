// processTicket: the only place that sequences effects. A stored ticket goes
// retrieve → respond → decide → act → audit. It is idempotent: a ticket with a
// decision is not decided again, and deliveries are claimed once per kind.
import type { Mailer } from './act/types';
import { planActions } from './act/plan';
import { calibrate, calibrationFeatures } from './decide/calibration';
import { checkReply } from './decide/reply-check';
import { decide } from './decide/policy';
import { calibrationInForce } from './decide/refit';
import { countAutoRepliesTo, findDecision, recordDecision, threadHandledByHuman, type DecisionRow } from './db/decisions';
import { claimTicket, setTicketStatus, type TicketRow } from './db/tickets';
import type { Deps } from './deps';
import { errorSummary } from './log';
import { newId } from './ticket';

const DAY_MS = 24 * 60 * 60 * 1000;

export type ProcessResult =
  | { status: 'done'; decision: DecisionRow }
  | { status: 'skipped'; reason: 'not_claimable' };

export type ProcessOptions = {
  /** Email Routing tickets answered inline reply through the incoming message. */
  inlineMailer?: Mailer;
  /** Fault injection for tests of the crash-at-every-stage guarantee. */
  failAfter?: (stage: 'retrieve' | 'respond' | 'decide' | 'act') => void;
};

export async function processTicket(ticketId: string, deps: Deps, options: ProcessOptions = {}): Promise<ProcessResult> {
  const { db, clock, config } = deps;
  const ticket = await claimTicket(db, ticketId, clock.now(), config.LEASE_SECONDS * 1000);
  if (!ticket) return { status: 'skipped', reason: 'not_claimable' };
  try {
    const decision = (await findDecision(db, ticket.id)) ?? (await decideTicket(ticket, deps, options));
    await setTicketStatus(db, ticket.id, 'decided', clock.now());
    await planActions(ticket, decision, deps, options.inlineMailer);
    options.failAfter?.('act');
    await setTicketStatus(db, ticket.id, decision.outcome === 'ignore' ? 'ignored' : 'done', clock.now(), { lastError: null });
    return { status: 'done', decision };
  } catch (error) {
    // Leave it for the queue's retry (or the cron sweep): nothing accepted is dropped.
    await setTicketStatus(db, ticket.id, 'pending', clock.now(), { lastError: errorSummary(error) });
    throw error;
  }
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
  const started = Date.now();
  const text = ticket.bodyText.slice(0, config.MAX_TICKET_CHARS);
  const query = `${ticket.subject}\n${text}`;

  const retrieval = await timed('retrieve', () => retriever.retrieve(query, config.RETRIEVAL_TOP_K));
  options.failAfter?.('retrieve');
  const result = await timed('respond', () =>
    responder.respond({
      ticket: { subject: ticket.subject, text, fromName: ticket.fromName, language: ticket.language },
      chunks: retrieval.chunks,
    }),
  );
  options.failAfter?.('respond');

  const now = clock.now();
  const modelConfidence = result.response?.confidence_score ?? null;
  const { policy, confidence } = await timed('decide', async () => {
    const [senderAutoRepliesToday, threadHuman, calibration] = await Promise.all([
      countAutoRepliesTo(db, ticket.fromAddress, now - DAY_MS),
      threadHandledByHumanFor(ticket, deps),
      calibrationInForce(db, config),
    ]);
    const confidence = modelConfidence === null ? null : calibrate(calibration, calibrationFeatures(modelConfidence, retrieval.chunks));
    const replyProblems = result.response
      ? checkReply({ reply: result.response.suggested_reply, docs: retrieval.chunks, secrets: secretValues(deps) })
      : [];
    const policy = decide({
      ticket: { subject: ticket.subject, text, fromName: ticket.fromName },
      retrieval,
      result,
      confidence,
      config,
      context: { senderAutoRepliesToday, threadHandledByHuman: threadHuman, replyProblems },
    });
    return { policy, confidence };
  });
  options.failAfter?.('decide');
  latencyMs.total = Date.now() - started;

  const calls = result.calls;
  return recordDecision(db, {
    id: newId('dec'),
    ticketId: ticket.id,
    outcome: policy.outcome,
    reasons: policy.reasons,
    modelConfidence,
    confidence,
    thresholds: { autoReply: config.AUTO_REPLY_THRESHOLD, review: config.REVIEW_THRESHOLD },
    intent: result.response?.intent ?? null,
    requestType: policy.requestType.type,
    classifierType: policy.requestType.classifierType,
    classifierProbability: policy.requestType.classifierProbability,
    classifierVersion: policy.requestType.modelVersion,
    claudeType: policy.requestType.claudeType,
    suggestedReply: result.response?.suggested_reply ?? null,
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

async function threadHandledByHumanFor(ticket: TicketRow, deps: Deps): Promise<boolean> {
  if (ticket.threadId === ticket.messageId) return false;
  return threadHandledByHuman(deps.db, ticket.threadId, ticket.id);
}

function secretValues(deps: Deps): string[] {
  return Object.values(deps.config.secrets).filter((v): v is string => typeof v === 'string');
}

/** Record an ignored ticket's decision (guard or malformed input) without running any model. */
export async function recordIgnored(ticket: TicketRow, reasons: string[], deps: Deps): Promise<DecisionRow> {
  const { config, clock } = deps;
  return recordDecision(deps.db, {
    id: newId('dec'),
    ticketId: ticket.id,
    outcome: 'ignore',
    reasons,
    thresholds: { autoReply: config.AUTO_REPLY_THRESHOLD, review: config.REVIEW_THRESHOLD },
    decidedAt: clock.now(),
  });
}
