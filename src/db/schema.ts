// The D1 data model. Times are epoch milliseconds; lists and
// structured evidence are JSON text so one decision row is a whole audit record.
import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

import { DELIVERY_KINDS, DELIVERY_STATUSES, FEEDBACK_VERDICTS, OUTCOMES, ROLLOUT_MODES, TICKET_SOURCES, TICKET_STATUSES } from '../domain';

// The vocabularies live in the domain module (decide/ and ingest/ read them without storage); re-exported for db/ callers.
export * from '../domain';


const json = <T>(name: string) => text(name, { mode: 'json' }).$type<T>();

export const tickets = sqliteTable(
  'tickets',
  {
    id: text('id').primaryKey(),
    source: text('source', { enum: TICKET_SOURCES }).notNull(),
    messageId: text('message_id').notNull(),
    inReplyTo: text('in_reply_to'),
    references: json<string[]>('references').notNull().default(sql`'[]'`),
    threadId: text('thread_id').notNull(),
    fromAddress: text('from_address').notNull(),
    fromName: text('from_name'),
    toAddress: text('to_address'),
    subject: text('subject').notNull().default(''),
    bodyText: text('body_text').notNull().default(''),
    /** What the customer sent before quote/signature stripping (capped); null when it equals body_text. The checks read it. */
    bodyUnstripped: text('body_unstripped'),
    /** The receiving service's SPF/DKIM/DMARC verdict: true passed, false failed, null none recorded. */
    senderAuthenticated: integer('sender_authenticated', { mode: 'boolean' }),
    /** The sender as the per-sender caps count it: lower case, `+tag` removed (see senderKey in ticket.ts). */
    senderKey: text('sender_key'),
    headers: json<Record<string, string>>('headers').notNull().default(sql`'{}'`),
    attachments: json<{ filename: string | null; mimeType: string; size: number }[]>('attachments')
      .notNull()
      .default(sql`'[]'`),
    rawRef: text('raw_ref'),
    status: text('status', { enum: TICKET_STATUSES }).notNull().default('received'),
    guardReason: text('guard_reason'),
    owner: text('owner'),
    attempts: integer('attempts').notNull().default(0),
    leaseUntil: integer('lease_until'),
    lastError: text('last_error'),
    receivedAt: integer('received_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    uniqueIndex('tickets_message_id_unique').on(t.messageId),
    index('tickets_thread_idx').on(t.threadId),
    index('tickets_sender_idx').on(t.fromAddress, t.receivedAt),
    index('tickets_sender_key_idx').on(t.senderKey, t.receivedAt),
    index('tickets_status_idx').on(t.status, t.leaseUntil),
  ],
);

/** The original message as received, kept for the audit (D1 caps a row at 2 MB; see config MAX_RAW_BYTES). */
export const rawMessages = sqliteTable('raw_messages', {
  ticketId: text('ticket_id')
    .primaryKey()
    .references(() => tickets.id),
  contentType: text('content_type').notNull(),
  body: text('body').notNull(),
  size: integer('size').notNull(),
  truncated: integer('truncated', { mode: 'boolean' }).notNull().default(false),
});

export type RetrievedChunkEvidence = {
  chunkId: string;
  docId: string;
  title: string;
  url: string | null;
  score: number;
  lexicalRank: number | null;
  lexicalScore: number | null;
  vectorRank: number | null;
  vectorScore: number | null;
};

export type ModelCall = {
  model: string;
  role: 'fast' | 'strong' | 'offline';
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  costUsd: number;
  latencyMs: number;
  outcome: 'ok' | 'refused' | 'schema_invalid' | 'error';
  /** The confidence this call's draft reported (the cascade's audit trail). */
  confidence?: number | null;
};

export const decisions = sqliteTable(
  'decisions',
  {
    id: text('id').primaryKey(),
    ticketId: text('ticket_id')
      .notNull()
      .references(() => tickets.id),
    outcome: text('outcome', { enum: OUTCOMES }).notNull(),
    reasons: json<string[]>('reasons').notNull(),
    modelConfidence: real('model_confidence'),
    confidence: real('confidence'),
    /** The calibration that turned the evidence into `confidence` (shipped fit hash or refit id). */
    calibrationVersion: text('calibration_version'),
    /** The evidence the calibration saw: what a refit learns from. */
    confidenceFeatures: json<Record<string, number>>('confidence_features'),
    thresholds: json<{ autoReply: number; review: number }>('thresholds').notNull(),
    intent: text('intent'),
    /** The type the policy routed on (request-types.ts), the classifier's own opinion and Claude's. */
    requestType: text('request_type'),
    classifierType: text('classifier_type'),
    classifierProbability: real('classifier_probability'),
    /** The six person-needed types together: what escalates (≥ 0.25) or holds a how_to (≥ 0.2). */
    classifierPersonProbability: real('classifier_person_probability'),
    classifierVersion: text('classifier_version'),
    claudeType: text('claude_type'),
    suggestedReply: text('suggested_reply'),
    language: text('language'),
    docSources: json<string[]>('doc_sources').notNull().default(sql`'[]'`),
    retrieved: json<RetrievedChunkEvidence[]>('retrieved').notNull().default(sql`'[]'`),
    retriever: text('retriever'),
    corpusVersion: text('corpus_version'),
    responder: text('responder'),
    modelCalls: json<ModelCall[]>('model_calls').notNull().default(sql`'[]'`),
    tokensIn: integer('tokens_in').notNull().default(0),
    tokensOut: integer('tokens_out').notNull().default(0),
    costUsd: real('cost_usd').notNull().default(0),
    latencyMs: json<Record<string, number>>('latency_ms').notNull().default(sql`'{}'`),
    decidedAt: integer('decided_at').notNull(),
    /** The rollout mode the decision ran in (null: decided before modes existed, i.e. auto). */
    mode: text('mode', { enum: ROLLOUT_MODES }),
    /** What the policy would have done; `outcome` is what the mode let it do. */
    policyOutcome: text('policy_outcome', { enum: OUTCOMES }),
  },
  (t) => [
    uniqueIndex('decisions_ticket_unique').on(t.ticketId),
    index('decisions_outcome_idx').on(t.outcome, t.decidedAt),
    index('decisions_request_type_idx').on(t.requestType, t.decidedAt),
  ],
);

export const deliveries = sqliteTable(
  'deliveries',
  {
    id: text('id').primaryKey(),
    ticketId: text('ticket_id')
      .notNull()
      .references(() => tickets.id),
    kind: text('kind', { enum: DELIVERY_KINDS }).notNull(),
    status: text('status', { enum: DELIVERY_STATUSES }).notNull().default('queued'),
    channel: text('channel'),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    providerId: text('provider_id'),
    /** What was (or would have been) sent: the MIME for mail, the JSON for Slack. */
    payload: text('payload'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
    sentAt: integer('sent_at'),
  },
  (t) => [uniqueIndex('deliveries_ticket_kind_unique').on(t.ticketId, t.kind), index('deliveries_status_idx').on(t.status)],
);

export const feedback = sqliteTable(
  'feedback',
  {
    id: text('id').primaryKey(),
    ticketId: text('ticket_id')
      .notNull()
      .references(() => tickets.id),
    decisionId: text('decision_id').references(() => decisions.id),
    verdict: text('verdict', { enum: FEEDBACK_VERDICTS }).notNull(),
    editedText: text('edited_text'),
    /** The request type a reviewer confirmed or corrected (a training example for `npm run train -- --feedback`). */
    requestType: text('request_type'),
    actor: text('actor').notNull(),
    /** `customer`: read from the customer's follow-up in the thread (issue 16). */
    channel: text('channel', { enum: ['slack', 'console', 'api', 'customer'] }).notNull(),
    /** The follow-up ticket a `customer` verdict was read from: one verdict per follow-up. */
    sourceTicketId: text('source_ticket_id'),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [index('feedback_ticket_idx').on(t.ticketId), uniqueIndex('feedback_source_ticket_unique').on(t.sourceTicketId)],
);

export const corpusVersions = sqliteTable('corpus_versions', {
  version: text('version').primaryKey(),
  status: text('status', { enum: ['loading', 'complete'] }).notNull().default('loading'),
  active: integer('active', { mode: 'boolean' }).notNull().default(false),
  embeddingModel: text('embedding_model'),
  dimensions: integer('dimensions'),
  chunker: json<Record<string, number>>('chunker').notNull(),
  docCount: integer('doc_count').notNull().default(0),
  chunkCount: integer('chunk_count').notNull().default(0),
  vectorized: integer('vectorized', { mode: 'boolean' }).notNull().default(false),
  createdAt: integer('created_at').notNull(),
  activatedAt: integer('activated_at'),
});

export const documents = sqliteTable(
  'documents',
  {
    version: text('version').notNull(),
    docId: text('doc_id').notNull(),
    title: text('title').notNull(),
    url: text('url'),
    contentHash: text('content_hash').notNull(),
  },
  (t) => [primaryKey({ columns: [t.version, t.docId] })],
);

/** Integer rowid so that the FTS5 external-content table (migration 0001) can point at it. */
export const chunks = sqliteTable(
  'chunks',
  {
    rowid: integer('id').primaryKey({ autoIncrement: true }),
    version: text('version').notNull(),
    chunkId: text('chunk_id').notNull(),
    docId: text('doc_id').notNull(),
    title: text('title').notNull(),
    headingPath: text('heading_path').notNull().default(''),
    url: text('url'),
    text: text('text').notNull(),
    tokenCount: integer('token_count').notNull(),
    position: integer('position').notNull(),
  },
  (t) => [uniqueIndex('chunks_version_chunk_unique').on(t.version, t.chunkId), index('chunks_doc_idx').on(t.version, t.docId)],
);

/** Mailgun tokens (and any other nonce) seen inside the replay window. */
export const webhookReplays = sqliteTable(
  'webhook_replays',
  {
    provider: text('provider').notNull(),
    nonce: text('nonce').notNull(),
    seenAt: integer('seen_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.provider, t.nonce] })],
);

/**
 * Console sessions on the server side: the signed cookie names a row here, and a
 * session is valid only while its row is not revoked (logout revokes it). The
 * token fingerprint ties it to the ADMIN_TOKEN that signed it, so rotation ends it too.
 */
export const consoleSessions = sqliteTable('console_sessions', {
  id: text('id').primaryKey(),
  actor: text('actor').notNull(),
  tokenFingerprint: text('token_fingerprint').notNull(),
  createdAt: integer('created_at').notNull(),
  expiresAt: integer('expires_at').notNull(),
  revokedAt: integer('revoked_at'),
});

/** Calibration parameters refit from human feedback; the newest row wins over config defaults. */
export const calibrations = sqliteTable(
  'calibrations',
  {
    id: text('id').primaryKey(),
    params: json<unknown>('params').notNull(),
    sampleSize: integer('sample_size').notNull(),
    fittedAt: integer('fitted_at').notNull(),
    /** A refused refit is kept, with why, so the console can show it; only `accepted` rows are ever in force. */
    status: text('status', { enum: ['accepted', 'refused'] }).notNull().default('accepted'),
    reason: text('reason'),
    /** Held-out precision/automation of the current and the candidate parameters at the threshold. */
    heldOut: json<Record<string, number | null>>('held_out'),
  },
  // Every decision reads the newest accepted row: found from the index, not by sorting every refit.
  (t) => [index('calibrations_status_fitted_idx').on(t.status, t.fittedAt)],
);

/** The mode set for a support address and/or request type; `*` stands for any (see rollout/modes.ts). */
export const rolloutModes = sqliteTable(
  'rollout_modes',
  {
    address: text('address').notNull(),
    requestType: text('request_type').notNull(),
    mode: text('mode', { enum: ROLLOUT_MODES }).notNull(),
    updatedBy: text('updated_by').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.address, t.requestType] })],
);

/** Every mode change, kept: who, which scope, from → to (null: the default), when. */
export const rolloutModeChanges = sqliteTable(
  'rollout_mode_changes',
  {
    id: text('id').primaryKey(),
    address: text('address').notNull(),
    requestType: text('request_type').notNull(),
    fromMode: text('from_mode', { enum: ROLLOUT_MODES }),
    toMode: text('to_mode', { enum: ROLLOUT_MODES }),
    actor: text('actor').notNull(),
    changedAt: integer('changed_at').notNull(),
  },
  (t) => [index('rollout_mode_changes_at_idx').on(t.changedAt)],
);
/** A replayed past ticket (source `replay`): what a person actually answered, beside deflect's draft. */
export const replays = sqliteTable('replays', {
  ticketId: text('ticket_id')
    .primaryKey()
    .references(() => tickets.id),
  /** The id the history file gave it: a second replay of the same file finds the same ticket. */
  historyId: text('history_id').notNull(),
  humanReply: text('human_reply').notNull(),
  /** The request type the history labelled it with, if any (compared with deflect's own in the report). */
  labelledType: text('labelled_type'),
  replayedAt: integer('replayed_at').notNull(),
});
