// A Reject is recorded in the same statement that checks for a reply going out, so a
// Reject racing an Approve can never leave `rejected` as the newest verdict of a sent reply.
import { and, eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { database } from '../../src/db/client';
import { planDelivery } from '../../src/db/deliveries';
import { recordRejectionUnlessReplied } from '../../src/db/feedback';
import { deliveries, feedback } from '../../src/db/schema';
import { env, loadCorpus, postTicket, waitForTicket } from '../helpers';

const db = database(env.DB);

beforeAll(async () => {
  await loadCorpus();
});

/** A decided ticket with no email reply planned yet (a refund request: escalated). */
async function escalatedTicket(tag: string): Promise<string> {
  const response = await postTicket({ from: `${tag}@example.com`, subject: 'Refund', text: 'I want a refund for last month, please.' });
  const { ticket_id: id } = (await response.json()) as { ticket_id: string };
  expect((await waitForTicket(id)).decision?.outcome).toBe('escalate');
  return id;
}

const reject = (ticketId: string) => recordRejectionUnlessReplied(db, { ticketId, decisionId: null, actor: 'Grace', channel: 'console' }, Date.now());
const rejections = async (ticketId: string) =>
  (await db.select().from(feedback).where(and(eq(feedback.ticketId, ticketId), eq(feedback.verdict, 'rejected')))).length;

describe('recordRejectionUnlessReplied', () => {
  it('records the verdict while no reply is planned', async () => {
    const id = await escalatedTicket('reject-none');
    expect(await reject(id)).toBe(true);
    expect(await rejections(id)).toBe(1);
  });

  it.each(['queued', 'sending', 'sent'] as const)('records nothing once the reply is %s', async (status) => {
    const id = await escalatedTicket(`reject-${status}`);
    const { delivery } = await planDelivery(db, id, 'email_reply', Date.now(), 'console');
    await db.update(deliveries).set({ status }).where(eq(deliveries.id, delivery.id));
    expect(await reject(id)).toBe(false);
    expect(await rejections(id)).toBe(0);
  });

  it.each(['failed', 'skipped'] as const)('still records it when the reply %s (it reached nobody)', async (status) => {
    const id = await escalatedTicket(`reject-${status}`);
    const { delivery } = await planDelivery(db, id, 'email_reply', Date.now(), 'console');
    await db.update(deliveries).set({ status }).where(eq(deliveries.id, delivery.id));
    expect(await reject(id)).toBe(true);
    expect(await rejections(id)).toBe(1);
  });
});
