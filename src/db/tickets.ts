// Ticket rows: insert-once by Message-ID, and lease-based claims so concurrent
// queue deliveries and the cron sweep never run the pipeline twice at once.
import { and, eq, inArray, lt, or, sql } from 'drizzle-orm';
import { errorSummary } from '../log';
import { newId, senderKey, type TicketDraft } from '../ticket';
import type { Database } from './client';
import { rawMessages, tickets, type TicketStatus } from './schema';

export type TicketRow = typeof tickets.$inferSelect;

export type StoreResult = { ticket: TicketRow; created: boolean };

/** D1 could not store or read a ticket: the caller must not acknowledge it (providers retry on 5xx). */
export class StorageUnavailableError extends Error {
  constructor(cause: unknown) {
    super(`ticket storage unavailable: ${errorSummary(cause)}`, { cause });
    this.name = 'StorageUnavailableError';
  }
}

/**
 * Store a ticket unless its Message-ID is already stored. Returns the stored row
 * either way: a provider's retry gets the first ticket back, never a second one.
 */
export async function storeTicket(
  db: Database,
  draft: TicketDraft & { messageId: string },
  options: { now: number; threadId: string; maxRawBytes: number },
): Promise<StoreResult> {
  const id = newId('tkt');
  const inserted = await db
    .insert(tickets)
    .values({
      id,
      source: draft.source,
      messageId: draft.messageId,
      inReplyTo: draft.inReplyTo,
      references: draft.references,
      threadId: options.threadId,
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
    })
    .onConflictDoNothing({ target: tickets.messageId })
    .returning();
  const created = inserted[0];
  if (!created) {
    const existing = await findTicketByMessageId(db, draft.messageId);
    if (!existing) throw new Error(`ticket ${draft.messageId} conflicted but cannot be read`);
    return { ticket: existing, created: false };
  }
  if (draft.raw) {
    const bytes = new TextEncoder().encode(draft.raw.body);
    const truncated = bytes.length > options.maxRawBytes;
    const body = truncated ? new TextDecoder().decode(bytes.slice(0, options.maxRawBytes)) : draft.raw.body;
    await db.insert(rawMessages).values({ ticketId: id, contentType: draft.raw.contentType, body, size: bytes.length, truncated });
  }
  return { ticket: created, created: true };
}

export async function findTicket(db: Database, id: string): Promise<TicketRow | undefined> {
  return db.query.tickets.findFirst({ where: eq(tickets.id, id) });
}

export async function findTicketByMessageId(db: Database, messageId: string): Promise<TicketRow | undefined> {
  return db.query.tickets.findFirst({ where: eq(tickets.messageId, messageId) });
}

/** The thread a message belongs to: the thread of the first stored ticket it refers to, else its own id. */
export async function resolveThreadId(db: Database, messageId: string, referenced: string[]): Promise<string> {
  if (referenced.length === 0) return messageId;
  const parents = await db
    .select({ threadId: tickets.threadId })
    .from(tickets)
    .where(inArray(tickets.messageId, referenced.slice(-50)))
    .limit(1);
  return parents[0]?.threadId ?? referenced[0] ?? messageId;
}

const CLAIMABLE: TicketStatus[] = ['received', 'pending', 'decided'];

/**
 * Take the ticket for one pipeline run. Succeeds for a waiting ticket, or for one
 * whose previous run's lease expired (that run crashed); otherwise someone else
 * has it, or it is finished, and the caller does nothing.
 */
export async function claimTicket(db: Database, id: string, now: number, leaseMs: number): Promise<TicketRow | undefined> {
  const claimed = await db
    .update(tickets)
    .set({ status: 'processing', leaseUntil: now + leaseMs, attempts: sql`${tickets.attempts} + 1`, updatedAt: now })
    .where(
      and(
        eq(tickets.id, id),
        or(inArray(tickets.status, CLAIMABLE), and(eq(tickets.status, 'processing'), lt(tickets.leaseUntil, now))),
      ),
    )
    .returning();
  return claimed[0];
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

/** Tickets whose run never finished: waiting too long, or processing past the lease. */
export async function findStuckTickets(db: Database, now: number, olderThanMs: number, limit = 100): Promise<TicketRow[]> {
  return db
    .select()
    .from(tickets)
    .where(
      or(
        and(inArray(tickets.status, ['received', 'pending', 'decided']), lt(tickets.updatedAt, now - olderThanMs)),
        and(eq(tickets.status, 'processing'), lt(tickets.leaseUntil, now)),
      ),
    )
    .limit(limit);
}

/** A person takes the ticket (and so its thread) over from the auto-responder. */
export async function setTicketOwner(db: Database, id: string, owner: string, now: number): Promise<void> {
  await db.update(tickets).set({ owner, updatedAt: now }).where(eq(tickets.id, id));
}
