// Ticket rows: insert-once by Message-ID, and lease-based claims so concurrent
// queue deliveries and the cron sweep never run the pipeline twice at once.
import { and, asc, eq, getTableColumns, gt, inArray, is, lt, or, SQL, sql } from 'drizzle-orm';
import type { SQLiteTable } from 'drizzle-orm/sqlite-core';
import { StorageUnavailableError } from '../errors';
import { newId, senderKey, type TicketDraft } from '../ticket';
import { preparedOnce, type Database } from './client';
import type { DecisionRow } from './decisions';
import { modeRulesArray, modeRulesFrom, type ModeRuleOf } from './modes';
import { qualified, rowFromObject, rowObject } from './rows';
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
  const overCap = capExceeded(draft.from.address, options.senderCap);
  const guardReason = draft.guardReason ?? (overCap ? sql<string | null>`CASE WHEN ${overCap} THEN ${options.senderCap!.reason} END` : null);
  const status = draft.guardReason ? 'ignored' : overCap ? sql<TicketStatus>`CASE WHEN ${overCap} THEN 'ignored' ELSE 'received' END` : 'received';
  const insertTicket = db
    .insert(tickets)
    .values({
      id,
      source: draft.source,
      messageId: draft.messageId,
      inReplyTo: draft.inReplyTo,
      references: draft.references,
      threadId: options.threadId ?? threadOf(draft.messageId, options.references ?? []),
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
      status,
      guardReason,
      receivedAt: options.now,
      updatedAt: options.now,
    })
    .onConflictDoNothing({ target: tickets.messageId });
  // Both follow-ups write only if this batch inserted the ticket (its id is new): a duplicate adds nothing.
  const raw = draft.raw ? rawCopyOf(draft.raw, options.maxRawBytes) : null;
  const insertRaw = raw
    ? db
        .insert(rawMessages)
        .select(sql`SELECT ${id}, ${raw.contentType}, ${raw.body}, ${raw.size}, ${raw.truncated ? 1 : 0} WHERE EXISTS (SELECT 1 FROM tickets WHERE id = ${id})`)
    : null;
  const decision = options.ignoreDecision;
  // Only the audit fields (no model ran); every other column gets its schema default, so a new decisions column needs nothing here.
  const insertIgnore = decision
    ? db.insert(decisions).select(
        sql`SELECT ${columnsWithDefaults(decisions, {
          id: sql`${decision.id}`,
          ticketId: sql`id`,
          outcome: sql`'ignore'`,
          reasons: sql`json_array(guard_reason)`,
          thresholds: sql`${JSON.stringify(decision.thresholds)}`,
          decidedAt: sql`${options.now}`,
        })} FROM tickets WHERE id = ${id} AND status = 'ignored' AND guard_reason IS NOT NULL`,
      )
    : null;
  const readBack = db.select().from(tickets).where(eq(tickets.messageId, draft.messageId)).limit(1);
  const writes = [insertRaw, insertIgnore].filter((q) => q !== null);
  const results = await db.batch([insertTicket, ...writes, readBack]);
  const stored = (results.at(-1) as TicketRow[])[0];
  if (!stored) throw new Error(`ticket ${draft.messageId} was neither stored nor found`);
  return { ticket: stored, created: stored.id === id };
}

/**
 * The sender-cap condition as SQL: counted before this insert, so the cap-th ticket is
 * the last one run. It counts the normalised sender, so `flood+53@` is `flood@`.
 */
function capExceeded(address: string, cap: StoreOptions['senderCap']) {
  if (!cap || cap.limit === 0) return null;
  // Replayed history is not mail from the sender today: it does not spend their cap.
  return sql`(SELECT count(*) FROM tickets WHERE sender_key = ${senderKey(address)} AND received_at >= ${cap.since} AND source != 'replay') >= ${cap.limit}`;
}

/** The thread of the first stored ticket this message refers to, else the first reference, else its own id. */
function threadOf(messageId: string, referenced: string[]) {
  if (referenced.length === 0) return messageId;
  const recent = referenced.slice(-50);
  return sql<string>`COALESCE((SELECT thread_id FROM tickets WHERE message_id IN (${sql.join(recent.map((r) => sql`${r}`), sql`, `)}) LIMIT 1), ${referenced[0]!})`;
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
  await db
    .update(tickets)
    .set({ status, leaseUntil: null, updatedAt: now, ...extra })
    .where(eq(tickets.id, id));
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
