import { env } from 'cloudflare:workers';
import { drizzle } from 'drizzle-orm/d1';
import { describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/client';
import { chunkIdsOf, chunksByIds, searchChunks, storedDocIds } from '../../src/db/corpus';
import { countAutoRepliesTo, findDecision, readDecisionContext } from '../../src/db/decisions';
import { claimDeliveryRun, listDeliveries } from '../../src/db/deliveries';
import * as schema from '../../src/db/schema';
import { claimTicket, claimTicketRun, findTicketByMessageId, storeTicket } from '../../src/db/tickets';

// Every statement the hot path sends is captured from the product's own query
// functions (a D1 binding that records what it prepares) and explained by SQLite:
// none may read a whole table, so per-ticket cost does not grow with the history.
type Captured = { sql: string; params: unknown[] };

function recordingDatabase(): { db: Database; captured: Captured[] } {
  const captured: Captured[] = [];
  const d1 = new Proxy(env.DB, {
    get(target, prop) {
      if (prop !== 'prepare') return Reflect.get(target, prop, target);
      return (query: string) => {
        const statement = target.prepare(query);
        const entry: Captured = { sql: query, params: [] };
        captured.push(entry);
        return new Proxy(statement, {
          get(inner, name) {
            if (name === 'bind')
              return (...params: unknown[]) => {
                entry.params = params;
                return inner.bind(...params);
              };
            const value = Reflect.get(inner, name, inner);
            return typeof value === 'function' ? value.bind(inner) : value;
          },
        });
      };
    },
  });
  return { db: drizzle(d1, { schema }), captured };
}

async function plansOf(run: (db: Database) => Promise<unknown>): Promise<string[]> {
  const { db, captured } = recordingDatabase();
  await run(db);
  expect(captured.length).toBeGreaterThan(0);
  const plans: string[] = [];
  for (const { sql, params } of captured) {
    const { results } = await env.DB.prepare(`EXPLAIN QUERY PLAN ${sql}`).bind(...params).all<{ detail: string }>();
    plans.push(results.map((r) => r.detail).join(' / '));
  }
  return plans;
}

/** A plan step that reads every row of a stored table (virtual FTS5 tables answer MATCH from their index). */
// rollout_modes is configuration (a rule per address and request type a person set), read whole
// by every run on purpose: it does not grow with tickets.
const fullScan = /\bSCAN (?!chunks_fts\b|chunks_fts_vocab\b|ranked\b|rollout_modes\b|CONSTANT ROW\b)(\w+)(?! USING (COVERING )?INDEX)/;

/** The stored tables a plan reads whole: a scan of a subquery's own rows (a CO-ROUTINE the plan built) is not one. */
function fullScans(plan: string): string[] {
  const coroutines = new Set([...plan.matchAll(/CO-ROUTINE (\(?[\w-]+\)?)/g)].map((m) => m[1]!));
  return plan
    .split(' / ')
    .filter((step) => fullScan.test(step))
    .filter((step) => !coroutines.has(step.replace(/^SCAN /, '').split(' ')[0]!));
}

const now = Date.now();
const hotQueries: [string, (db: Database) => Promise<unknown>, RegExp][] = [
  ['ticket by Message-ID', (db) => findTicketByMessageId(db, '<a@b>'), /USING INDEX tickets_message_id_unique/],
  ['ticket claim', (db) => claimTicket(db, 'tkt_x', now, 60_000), /USING INTEGER PRIMARY KEY|USING PRIMARY KEY|USING INDEX sqlite_autoindex_tickets/],
  ['decision by ticket', (db) => findDecision(db, 'tkt_x'), /USING INDEX decisions_ticket_unique/],
  ['deliveries of a ticket', (db) => listDeliveries(db, 'tkt_x'), /USING INDEX deliveries_ticket_kind_unique/],
  [
    "a run's claim, returning the decision and the rollout modes",
    (db) => claimTicketRun(db, 'tkt_x', now, 60_000),
    /USING INDEX decisions_ticket_unique/,
  ],
  [
    "a send's claim, returning the ticket, decision and feedback",
    (db) => claimDeliveryRun(db, 'dlv_x', now, 60_000, { senderDailyCap: 5, since: now - 86_400_000 }),
    /SEARCH feedback USING INDEX feedback_ticket_idx/,
  ],
  [
    'the decision context (caps, thread, calibration) in one statement',
    (db) =>
      readDecisionContext(db, {
        senderKey: 'a@example.com',
        daySince: now - 86_400_000,
        minuteSince: now - 60_000,
        thread: { threadId: 'thread@example.com', exceptTicketId: 'tkt_x' },
        limits: { perMinute: true, perDay: true },
      }),
    /SEARCH tickets USING (COVERING )?INDEX tickets_sender_key_idx.*SEARCH tickets USING INDEX tickets_thread_idx.*SEARCH decisions USING (COVERING )?INDEX decisions_outcome_idx.*SEARCH calibrations USING INDEX calibrations_status_fitted_idx/,
  ],
  ['delivery claim', (db) => claimDeliveryRun(db, 'dlv_x', now, 60_000, { senderDailyCap: 5, since: now - 86_400_000 }), /USING INTEGER PRIMARY KEY|USING PRIMARY KEY|USING INDEX sqlite_autoindex_deliveries/],
  [
    'the ingest batch, with the sender cap and the thread lookup',
    (db) =>
      storeTicket(
        db,
        {
          source: 'api',
          messageId: 'plan-1@example.com',
          inReplyTo: 'earlier@example.com',
          references: [],
          from: { address: 'A+tag@example.com', name: null },
          to: null,
          subject: 'Plan',
          text: 'Query plans.',
          headers: {},
          attachments: [],
          raw: null,
          guardReason: null,
        },
        { now, maxRawBytes: 1000, references: ['earlier@example.com'], senderCap: { limit: 50, since: now - 86_400_000, reason: 'sender_ticket_cap' } },
      ),
    /USING (COVERING )?INDEX tickets_sender_key_idx/,
  ],
  ['auto-replies to a sender today (reply cap)', (db) => countAutoRepliesTo(db, 'a@example.com', now - 86_400_000), /SEARCH tickets USING (COVERING )?INDEX tickets_sender_key_idx/],
  ['chunks by version', (db) => chunkIdsOf(db, 'v_x'), /USING (COVERING )?INDEX chunks_/],
  ['documents by version', (db) => storedDocIds(db, 'v_x'), /USING (COVERING )?INDEX|USING PRIMARY KEY/],
  ['chunks by id within a version', (db) => chunksByIds(db, 'v_x', ['a#0', 'b#1']), /USING INDEX chunks_version_chunk_unique/],
  ['lexical search', (db) => searchChunks(db, 'v_x', '"password"', 8), /VIRTUAL TABLE INDEX/],
];

describe('hot queries use an index (EXPLAIN QUERY PLAN in D1)', () => {
  it.each(hotQueries)('%s', async (_, run, expected) => {
    const plans = await plansOf(run);
    for (const plan of plans) expect(fullScans(plan), plan).toEqual([]);
    expect(plans.join(' | ')).toMatch(expected);
  });
});
