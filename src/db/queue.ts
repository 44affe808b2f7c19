// The console queue: tickets with their decision, searchable, in pages that a
// cursor continues (an offset would skip or repeat rows as tickets arrive).
import { and, desc, eq, gte, isNull, lt, or, sql, type SQL } from 'drizzle-orm';
import { base64urlDecode, base64urlEncode, utf8Bytes } from '../security/encoding';
import type { Database } from './client';
import { decisions, tickets, type FeedbackVerdict, type Outcome } from './schema';

export type QueueView = 'waiting' | 'all';

export type QueueFilters = {
  /** `waiting`: review or escalate with no human action yet; `all`: every ticket. */
  view: QueueView;
  outcome?: Outcome;
  reason?: string;
  requestType?: string;
  from?: number;
  to?: number;
  /** Subject, sender or text contain it; or it is the ticket id or Message-ID. */
  search?: string;
  /** `mine`: taken over by `actor`; `unassigned`: nobody took it. */
  owner?: 'mine' | 'unassigned';
  actor?: string;
};

export type QueueRow = {
  ticketId: string;
  subject: string;
  fromAddress: string;
  preview: string;
  status: string;
  owner: string | null;
  receivedAt: number;
  outcome: Outcome | null;
  reasons: string[];
  confidence: number | null;
  verdict: FeedbackVerdict | null;
};

export type QueuePage = { rows: QueueRow[]; nextCursor: string | null };

const PREVIEW_CHARS = 160;

/** Waiting for a person first (review, then escalate), then the rest; newest first within each. */
const priority = sql<number>`CASE ${decisions.outcome} WHEN 'review' THEN 0 WHEN 'escalate' THEN 1 ELSE 2 END`;
const latestVerdict = sql<FeedbackVerdict | null>`(SELECT f.verdict FROM feedback f WHERE f.ticket_id = ${tickets.id} ORDER BY f.created_at DESC, f.id DESC LIMIT 1)`;
const noHumanYet = sql`NOT EXISTS (SELECT 1 FROM feedback f WHERE f.ticket_id = ${tickets.id})`;

type Cursor = { priority: number; receivedAt: number; id: string };

export function encodeCursor(cursor: Cursor): string {
  return base64urlEncode(utf8Bytes(JSON.stringify([cursor.priority, cursor.receivedAt, cursor.id])));
}

/** The position a page ended at, or null for anything that is not one of ours. */
export function decodeCursor(text: string): Cursor | null {
  try {
    const value: unknown = JSON.parse(new TextDecoder().decode(base64urlDecode(text)));
    if (!Array.isArray(value) || value.length !== 3) return null;
    const [p, at, id] = value as unknown[];
    if (typeof p !== 'number' || typeof at !== 'number' || typeof id !== 'string') return null;
    return { priority: p, receivedAt: at, id };
  } catch {
    return null;
  }
}

function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
}

function conditionsOf(filters: QueueFilters): SQL[] {
  const conditions: SQL[] = [];
  if (filters.view === 'waiting') conditions.push(sql`${decisions.outcome} IN ('review', 'escalate')`, noHumanYet, isNull(tickets.owner));
  if (filters.outcome) conditions.push(eq(decisions.outcome, filters.outcome));
  if (filters.requestType) conditions.push(eq(decisions.requestType, filters.requestType));
  if (filters.reason) conditions.push(sql`EXISTS (SELECT 1 FROM json_each(${decisions.reasons}) WHERE value = ${filters.reason})`);
  if (filters.from !== undefined) conditions.push(gte(tickets.receivedAt, filters.from));
  if (filters.to !== undefined) conditions.push(lt(tickets.receivedAt, filters.to));
  if (filters.owner === 'mine') conditions.push(eq(tickets.owner, filters.actor ?? ''));
  if (filters.owner === 'unassigned') conditions.push(isNull(tickets.owner));
  const search = filters.search?.trim();
  if (search) {
    const like = likePattern(search.toLowerCase());
    const id = search.replace(/^<|>$/g, '');
    conditions.push(
      or(
        eq(tickets.id, id),
        eq(tickets.messageId, id),
        sql`lower(${tickets.subject}) LIKE ${like} ESCAPE '\\'`,
        sql`lower(${tickets.fromAddress}) LIKE ${like} ESCAPE '\\'`,
        sql`lower(coalesce(${tickets.fromName}, '')) LIKE ${like} ESCAPE '\\'`,
        sql`lower(${tickets.bodyText}) LIKE ${like} ESCAPE '\\'`,
      )!,
    );
  }
  return conditions;
}

export async function listQueuePage(db: Database, filters: QueueFilters, limit: number, cursor: Cursor | null = null): Promise<QueuePage> {
  const conditions = conditionsOf(filters);
  if (cursor) {
    conditions.push(
      sql`(${priority} > ${cursor.priority}
        OR (${priority} = ${cursor.priority} AND ${tickets.receivedAt} < ${cursor.receivedAt})
        OR (${priority} = ${cursor.priority} AND ${tickets.receivedAt} = ${cursor.receivedAt} AND ${tickets.id} < ${cursor.id}))`,
    );
  }
  const rows = await db
    .select({
      ticketId: tickets.id,
      subject: tickets.subject,
      fromAddress: tickets.fromAddress,
      preview: sql<string>`substr(${tickets.bodyText}, 1, ${PREVIEW_CHARS})`,
      status: tickets.status,
      owner: tickets.owner,
      receivedAt: tickets.receivedAt,
      outcome: decisions.outcome,
      reasons: sql<string[]>`coalesce(${decisions.reasons}, '[]')`.mapWith((v: string) => JSON.parse(v) as string[]),
      confidence: decisions.confidence,
      verdict: latestVerdict,
      priority,
    })
    .from(tickets)
    .leftJoin(decisions, eq(decisions.ticketId, tickets.id))
    .where(and(...conditions))
    .orderBy(priority, desc(tickets.receivedAt), desc(tickets.id))
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  const nextCursor = rows.length > limit && last ? encodeCursor({ priority: last.priority, receivedAt: last.receivedAt, id: last.ticketId }) : null;
  return { rows: page.map(({ priority: _priority, ...row }) => ({ ...row, preview: row.preview.replace(/\s+/g, ' ').trim() })), nextCursor };
}
