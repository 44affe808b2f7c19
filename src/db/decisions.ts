import { and, eq, gte, inArray, isNotNull, ne, or, sql, type Placeholder } from 'drizzle-orm';
import { latestAcceptedParams } from './calibrations';
import { preparedOnce, type Database } from './client';
import { everyColumnPlaceholder, placeholderValues } from './rows';
import { decisions, tickets } from './schema';

export type DecisionRow = typeof decisions.$inferSelect;
export type NewDecision = typeof decisions.$inferInsert;

/** One decision per ticket: a second writer (a repeated run) keeps the first. */
export async function recordDecision(db: Database, decision: NewDecision): Promise<DecisionRow> {
  const insert = preparedOnce(db, 'recordDecision', () =>
    db.insert(decisions).values(everyColumnPlaceholder(decisions)).onConflictDoNothing({ target: decisions.ticketId }).returning().prepare(),
  );
  const inserted = await insert.all(placeholderValues(decisions, decision));
  const row = inserted[0] ?? (await findDecision(db, decision.ticketId));
  if (!row) throw new Error(`decision for ${decision.ticketId} conflicted but cannot be read`);
  return row;
}

export async function findDecision(db: Database, ticketId: string): Promise<DecisionRow | undefined> {
  return db.query.decisions.findFirst({ where: eq(decisions.ticketId, ticketId) });
}

/**
 * An auto-reply that cannot be sent safely goes to a person: the outcome becomes
 * `escalate` with `reason` added. Only an `auto_reply` changes, so a repeat is a no-op.
 */
export async function escalateAutoReply(db: Database, ticketId: string, reason: string): Promise<DecisionRow | undefined> {
  const updated = await db
    .update(decisions)
    .set({ outcome: 'escalate', reasons: sql`json_insert(${decisions.reasons}, '$[#]', ${reason})` })
    .where(and(eq(decisions.ticketId, ticketId), eq(decisions.outcome, 'auto_reply')))
    .returning();
  return updated[0];
}

/** Auto-replies sent to this sender (its `senderKey`: case and `+tag` folded) since `since`: the per-sender daily cap. */
export async function countAutoRepliesTo(db: Database, senderKey: string, since: number): Promise<number> {
  const rows = await autoRepliesTo(db, senderKey, since);
  return rows[0]?.n ?? 0;
}

function autoRepliesTo(db: Database, senderKey: string | Placeholder, since: number | Placeholder) {
  return (
    db
      .select({ n: sql<number>`count(*)` })
      .from(decisions)
      .innerJoin(tickets, eq(tickets.id, decisions.ticketId))
      // Unary + keeps SQLite off decisions_outcome_idx (every auto-reply of the day): start from the sender's tickets.
      // Replayed history (npm run replay) sent nothing, so it spends no one's cap.
      .where(and(eq(tickets.senderKey, senderKey), eq(sql`+${decisions.outcome}`, 'auto_reply'), gte(decisions.decidedAt, since), ne(tickets.source, 'replay')))
  );
}

/** Auto-replies to anyone since `since`: the deployment-wide limits (decisions_outcome_idx). */
export async function countAutoReplies(db: Database, since: number): Promise<number> {
  const rows = await autoRepliesSince(db, since);
  return rows[0]?.n ?? 0;
}

function autoRepliesSince(db: Database, since: number | Placeholder) {
  return db
    .select({ n: sql<number>`count(*)` })
    .from(decisions)
    .where(and(eq(decisions.outcome, 'auto_reply'), gte(decisions.decidedAt, since), notReplayed));
}

/** Replayed history (npm run replay) sent nothing: it counts toward no sending limit. */
const notReplayed = sql`NOT EXISTS (SELECT 1 FROM tickets t WHERE t.id = ${decisions.ticketId} AND t.source = 'replay')`;

/** Whether a person already owns this thread: an earlier ticket escalated, in review, or taken over. */
export async function threadHandledByHuman(db: Database, threadId: string, exceptTicketId: string): Promise<boolean> {
  const rows = await humanInThread(db, threadId, exceptTicketId);
  return rows.length > 0;
}

function humanInThread(db: Database, threadId: string | Placeholder, exceptTicketId: string | Placeholder) {
  return db
    .select({ id: tickets.id })
    .from(tickets)
    .leftJoin(decisions, eq(decisions.ticketId, tickets.id))
    .where(
      and(
        eq(tickets.threadId, threadId),
        ne(tickets.id, exceptTicketId),
        or(inArray(decisions.outcome, ['escalate', 'review']), isNotNull(tickets.owner)),
      ),
    )
    .limit(1);
}

/** What the policy weighs beside the draft, as the rows are at the moment it decides. */
export type DecisionContext = {
  senderAutoRepliesToday: number;
  threadHandledByHuman: boolean;
  /** Deployment-wide auto-replies in the last minute and day; null where that limit is off. */
  autoRepliesLastMinute: number | null;
  autoRepliesLastDay: number | null;
  /** The newest accepted refit's parameters, unparsed; null: none, the config's apply. */
  calibrationParams: unknown;
};

export type DecisionContextQuery = {
  senderKey: string;
  daySince: number;
  minuteSince: number;
  /** The thread to check for a person, when the ticket continues one. */
  thread: { threadId: string; exceptTicketId: string } | null;
  limits: { perMinute: boolean; perDay: boolean };
};

/**
 * The counts, the thread check and the calibration in force, in one statement instead of one
 * each. A count whose limit is off is not run (CASE evaluates its subquery only when asked);
 * with no thread, the check compares with NULL and is false.
 */
export async function readDecisionContext(db: Database, query: DecisionContextQuery): Promise<DecisionContext> {
  const statement = preparedOnce(db, 'readDecisionContext', () => {
    const daySince = sql.placeholder('daySince');
    return db
      .select({
        senderAutoRepliesToday: sql<number>`${autoRepliesTo(db, sql.placeholder('senderKey'), daySince)}`,
        threadHandledByHuman: sql<number>`EXISTS ${humanInThread(db, sql.placeholder('threadId'), sql.placeholder('exceptTicketId'))}`,
        autoRepliesLastMinute: sql<number | null>`CASE WHEN ${sql.placeholder('perMinute')} THEN ${autoRepliesSince(db, sql.placeholder('minuteSince'))} END`,
        autoRepliesLastDay: sql<number | null>`CASE WHEN ${sql.placeholder('perDay')} THEN ${autoRepliesSince(db, daySince)} END`,
        calibrationParams: sql<string | null>`${latestAcceptedParams(db)}`,
      })
      .from(sql`(SELECT 1)`)
      .prepare();
  });
  const [row] = await statement.all({
    senderKey: query.senderKey,
    daySince: query.daySince,
    minuteSince: query.minuteSince,
    threadId: query.thread?.threadId ?? null,
    exceptTicketId: query.thread?.exceptTicketId ?? null,
    perMinute: query.limits.perMinute ? 1 : 0,
    perDay: query.limits.perDay ? 1 : 0,
  });
  return {
    senderAutoRepliesToday: row?.senderAutoRepliesToday ?? 0,
    threadHandledByHuman: Boolean(row?.threadHandledByHuman),
    autoRepliesLastMinute: row?.autoRepliesLastMinute ?? null,
    autoRepliesLastDay: row?.autoRepliesLastDay ?? null,
    calibrationParams: row?.calibrationParams ? (JSON.parse(row.calibrationParams) as unknown) : null,
  };
}
