// The claims return, in their own statement, the rows a run or a send reads next
// (issue 18): those rows must be exactly what a read of them returns, decoded alike.
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { database } from '../../src/db/client';
import { findDecision, readDecisionContext, recordDecision } from '../../src/db/decisions';
import { claimDeliveryRun, planDelivery } from '../../src/db/deliveries';
import { recordFeedback } from '../../src/db/feedback';
import { setModeRule } from '../../src/db/modes';
import { recordCalibration } from '../../src/db/calibrations';
import { claimTicketRun, findTicket, storeTicket } from '../../src/db/tickets';
import { newId } from '../../src/ticket';

const db = database(env.DB);
const now = 1_800_000_000_000;
const gate = { senderDailyCap: 5, since: now - 86_400_000 };

async function ticket(overrides: { threadOf?: string; from?: string } = {}) {
  const messageId = `${newId('msg')}@example.com`;
  const { ticket } = await storeTicket(
    db,
    {
      source: 'email',
      messageId,
      inReplyTo: overrides.threadOf ?? null,
      references: overrides.threadOf ? [overrides.threadOf] : [],
      from: { address: overrides.from ?? 'Ada+tag@Example.com', name: 'Ada "the" Lovelace' },
      to: 'support@tallybook.example',
      subject: 'Ünïcode — "quotes" and \\ backslashes',
      text: 'Line one\nLine two\t€ 😀',
      headers: { 'x-one': '1', 'Auto-Submitted': 'no' },
      attachments: [{ filename: 'a.pdf', mimeType: 'application/pdf', size: 12 }],
      raw: null,
      guardReason: null,
      senderAuthenticated: true,
    },
    { now, maxRawBytes: 1000, references: overrides.threadOf ? [overrides.threadOf] : [] },
  );
  return ticket;
}

async function decisionFor(ticketId: string, outcome: 'auto_reply' | 'escalate' | 'review' = 'auto_reply') {
  return recordDecision(db, {
    id: newId('dec'),
    ticketId,
    outcome,
    reasons: ['a', 'b'],
    modelConfidence: 0.1 + 0.2,
    confidence: 0.9290123456789012,
    confidenceFeatures: { coverage: 1 / 3 },
    thresholds: { autoReply: 0.93, review: 0.5 },
    suggestedReply: 'Reset it from "Settings".',
    retrieved: [{ chunkId: 'c#0', docId: 'c', title: 'T', url: null, score: 1, lexicalRank: 1, lexicalScore: 2.5, vectorRank: null, vectorScore: null }],
    latencyMs: { total: 12 },
    decidedAt: now,
    mode: 'auto',
    policyOutcome: outcome,
  });
}

describe('claimTicketRun', () => {
  it("returns an earlier run's decision exactly as a read of it, and the modes in force", async () => {
    const stored = await ticket();
    const decision = await decisionFor(stored.id);
    await setModeRule(db, { address: 'support@tallybook.example', requestType: '*' }, 'shadow', 'admin', now);

    const run = await claimTicketRun(db, stored.id, now, 60_000);

    expect(run?.ticket).toEqual(await findTicket(db, stored.id));
    expect(run?.ticket.status).toBe('processing');
    expect(run?.decision).toEqual(decision);
    expect(run?.decision).toEqual(await findDecision(db, stored.id));
    expect(run?.modeRules).toContainEqual({ address: 'support@tallybook.example', requestType: '*', mode: 'shadow' });
  });

  it('returns no decision for a new ticket, and nothing when the ticket is leased', async () => {
    const stored = await ticket();
    const run = await claimTicketRun(db, stored.id, now, 60_000);
    expect(run?.decision).toBeUndefined();
    expect(await claimTicketRun(db, stored.id, now + 1, 60_000)).toBeUndefined();
  });
});

describe('claimDeliveryRun', () => {
  it('returns the ticket, its decision and its feedback newest first, as reads of them', async () => {
    const stored = await ticket({ from: `${newId('c')}@example.com` });
    const decision = await decisionFor(stored.id, 'review');
    await recordFeedback(db, { ticketId: stored.id, decisionId: decision.id, verdict: 'edited', editedText: 'first edit', actor: 'a', channel: 'console' }, now + 1);
    await recordFeedback(db, { ticketId: stored.id, decisionId: decision.id, verdict: 'edited', editedText: 'second edit', actor: 'a', channel: 'console' }, now + 2);
    const other = await ticket();
    await recordFeedback(db, { ticketId: other.id, decisionId: null, verdict: 'approved', actor: 'a', channel: 'console' }, now + 3);
    const { delivery } = await planDelivery(db, stored.id, 'email_reply', now, 'console');

    const claimed = await claimDeliveryRun(db, delivery.id, now, 60_000, gate);

    expect(claimed?.delivery).toMatchObject({ id: delivery.id, status: 'sending', attempts: 1 });
    expect(claimed?.ticket).toEqual(await findTicket(db, stored.id));
    expect(claimed?.decision).toEqual(decision);
    expect(claimed?.feedback).toEqual([
      { verdict: 'edited', editedText: 'second edit' },
      { verdict: 'edited', editedText: 'first edit' },
    ]);
  });

  it('returns nothing for a delivery another attempt is sending', async () => {
    const stored = await ticket();
    const { delivery } = await planDelivery(db, stored.id, 'slack', now);
    expect(await claimDeliveryRun(db, delivery.id, now, 60_000, gate)).toBeDefined();
    expect(await claimDeliveryRun(db, delivery.id, now + 1, 60_000, gate)).toBeUndefined();
  });
});

describe('readDecisionContext', () => {
  it('counts the sender, the deployment and the thread, and reads the newest accepted calibration', async () => {
    const sender = `${newId('s')}@example.com`;
    const first = await ticket({ from: sender });
    await decisionFor(first.id, 'auto_reply');
    const escalated = await ticket({ from: `${newId('o')}@example.com` });
    await decisionFor(escalated.id, 'escalate');
    const followUp = await ticket({ from: sender, threadOf: escalated.messageId });
    await recordCalibration(db, { id: newId('cal'), params: { version: 'older' }, sampleSize: 1, fittedAt: now - 2, status: 'accepted', reason: null, heldOut: null });
    await recordCalibration(db, { id: newId('cal'), params: { version: 'newest' }, sampleSize: 1, fittedAt: now - 1, status: 'accepted', reason: null, heldOut: null });
    await recordCalibration(db, { id: newId('cal'), params: { version: 'refused' }, sampleSize: 1, fittedAt: now, status: 'refused', reason: 'worse', heldOut: null });

    const base = { senderKey: sender, daySince: now - 86_400_000, minuteSince: now - 60_000, limits: { perMinute: true, perDay: false } };
    const context = await readDecisionContext(db, { ...base, thread: { threadId: followUp.threadId, exceptTicketId: followUp.id } });

    expect(context.senderAutoRepliesToday).toBe(1);
    expect(context.threadHandledByHuman).toBe(true);
    expect(context.autoRepliesLastMinute).toBeGreaterThanOrEqual(1);
    expect(context.autoRepliesLastDay).toBeNull();
    expect(context.calibrationParams).toEqual({ version: 'newest' });
    const alone = await readDecisionContext(db, { ...base, senderKey: 'nobody@example.com', thread: null });
    expect(alone).toMatchObject({ senderAutoRepliesToday: 0, threadHandledByHuman: false });
  });
});

describe('recordDecision (one prepared insert for every shape of decision)', () => {
  it('gives a column left out its default, keeps the first decision of a ticket, and encodes JSON columns', async () => {
    const stored = await ticket();
    const first = await recordDecision(db, { id: newId('dec'), ticketId: stored.id, outcome: 'escalate', reasons: ['mode:off'], thresholds: { autoReply: 0.93, review: 0.5 }, decidedAt: now });
    expect(first).toMatchObject({ docSources: [], retrieved: [], modelCalls: [], tokensIn: 0, tokensOut: 0, costUsd: 0, latencyMs: {}, mode: null, suggestedReply: null, reasons: ['mode:off'] });
    const second = await recordDecision(db, { id: newId('dec'), ticketId: stored.id, outcome: 'auto_reply', reasons: [], thresholds: { autoReply: 0.93, review: 0.5 }, decidedAt: now + 1 });
    expect(second).toEqual(first);
    expect(await findDecision(db, stored.id)).toEqual(first);
  });
});
