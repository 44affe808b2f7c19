// The JSON API: submit a ticket, read a ticket with its decision and deliveries.
// Schemas here are the single source for validation and for /openapi.json.
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { DecisionRow } from '../db/decisions';
import { findDecision } from '../db/decisions';
import PostalMime from 'postal-mime';
import { DecisionRequestType, needsPerson } from '../decide/request-types';
import { listDeliveries, type DeliveryRow } from '../db/deliveries';
import { findTicket, findTicketByMessageId, type TicketRow } from '../db/tickets';
import type { AppEnv } from '../app-env';
import type { Deps } from '../deps';
import { AppError } from '../errors';
import { limitBody, requireJson } from '../middleware/body';
import { requireBearer } from '../middleware/auth';
import { singleLine } from '../ingest/body';
import { acceptDraft } from '../pipeline';
import { normalizeMessageId, parseReferences } from '../ticket';
import { ThreadingId, validationHook } from './validation';

const ErrorSchema = z
  .object({ error: z.object({ code: z.string(), message: z.string() }).passthrough() })
  .openapi('Error');

const CreateTicketBody = z
  .strictObject({
    from: z.email().max(320).openapi({ example: 'ada@example.com' }),
    from_name: z.string().max(200).optional(),
    to: z.email().max(320).optional(),
    subject: z.string().max(998).default(''),
    text: z.string().min(1).max(100_000).openapi({ example: 'How do I reset my password?' }),
    message_id: ThreadingId.optional().openapi({ description: 'Deduplication key; a repeat returns the first ticket.' }),
    in_reply_to: ThreadingId.optional(),
    references: z.array(ThreadingId).max(100).optional(),
  })
  .openapi('CreateTicket');

const Accepted = z
  .object({ ticket_id: z.string(), status: z.string(), duplicate: z.boolean() })
  .openapi('TicketAccepted');

const TicketView = z
  .object({
    ticket: z.record(z.string(), z.unknown()),
    decision: z.record(z.string(), z.unknown()).nullable(),
    deliveries: z.array(z.record(z.string(), z.unknown())),
  })
  .openapi('TicketView');

const errors = {
  400: { description: 'Invalid input', content: { 'application/json': { schema: ErrorSchema } } },
  401: { description: 'Missing or wrong API token', content: { 'application/json': { schema: ErrorSchema } } },
};

const createTicket = createRoute({
  method: 'post',
  path: '/api/tickets',
  security: [{ bearer: [] }],
  request: { body: { required: true, content: { 'application/json': { schema: CreateTicketBody } } } },
  responses: {
    202: { description: 'Stored and queued for a decision', content: { 'application/json': { schema: Accepted } } },
    200: { description: 'Already stored under this message_id; nothing new was created', content: { 'application/json': { schema: Accepted } } },
    ...errors,
    413: { description: 'Body over MAX_API_BODY_BYTES', content: { 'application/json': { schema: ErrorSchema } } },
    415: { description: 'Not JSON', content: { 'application/json': { schema: ErrorSchema } } },
  },
});

const getTicket = createRoute({
  method: 'get',
  path: '/api/tickets/{id}',
  security: [{ bearer: [] }],
  request: { params: z.object({ id: z.string().min(1).max(100) }) },
  responses: {
    200: { description: 'The ticket, its decision (null until decided) and its deliveries', content: { 'application/json': { schema: TicketView } } },
    ...errors,
    404: { description: 'No such ticket', content: { 'application/json': { schema: ErrorSchema } } },
  },
});

const findByMessageId = createRoute({
  method: 'get',
  path: '/api/tickets',
  security: [{ bearer: [] }],
  request: { query: z.strictObject({ message_id: z.string().min(1).max(998) }) },
  responses: {
    200: { description: 'The ticket stored under this Message-ID', content: { 'application/json': { schema: TicketView } } },
    ...errors,
    404: { description: 'No ticket has this Message-ID', content: { 'application/json': { schema: ErrorSchema } } },
  },
});

function ticketJson(ticket: TicketRow) {
  return {
    id: ticket.id,
    source: ticket.source,
    message_id: ticket.messageId,
    in_reply_to: ticket.inReplyTo,
    references: ticket.references,
    thread_id: ticket.threadId,
    from: ticket.fromAddress,
    from_name: ticket.fromName,
    to: ticket.toAddress,
    subject: ticket.subject,
    text: ticket.bodyText,
    text_unstripped: ticket.bodyUnstripped,
    sender_authenticated: ticket.senderAuthenticated,
    attachments: ticket.attachments,
    raw_ref: ticket.rawRef,
    status: ticket.status,
    guard_reason: ticket.guardReason,
    owner: ticket.owner,
    attempts: ticket.attempts,
    last_error: ticket.lastError,
    received_at: new Date(ticket.receivedAt).toISOString(),
  };
}

function decisionJson(decision: DecisionRow) {
  return {
    id: decision.id,
    outcome: decision.outcome,
    reasons: decision.reasons,
    mode: decision.mode,
    policy_outcome: decision.policyOutcome,
    confidence: decision.confidence,
    model_confidence: decision.modelConfidence,
    calibration_version: decision.calibrationVersion,
    confidence_features: decision.confidenceFeatures,
    thresholds: decision.thresholds,
    intent: decision.intent,
    request_type: decision.requestType,
    needs_person: needsPerson(DecisionRequestType.safeParse(decision.requestType).data),
    classifier: decision.classifierVersion
      ? { request_type: decision.classifierType, probability: decision.classifierProbability, person_probability: decision.classifierPersonProbability, version: decision.classifierVersion }
      : null,
    claude_request_type: decision.claudeType,
    suggested_reply: decision.suggestedReply,
    language: decision.language,
    doc_sources: decision.docSources,
    retrieved: decision.retrieved,
    retriever: decision.retriever,
    corpus_version: decision.corpusVersion,
    responder: decision.responder,
    model_calls: decision.modelCalls,
    tokens_in: decision.tokensIn,
    tokens_out: decision.tokensOut,
    cost_usd: decision.costUsd,
    latency_ms: decision.latencyMs,
    decided_at: new Date(decision.decidedAt).toISOString(),
  };
}

const MAIL_KINDS = new Set<DeliveryRow['kind']>(['email_reply', 'customer_ack', 'handoff']);

/** The plain-text part of a recorded email, so a reader of the API sees words, not base64. */
async function mailText(delivery: DeliveryRow): Promise<string | null> {
  if (!delivery.payload || !MAIL_KINDS.has(delivery.kind)) return null;
  try {
    return (await PostalMime.parse(delivery.payload)).text?.trim() ?? null;
  } catch {
    return null;
  }
}

async function deliveryJson(delivery: DeliveryRow) {
  return {
    id: delivery.id,
    kind: delivery.kind,
    status: delivery.status,
    channel: delivery.channel,
    attempts: delivery.attempts,
    last_error: delivery.lastError,
    provider_id: delivery.providerId,
    payload: delivery.payload,
    text: await mailText(delivery),
    sent_at: delivery.sentAt ? new Date(delivery.sentAt).toISOString() : null,
  };
}

async function ticketView(deps: Deps, ticket: TicketRow) {
  const [decision, deliveries] = await Promise.all([findDecision(deps.db, ticket.id), listDeliveries(deps.db, ticket.id)]);
  return {
    ticket: ticketJson(ticket),
    decision: decision ? decisionJson(decision) : null,
    deliveries: await Promise.all(deliveries.map(deliveryJson)),
  };
}

export const api = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

api.openAPIRegistry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer' });

api.use('/api/*', requireBearer('API_TOKEN'));
api.post('/api/tickets', limitBody('MAX_API_BODY_BYTES'), requireJson());

api.openapi(createTicket, async (c) => {
  const body = c.req.valid('json');
  const { deps } = c.var;
  const { ticket, created } = await acceptDraft(
    {
      source: 'api',
      messageId: normalizeMessageId(body.message_id),
      inReplyTo: normalizeMessageId(body.in_reply_to),
      references: (body.references ?? []).flatMap(parseReferences),
      // Cut as every mail route cuts them, so MAX_SUBJECT_CHARS means the same whatever the source.
      from: { address: body.from.toLowerCase(), name: body.from_name === undefined ? null : singleLine(body.from_name, deps.config.MAX_DISPLAY_NAME_CHARS) || null },
      to: body.to ?? null,
      subject: singleLine(body.subject, deps.config.MAX_SUBJECT_CHARS),
      text: body.text,
      headers: {},
      attachments: [],
      // The JSON body is the message, and the ticket holds all of it: no second copy in raw_messages.
      raw: null,
      guardReason: null,
    },
    deps,
  );
  return c.json({ ticket_id: ticket.id, status: ticket.status, duplicate: !created }, created ? 202 : 200);
});

api.openapi(getTicket, async (c) => {
  const ticket = await findTicket(c.var.deps.db, c.req.valid('param').id);
  if (!ticket) throw new AppError('not_found', 404, 'No such ticket');
  return c.json(await ticketView(c.var.deps, ticket), 200);
});

api.openapi(findByMessageId, async (c) => {
  const messageId = normalizeMessageId(c.req.valid('query').message_id);
  const ticket = messageId ? await findTicketByMessageId(c.var.deps.db, messageId) : undefined;
  if (!ticket) throw new AppError('not_found', 404, 'No ticket has this Message-ID');
  return c.json(await ticketView(c.var.deps, ticket), 200);
});
