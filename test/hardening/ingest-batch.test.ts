// Ingest is one D1 round trip and one transaction: the sender-cap count, the ticket,
// its raw copy and an ignored ticket's decision land together or not at all.
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { findDecision } from '../../src/db/decisions';
import { database } from '../../src/db/client';
import { findRawMessage } from '../../src/db/intake';
import { findTicketByMessageId } from '../../src/db/tickets';
import { StorageUnavailableError } from '../../src/errors';
import { buildDeps, type Deps } from '../../src/deps';
import { acceptDraft, storeDraft } from '../../src/pipeline';
import { newId, type TicketDraft } from '../../src/ticket';

type Trips = { roundTrips: number };

/** env.DB, counting round trips (a statement run on its own, or a batch); `failLast` makes a batch fail at its last statement. */
function observedD1(trips: Trips, options: { failLast?: boolean } = {}): D1Database {
  const real = new WeakMap<object, D1PreparedStatement>();
  const wrap = (statement: D1PreparedStatement): D1PreparedStatement => {
    const proxy = new Proxy(statement, {
      get(target, prop) {
        if (prop === 'bind') return (...values: unknown[]) => wrap(target.bind(...values));
        const value = Reflect.get(target, prop, target) as unknown;
        if (typeof value !== 'function') return value;
        if (['run', 'all', 'first', 'raw'].includes(String(prop))) trips.roundTrips++;
        return (value as (...a: unknown[]) => unknown).bind(target);
      },
    });
    real.set(proxy, statement);
    return proxy;
  };
  return new Proxy(env.DB, {
    get(target, prop) {
      if (prop === 'prepare') return (query: string) => wrap(target.prepare(query));
      if (prop === 'batch') {
        return (statements: D1PreparedStatement[]) => {
          trips.roundTrips++;
          const unwrapped = statements.map((s) => real.get(s) ?? s);
          if (options.failLast) unwrapped.splice(-1, 1, target.prepare('SELECT * FROM a_table_that_does_not_exist'));
          return target.batch(unwrapped);
        };
      }
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

function draft(overrides: Partial<TicketDraft> = {}): TicketDraft {
  return {
    source: 'postmark',
    messageId: `${newId('msg')}@example.com`,
    inReplyTo: null,
    references: [],
    from: { address: `${newId('customer')}@example.com`, name: 'Ada' },
    to: 'support@tallybook.example',
    subject: 'Password',
    text: 'How do I reset my password?',
    headers: {},
    attachments: [],
    raw: { contentType: 'application/json', body: '{"Subject":"Password"}' },
    guardReason: null,
    ...overrides,
  };
}

function depsOn(d1: D1Database, overrides: Partial<Deps> = {}): Deps {
  return buildDeps(env, { db: database(d1), ...overrides });
}

describe('ingest in one round trip', () => {
  it('stores a ticket with its raw copy in one D1 round trip, then sends one queue message', async () => {
    const trips = { roundTrips: 0 };
    const sent: unknown[] = [];
    const queue = { send: async (body: unknown) => void sent.push(body) } as unknown as Queue;
    const deps = depsOn(observedD1(trips), { queues: { tickets: queue, outbox: queue } });
    const accepted = await acceptDraft(draft(), deps);
    expect(trips.roundTrips).toBe(1);
    expect(sent).toEqual([{ ticketId: accepted.ticket.id }]);
    expect(accepted).toMatchObject({ created: true, ticket: { status: 'received' } });
    expect(await findRawMessage(deps.db, accepted.ticket.id)).toMatchObject({ body: '{"Subject":"Password"}', truncated: false });
  });

  it('a guarded ticket is stored ignored with its decision in the same round trip', async () => {
    const trips = { roundTrips: 0 };
    const deps = depsOn(observedD1(trips));
    const { ticket } = await storeDraft(draft({ headers: { 'auto-submitted': 'auto-replied' } }), deps);
    expect(trips.roundTrips).toBe(1);
    expect(ticket).toMatchObject({ status: 'ignored', guardReason: 'auto_submitted' });
    expect(await findDecision(deps.db, ticket.id)).toMatchObject({ outcome: 'ignore', reasons: ['auto_submitted'] });
  });

  it('a redelivery returns the first ticket, in one round trip, and writes nothing', async () => {
    const deps = buildDeps(env);
    const message = draft();
    const first = await storeDraft(message, deps);
    const trips = { roundTrips: 0 };
    const again = await storeDraft({ ...message, raw: { contentType: 'application/json', body: '{"changed":true}' } }, depsOn(observedD1(trips)));
    expect(trips.roundTrips).toBe(1);
    expect(again).toMatchObject({ created: false, ticket: { id: first.ticket.id } });
    expect((await findRawMessage(deps.db, first.ticket.id))!.body).toBe('{"Subject":"Password"}');
  });

  it('an API ticket keeps no second JSON copy of its body: the ticket is the message', async () => {
    const deps = buildDeps(env);
    const { ticket } = await storeDraft(draft({ source: 'api', raw: null }), deps);
    expect(ticket.rawRef).toBeNull();
    expect(await findRawMessage(deps.db, ticket.id)).toBeUndefined();
  });
});

describe('ingest is all or nothing', () => {
  it('a batch that fails part-way leaves no ticket without its raw copy; the provider retry stores all of it', async () => {
    const message = draft({ headers: { 'auto-submitted': 'auto-replied' } });
    await expect(storeDraft(message, depsOn(observedD1({ roundTrips: 0 }, { failLast: true })))).rejects.toBeInstanceOf(StorageUnavailableError);
    const deps = buildDeps(env);
    expect(await findTicketByMessageId(deps.db, message.messageId!)).toBeUndefined();

    const { ticket, created } = await storeDraft(message, deps);
    expect(created).toBe(true);
    expect(await findRawMessage(deps.db, ticket.id)).toBeDefined();
    expect(await findDecision(deps.db, ticket.id)).toMatchObject({ outcome: 'ignore' });
  });

  it('the sender cap holds for concurrent tickets: with a cap of 2, three at once store 2 to run and 1 ignored', async () => {
    const base = buildDeps(env);
    const deps = buildDeps(env, { config: { ...base.config, SENDER_DAILY_TICKET_CAP: 2 } });
    const from = { address: `${newId('flood')}@example.com`, name: null };
    const stored = await Promise.all([1, 2, 3].map(() => storeDraft(draft({ from }), deps)));
    const statuses = stored.map((s) => s.ticket.status).sort();
    expect(statuses).toEqual(['ignored', 'received', 'received']);
    const ignored = stored.find((s) => s.ticket.status === 'ignored')!.ticket;
    expect(ignored.guardReason).toBe('sender_ticket_cap');
    expect(await findDecision(deps.db, ignored.id)).toMatchObject({ outcome: 'ignore', reasons: ['sender_ticket_cap'] });
  });
});
