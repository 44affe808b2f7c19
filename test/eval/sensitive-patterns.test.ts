// The keyword net's rule (issue 14): no pattern may send a how-to question to a person.
// Checked on every labelled how-to we have: the public intent sets, the WixQA and TechQA
// questions, the sample tickets, the Tallybook training tickets and the check set, read as
// the policy reads them.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig, SENSITIVE_TOPICS } from '../../src/config';
import { ticketTexts } from '../../src/decide/policy';
import { detectSensitiveTopics } from '../../src/decide/sensitive';
import { loadLabelledExamples } from '../../scripts/lib/request-type-data';

const ROOT = path.resolve(import.meta.dirname, '../..');
const config = parseConfig({});
// Kept on purpose: the "owner left" pattern keeps the sample takeover tickets (t027, t064) escalated,
// which the classifier calls account_specific; this how-to's subject is the bare phrase "owner left".
const KNOWN = new Set(['rt328']);

describe('sensitive patterns', () => {
  it('fire on no labelled how-to question, policy questions about refunds, chargebacks, GDPR and security included', () => {
    const howTos = loadLabelledExamples(ROOT, { check: true }).filter((e) => e.type === 'how_to');
    expect(howTos.length).toBeGreaterThan(2000);
    const fired = howTos.flatMap((e) => {
      const topics = detectSensitiveTopics(ticketTexts({ subject: e.subject, text: e.text }, config).main, SENSITIVE_TOPICS, 0);
      return topics.length > 0 && !KNOWN.has(e.id) ? [`${e.id}: ${topics.join(',')}`] : [];
    });
    expect(fired).toEqual([]);
  });

  it('still catch a customer filing their own chargeback, not one filed by their client', () => {
    const topics = (text: string) => detectSensitiveTopics(text, SENSITIVE_TOPICS, 0);
    expect(topics('Reverse it now or I will file a chargeback with my bank.')).toContain('billing_dispute');
    expect(topics("We've opened a chargeback with Amex.")).toContain('billing_dispute');
    expect(topics('What happens to my payout when a client files a chargeback?')).toEqual([]);
  });
});
