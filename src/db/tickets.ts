// Ticket rows: insert-once by Message-ID, and lease-based claims so concurrent
// queue deliveries and the cron sweep never run the pipeline twice at once.
import { and, asc, eq, fillPlaceholders, getTableColumns, gt, inArray, is, lt, or, SQL, sql } from 'drizzle-orm';
import type { SQLiteTable } from 'drizzle-orm/sqlite-core';
import { StorageUnavailableError } from '../errors';
import { newId, senderKey, type TicketDraft } from '../ticket';
import { preparedOnce, type Database } from './client';
import type { DecisionRow } from './decisions';
import { modeRulesArray, modeRulesFrom, type ModeRuleOf } from './modes';
import { placeholderValues, qualified, rowFromObject, rowFromStored, rowObject } from './rows';
import { decisions, rawMessages, tickets, type TicketStatus } from './schema';

export type TicketRow = typeof tickets.$inferSelect;

export type StoreResult = { ticket: TicketRow; created: boolean };

/** What the one ingest batch decides in SQL, against the rows as they are at that moment. */
export type StoreOptions = {
  now: number;
  maxRawBytes: number;
  /** The thread, when the caller knows it; otherwise resolved from `references` in the insert. */
  threadId?: string;
  /** Message-IDs this one refers to: the thread is the first stored one's thread. */
  references?: string[];
  /** The per-sender ticket cap: over `limit` tickets since `since`, the ticket is stored ignored with `reason`. */
  senderCap?: { limit: number; since: number; reason: string };
  /** An ignored ticket's audit decision, written in the same batch. */
  ignoreDecision?: { id: string; thresholds: { autoReply: number; review: number } };
};

/**
 * Store a ticket unless its Message-ID is already stored, in one D1 batch (one round
 * trip, one transaction): the sender-cap count, the thread lookup, the ticket, its raw
 * copy and an ignored ticket's decision all land together or not at all. Returns the
 * stored row either way: a provider's retry gets the first ticket back, never a second.
 */
export async function storeTicket(db: Database, draft: TicketDraft & { messageId: string }, options: StoreOptions): Promise<StoreResult> {
  const id = newId('tkt');
  const row = ticketValues(id, draft, options);
  const shape = storeShape(draft, options, row);
  // Rendering the batch's SQL was most of ingest's own JavaScript: each shape is rendered once per client, and bound per ticket.
  const statements = preparedOnce(db, `storeTicket:${JSON.stringify(shape)}`, () => storeStatements(db, shape));
  const raw = draft.raw ? rawCopyOf(draft.raw, options.maxRawBytes) : null;
  const cap = options.senderCap;
  const references = (options.references ?? []).slice(-MAX_THREAD_REFERENCES);
  const values: Record<string, unknown> = {
    ...placeholderValues(tickets, row),
    ...Object.fromEntries(references.map((r, i) => [`reference${i}`, r])),
    firstReference: options.references?.[0] ?? null,
    capSenderKey: senderKey(draft.from.address),
    capSince: cap?.since ?? null,
    capLimit: cap?.limit ?? null,
    capReason: cap?.reason ?? null,
    rawContentType: raw?.contentType ?? null,
    rawBody: raw?.body ?? null,
    rawSize: raw?.size ?? null,
    rawTruncated: raw?.truncated ? 1 : 0,
    decisionId: options.ignoreDecision?.id ?? null,
    decisionThresholds: options.ignoreDecision ? JSON.stringify(options.ignoreDecision.thresholds) : null,
    now: options.now,
  };
  const results = await db.$client.batch(statements.map((s) => s.statement.bind(...fillPlaceholders(s.params, values))));
  const stored = rowFromStored(tickets, results.at(-1)?.results[0] as Record<string, unknown> | undefined);
  if (!stored) throw new Error(`ticket ${draft.messageId} was neither stored nor found`);
  return { ticket: stored, created: stored.id === id };
}

/** The References a new ticket's thread is looked up by: the most recent ones. */
const MAX_THREAD_REFERENCES = 50;

type NewTicket = typeof tickets.$inferInsert;

/** The ticket's column values as its insert binds them (the thread, status and guard reason are SQL in some shapes). */
function ticketValues(id: string, draft: TicketDraft & { messageId: string }, options: StoreOptions): NewTicket {
  return {
    id,
    source: draft.source,
    messageId: draft.messageId,
    inReplyTo: draft.inReplyTo,
    references: draft.references,
    threadId: options.threadId ?? draft.messageId,
    fromAddress: draft.from.address,
    fromName: draft.from.name,
    toAddress: draft.to,
    subject: draft.subject,
    bodyText: draft.text,
    bodyUnstripped: draft.unstripped ?? null,
    senderAuthenticated: draft.senderAuthenticated ?? null,
    senderKey: senderKey(draft.from.address),
    headers: draft.headers,
    attachments: draft.attachments,
    rawRef: draft.raw ? `d1:raw_messages/${id}` : null,
    status: draft.guardReason ? 'ignored' : 'received',
    guardReason: draft.guardReason,
    receivedAt: options.now,
    updatedAt: options.now,
  };
}

/** What decides the batch's SQL text, never a value. */
type StoreShape = {
  /** The columns the insert names; those left undefined get their default, as drizzle renders it. */
  columns: (keyof NewTicket)[];
  missing: (keyof NewTicket)[];
  guard: 'given' | 'capped' | 'none';
  status: 'ignored' | 'capped' | 'received';
  /** The thread: given, the ticket's own Message-ID, or looked up by this many references. */
  thread: 'given' | 'own' | number;
  raw: boolean;
  ignoreDecision: boolean;
};

function storeShape(draft: TicketDraft, options: StoreOptions, row: NewTicket): StoreShape {
  const capped = Boolean(options.senderCap && options.senderCap.limit !== 0);
  const references = Math.min(MAX_THREAD_REFERENCES, options.references?.length ?? 0);
  const columns = Object.keys(row) as (keyof NewTicket)[];
  return {
    columns,
    missing: columns.filter((k) => row[k] === undefined),
    guard: draft.guardReason !== null && draft.guardReason !== undefined ? 'given' : capped ? 'capped' : 'none',
    status: draft.guardReason ? 'ignored' : capped ? 'capped' : 'received',
    thread: options.threadId !== null && options.threadId !== undefined ? 'given' : references === 0 ? 'own' : references,
    raw: Boolean(draft.raw),
    ignoreDecision: Boolean(options.ignoreDecision),
  };
}

/** The batch's statements of one shape, values as placeholders (`storeTicket` names them), each prepared on the binding. */
function storeStatements(db: Database, shape: StoreShape) {
  const p = (name: string) => sql`${sql.placeholder(name)}`;
  const id = p('id');
  // The sender cap, counted before this insert (so the cap-th ticket is the last one run) over the normalised
  // sender (`flood+53@` is `flood@`); replayed history is not mail from the sender today: it does not spend the cap.
  const overCap = sql`(SELECT count(*) FROM tickets WHERE sender_key = ${p('capSenderKey')} AND received_at >= ${p('capSince')} AND source != 'replay') >= ${p('capLimit')}`;
  // The thread of the first stored ticket this message refers to, else the first reference, else its own id.
  const threadId =
    shape.thread === 'given' || shape.thread === 'own'
      ? p(shape.thread === 'given' ? 'threadId' : 'messageId')
      : sql`COALESCE((SELECT thread_id FROM tickets WHERE message_id IN (${sql.join(Array.from({ length: shape.thread }, (_, i) => p(`reference${i}`)), sql`, `)}) LIMIT 1), ${p('firstReference')})`;
  const values = Object.fromEntries(shape.columns.map((k) => [k, shape.missing.includes(k) ? undefined : p(k)])) as Record<keyof NewTicket, SQL>;
  const insertTicket = db
    .insert(tickets)
    .values({
      ...values,
      threadId,
      status: shape.status === 'capped' ? sql`CASE WHEN ${overCap} THEN 'ignored' ELSE 'received' END` : p('status'),
      guardReason: shape.guard === 'capped' ? sql`CASE WHEN ${overCap} THEN ${p('capReason')} END` : shape.guard === 'given' ? p('guardReason') : null,
    })
    .onConflictDoNothing({ target: tickets.messageId });
  // Both follow-ups write only if this batch inserted the ticket (its id is new): a duplicate adds nothing.
  const insertRaw = shape.raw
    ? db
        .insert(rawMessages)
        .select(sql`SELECT ${id}, ${p('rawContentType')}, ${p('rawBody')}, ${p('rawSize')}, ${p('rawTruncated')} WHERE EXISTS (SELECT 1 FROM tickets WHERE id = ${id})`)
    : null;
  // Only the audit fields (no model ran); every other column gets its schema default, so a new decisions column needs nothing here.
  const insertIgnore = shape.ignoreDecision
    ? db.insert(decisions).select(
        sql`SELECT ${columnsWithDefaults(decisions, {
          id: p('decisionId'),
          ticketId: sql`id`,
          outcome: sql`'ignore'`,
          reasons: sql`json_array(guard_reason)`,
          thresholds: p('decisionThresholds'),
          decidedAt: p('now'),
        })} FROM tickets WHERE id = ${id} AND status = 'ignored' AND guard_reason IS NOT NULL`,
      )
    : null;
  const readBack = db.select().from(tickets).where(eq(tickets.messageId, p('messageId'))).limit(1);
  return [insertTicket, insertRaw, insertIgnore, readBack]
    .filter((q) => q !== null)
    .map((q) => {
      const { sql: text, params } = q.toSQL();
      return { params, statement: db.$client.prepare(text) };
    });
}

function rawCopyOf(raw: NonNullable<TicketDraft['raw']>, maxRawBytes: number) {
  const bytes = new TextEncoder().encode(raw.body);
  const truncated = bytes.length > maxRawBytes;
  return { contentType: raw.contentType, body: truncated ? new TextDecoder().decode(bytes.slice(0, maxRawBytes)) : raw.body, size: bytes.length, truncated };
}

export async function findTicket(db: Database, id: string): Promise<TicketRow | undefined> {
  return db.query.tickets.findFirst({ where: eq(tickets.id, id) });
}

export async function findTicketByMessageId(db: Database, messageId: string): Promise<TicketRow | undefined> {
  return db.query.tickets.findFirst({ where: eq(tickets.messageId, messageId) });
}

const CLAIMABLE: TicketStatus[] = ['received', 'pending', 'decided'];

/**
 * Take the ticket for one pipeline run. Succeeds for a waiting ticket, or for one
 * whose previous run's lease expired (that run crashed); otherwise someone else
 * has it, or it is finished, and the caller does nothing.
 */
export async function claimTicket(db: Database, id: string, now: number, leaseMs: number): Promise<TicketRow | undefined> {
  const query = preparedOnce(db, 'claimTicket', () => claim(db).returning().prepare());
  const [claimed] = await query.all({ id, now, leaseUntil: now + leaseMs });
  return claimed;
}

/** A claimed run's ticket, with what the run reads before deciding. */
export type ClaimedRun = {
  ticket: TicketRow;
  /** An earlier run's decision (it crashed after recording it): not decided again. */
  decision: DecisionRow | undefined;
  /** The rollout modes in force at the claim. */
  modeRules: ModeRuleOf[];
};

/**
 * claimTicket, returning in the same statement the ticket's decision (if any) and the
 * rollout modes in force: the run's first statement is its only read before retrieval.
 */
export async function claimTicketRun(db: Database, id: string, now: number, leaseMs: number): Promise<ClaimedRun | undefined> {
  const query = preparedOnce(db, 'claimTicketRun', () =>
    claim(db)
      .returning({
        ...getTableColumns(tickets),
        decisionRow: sql<string | null>`(SELECT ${rowObject(decisions)} FROM ${decisions} WHERE ${qualified(decisions.ticketId)} = ${qualified(tickets.id)})`,
        modeRules: modeRulesArray(),
      })
      .prepare(),
  );
  const [claimed] = await query.all({ id, now, leaseUntil: now + leaseMs });
  if (!claimed) return undefined;
  const { decisionRow, modeRules, ...ticket } = claimed;
  return { ticket, decision: rowFromObject(decisions, decisionRow), modeRules: modeRulesFrom(modeRules) };
}

/** The claim, its values as placeholders: `id`, `now`, `leaseUntil`. */
function claim(db: Database) {
  const now = sql.placeholder('now');
  return db
    .update(tickets)
    .set({ status: 'processing', leaseUntil: sql`${sql.placeholder('leaseUntil')}`, attempts: sql`${tickets.attempts} + 1`, updatedAt: sql`${now}` })
    .where(
      and(
        eq(tickets.id, sql.placeholder('id')),
        or(inArray(tickets.status, CLAIMABLE), and(eq(tickets.status, 'processing'), lt(tickets.leaseUntil, now))),
      ),
    );
}

export async function setTicketStatus(
  db: Database,
  id: string,
  status: TicketStatus,
  now: number,
  extra: { lastError?: string | null; owner?: string | null } = {},
): Promise<void> {
  // Built once per client for each set of extra columns (undefined ones are not written, as in drizzle's set).
  const given = (['lastError', 'owner'] as const).filter((k) => extra[k] !== undefined);
  const statement = preparedOnce(db, `setTicketStatus:${given.join(',')}`, () =>
    db
      .update(tickets)
      .set({ status: sql`${sql.placeholder('status')}`, leaseUntil: null, updatedAt: sql`${sql.placeholder('now')}`, ...Object.fromEntries(given.map((k) => [k, sql`${sql.placeholder(k)}`])) })
      .where(eq(tickets.id, sql.placeholder('id')))
      .prepare(),
  );
  await statement.run({ id, status, now, ...Object.fromEntries(given.map((k) => [k, extra[k]])) });
}

/** Tickets whose run never finished: waiting too long, or processing past the lease. Oldest first, a page at a time after `after`. */
export async function findStuckTickets(
  db: Database,
  now: number,
  olderThanMs: number,
  limit = 100,
  after?: { updatedAt: number; id: string },
): Promise<TicketRow[]> {
  return db
    .select()
    .from(tickets)
    .where(
      and(
        or(
          and(inArray(tickets.status, ['received', 'pending', 'decided']), lt(tickets.updatedAt, now - olderThanMs)),
          and(eq(tickets.status, 'processing'), lt(tickets.leaseUntil, now)),
        ),
        after ? or(gt(tickets.updatedAt, after.updatedAt), and(eq(tickets.updatedAt, after.updatedAt), gt(tickets.id, after.id))) : undefined,
      ),
    )
    .orderBy(asc(tickets.updatedAt), asc(tickets.id))
    .limit(limit);
}

/** A person takes the ticket (and so its thread) over from the auto-responder. */
export async function setTicketOwner(db: Database, id: string, owner: string, now: number): Promise<void> {
  await db.update(tickets).set({ owner, updatedAt: now }).where(eq(tickets.id, id));
}

/**
 * The select list of an INSERT … SELECT into `table`: drizzle names every column in
 * schema order, so each one gets the given value, else its default, else NULL.
 */
function columnsWithDefaults<T extends SQLiteTable>(table: T, values: Partial<Record<keyof T['$inferInsert'], SQL>>): SQL {
  const list = Object.entries(getTableColumns(table)).map(([key, column]) => {
    const given = values[key as keyof T['$inferInsert']];
    if (given) return given;
    if (column.default === undefined) return sql`NULL`;
    return is(column.default, SQL) ? column.default : sql`${column.default}`;
  });
  return sql.join(list, sql`, `);
}
