// --routing-only: the classifier and policy in Node, on intent cases {id, text, expect_request_type}.
import { describe, expect, it } from 'vitest';
import { parseCases } from '../../scripts/lib/cases';
import { parseEvalArgs } from '../../scripts/lib/eval-args';
import { routeCase, runRouting, summarizeRouting, type RoutingCaseResult } from '../../scripts/lib/eval-routing';

describe('eval --routing-only', () => {
  it('reads the flag', () => {
    const parsed = parseEvalArgs(['--routing-only', '--cases', 'intents.jsonl'], {});
    expect(parsed.kind === 'run' && parsed.options.routingOnly).toBe(true);
  });

  it('parses intent cases with text and expect_request_type, and refuses an unknown type', () => {
    const { cases, problems } = parseCases(
      ['{"id":"a","text":"How do I reset my password?","expect_request_type":"how_to"}', '{"id":"b","text":"hi","expect_request_type":"gossip"}'].join('\n'),
    );
    expect(cases.map((c) => [c.id, c.question, c.expectRequestType])).toEqual([['a', 'How do I reset my password?', 'how_to']]);
    expect(problems).toEqual([{ line: 2, message: expect.stringContaining('expect_request_type') }]);
  });

  it('routes person-needed wording to a person and a how-to question to the threshold', () => {
    const refund = routeCase({ id: 'r', subject: 'Refund', text: "I want my money back for last month's charge.", expect: 'refund_request' });
    expect(refund).toMatchObject({ request_type: 'refund_request', needs_person: true, outcome: 'escalate', reasons: ['type:refund_request'] });
    const policy = routeCase({ id: 'p', subject: '', text: 'What are your refund terms?', expect: 'how_to' });
    expect(policy).toMatchObject({ request_type: 'how_to', outcome: 'auto_reply', reasons: ['confident_grounded'] });
    const howTo = routeCase({ id: 'h', subject: '2FA', text: 'How do I turn on two-factor authentication?', expect: 'how_to' });
    expect(howTo).toMatchObject({ request_type: 'how_to', needs_person: false, outcome: 'auto_reply' });
    // A refund demand behind a how-to question: whatever the classifier reads, the first-person pattern catches the demand.
    const both = routeCase({ id: 'b', subject: 'Password reset and a refund', text: 'I forgot my password and cannot log in. How do I reset it? Also I want a refund for last month.', expect: 'refund_request' });
    expect(both.outcome).toBe('escalate');
    expect(both.reasons).toContain('sensitive:refund');
  });

  it('counts person_recall on escalations, how_to_false_person on any person, and the confusion by type', () => {
    const result = (expect_request_type: RoutingCaseResult['expect_request_type'], request_type: RoutingCaseResult['request_type'], outcome: RoutingCaseResult['outcome']): RoutingCaseResult => ({
      id: `${expect_request_type}-${request_type}-${outcome}`,
      source: null,
      expect_request_type,
      request_type,
      needs_person: ['refund_request', 'complaint'].includes(expect_request_type),
      outcome,
      reasons: [],
    });
    const summary = summarizeRouting([
      result('refund_request', 'refund_request', 'escalate'),
      result('complaint', 'how_to', 'auto_reply'),
      result('how_to', 'how_to', 'auto_reply'),
      result('how_to', 'account_specific', 'review'),
      result('spam', 'spam', 'ignore'),
    ]);
    expect(summary).toMatchObject({ cases: 5, accuracy: 0.6, person_recall: 0.5, person_cases: 2, how_to_false_person: 0.5, how_to_escalated: 0, how_to_cases: 2, ignore_recall: 1 });
    expect(summary.confusion.how_to).toEqual({ how_to: 1, account_specific: 1 });
  });

  it('routes a thousand utterances in well under a second of CPU per thousand', () => {
    const cases = Array.from({ length: 1000 }, (_, i) => ({ id: String(i), subject: '', text: `How do I export invoice ${i} as a PDF?`, expect: 'how_to' as const }));
    const started = performance.now();
    const summary = runRouting(cases);
    expect(summary.cases).toBe(1000);
    expect(performance.now() - started).toBeLessThan(5000);
  });
});
