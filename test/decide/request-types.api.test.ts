// The sample corpus end to end through the API in workerd (offline responder, real
// D1 and queue): what the customer asks decides the route, and the decision says so.
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCorpus, postTicket, waitForTicket } from '../helpers';

beforeAll(async () => {
  await loadCorpus();
});

let sender = 0;
async function decided(subject: string, text: string, extra: Record<string, unknown> = {}) {
  sender++;
  const response = await postTicket({ from: `customer-${sender}@example.com`, subject, text, ...extra });
  expect(response.status).toBe(202);
  const { ticket_id } = (await response.json()) as { ticket_id: string };
  const view = await waitForTicket(ticket_id);
  return { view, decision: view.decision! };
}

describe('routing by request type through POST /api/tickets', () => {
  it('auto-replies to "What are your refund terms?" from the refund policy, which never says "terms"', async () => {
    const { decision } = await decided('', 'What are your refund terms?');
    expect(decision.reasons.filter((r) => r.startsWith('type:') || r.startsWith('sensitive:'))).toEqual([]);
    expect(decision.needs_person).toBe(false);
    expect(decision.outcome).toBe('auto_reply');
    expect(decision.reasons).toEqual(['confident_grounded']);
    const cited = new Set(decision.doc_sources.map((id) => id.split('#')[0]));
    expect([...cited]).toEqual(['refund-policy']);
    // "terms" is covered by the doc's "policy": the synonym reaches the confidence, not only search.
    expect((decision.confidence_features as Record<string, number>).coverage_top).toBe(1);
  });

  it('escalates "I want my money back for last month\'s charge" as type:refund_request', async () => {
    const { decision } = await decided('Refund', "I want my money back for last month's charge.");
    expect(decision.outcome).toBe('escalate');
    expect(decision.reasons[0]).toBe('type:refund_request');
    expect(decision).toMatchObject({ request_type: 'refund_request', needs_person: true });
  });

  it('escalates "Third time your app lost my data. I am furious." as type:complaint', async () => {
    const { decision } = await decided('Again', 'Third time your app lost my data. I am furious.');
    expect(decision.outcome).toBe('escalate');
    expect(decision.reasons[0]).toBe('type:complaint');
  });

  it('ignores a casino-bonus mail with a reason and sends nothing', async () => {
    const { view, decision } = await decided(
      'You have been selected!',
      'Congratulations!! You have won a 400% welcome bonus and 150 free spins at Golden Palace Casino. Claim your bonus now at goldenpalace-casino.example before it expires.',
    );
    expect(decision.outcome).toBe('ignore');
    expect(decision.reasons).toEqual(['type:spam']);
    expect(view.deliveries.filter((d) => d.kind === 'email_reply')).toEqual([]);
  });

  it('ignores a "your mailbox is suspended, log in here" mail with a reason', async () => {
    const { decision } = await decided(
      'Action required: mailbox suspended',
      'Dear customer,\nYour mailbox has been suspended because of a security check. Log in here within 24 hours to keep receiving email: http://mailbox-restore.example/login\nEmail Administrator',
    );
    expect(decision.outcome).toBe('ignore');
    expect(decision.reasons).toEqual(['type:spam']);
  });

  it('returns the classifier opinion and its version with the decision', async () => {
    const { decision } = await decided('2FA', 'How do I turn on two-factor authentication?');
    expect(decision.request_type).toBe('how_to');
    expect(decision.classifier).toMatchObject({ request_type: 'how_to', version: expect.stringMatching(/^rt-[0-9a-f]{12}$/) });
    expect(decision.claude_request_type).toBeNull();
  });

  it('stores the person-needed probability that escalates or holds a ticket, under the hold floor for a plain how-to', async () => {
    const howTo = (await decided('2FA', 'How do I turn on two-factor authentication?')).decision.classifier as { person_probability: number };
    const refund = (await decided('Refund', "I want my money back for last month's charge.")).decision.classifier as { person_probability: number };
    expect(howTo.person_probability).toBeGreaterThanOrEqual(0);
    expect(howTo.person_probability).toBeLessThan(0.2);
    expect(refund.person_probability).toBeGreaterThanOrEqual(0.25);
    expect(refund.person_probability).toBeLessThanOrEqual(1);
  });

  it('sends a how-to question with a hostile display name to a person', async () => {
    const { decision } = await decided('2FA', 'How do I turn on 2FA?', { from_name: 'Refund me now or my lawyer files a chargeback' });
    expect(decision.outcome).toBe('escalate');
  });
});
