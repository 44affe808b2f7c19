// The rollout's pure parts: the Wilson interval against published values, mode
// resolution and application, the report's recommendations, the follow-up verdicts.
import { describe, expect, it } from 'vitest';
import type { ReportDecision } from '../../src/db/report';
import { judgeFollowUp, FOLLOW_UP_SCAN_CHARS } from '../../src/rollout/follow-up';
import { ANY, applyMode, checkModeChange, modeAllowsDelivery, offForEveryType, resolveMode, sendsToCustomer, type ModeRule } from '../../src/rollout/modes';
import { buildReport, median } from '../../src/rollout/report';
import { wilsonInterval } from '../../src/rollout/wilson';

describe('wilsonInterval', () => {
  // Newcombe (1998), "Two-sided confidence intervals for the single proportion", Table I, method 3.
  it.each([
    [81, 263, 0.2553, 0.3662],
    [15, 148, 0.0624, 0.1605],
    [0, 20, 0, 0.1611],
    [1, 29, 0.0061, 0.1718],
    [29, 29, 0.883, 1],
  ])('%i of %i is [%f, %f] as Newcombe publishes it', (successes, n, lower, upper) => {
    const interval = wilsonInterval(successes, n);
    expect(interval.lower).toBeCloseTo(lower, 4);
    expect(interval.upper).toBeCloseTo(upper, 4);
  });

  it('knows nothing from no verdicts, and refuses impossible counts', () => {
    expect(wilsonInterval(0, 0)).toEqual({ lower: 0, upper: 1 });
    expect(() => wilsonInterval(3, 2)).toThrow(RangeError);
    expect(() => wilsonInterval(-1, 2)).toThrow(RangeError);
  });
});

describe('modes', () => {
  const rules: ModeRule[] = [
    { address: ANY, requestType: 'how_to', mode: 'review' },
    { address: 'billing@acme.example', requestType: ANY, mode: 'off' },
    { address: 'billing@acme.example', requestType: 'how_to', mode: 'auto' },
    { address: ANY, requestType: 'account_specific', mode: 'shadow' },
  ];

  it('resolves address and type, then type, then address, then the default', () => {
    expect(resolveMode(rules, 'Billing@Acme.example', 'how_to', 'shadow')).toBe('auto');
    expect(resolveMode(rules, 'support@acme.example', 'how_to', 'shadow')).toBe('review');
    expect(resolveMode(rules, 'billing@acme.example', 'account_specific', 'shadow')).toBe('shadow');
    expect(resolveMode(rules, 'billing@acme.example', 'spam', 'shadow')).toBe('off');
    expect(resolveMode(rules, 'support@acme.example', 'spam', 'shadow')).toBe('shadow');
  });

  it("applies a mailbox's rules to its plus addresses, unless the plus address has its own", () => {
    expect(resolveMode(rules, 'billing+ticket-456@acme.example', 'how_to', 'shadow')).toBe('auto');
    expect(resolveMode(rules, 'Billing+EU@acme.example', 'spam', 'shadow')).toBe('off');
    const own: ModeRule[] = [...rules, { address: 'billing+eu@acme.example', requestType: 'how_to', mode: 'shadow' }];
    expect(resolveMode(own, 'billing+eu@acme.example', 'how_to', 'auto')).toBe('shadow');
    expect(resolveMode(own, 'billing+us@acme.example', 'how_to', 'shadow')).toBe('auto');
    // Rules of its own replace the mailbox's: its address-wide off is not overridden by billing@'s how_to rule.
    const offPlus: ModeRule[] = [...rules, { address: 'billing+vip@acme.example', requestType: ANY, mode: 'off' }];
    expect(resolveMode(offPlus, 'billing+vip@acme.example', 'how_to', 'auto')).toBe('review'); // (any, how_to) before (address, any), as for any address
    expect(resolveMode(offPlus, 'billing+vip@acme.example', 'spam', 'auto')).toBe('off');
  });

  it('never runs a person-needed type in auto, and refuses to set one to auto', () => {
    expect(resolveMode([], null, 'refund_request', 'auto')).toBe('review');
    expect(resolveMode([], null, 'how_to', 'auto')).toBe('auto');
    expect(checkModeChange('complaint', 'auto')).toMatchObject({ code: 'mode_not_allowed' });
    expect(checkModeChange('complaint', 'shadow')).toBeNull();
    expect(checkModeChange('how_to', 'auto')).toBeNull();
  });

  it('is off for an address only when every type is off there', () => {
    expect(offForEveryType([{ address: 'x@acme.example', requestType: ANY, mode: 'off' }], 'x@acme.example', ['how_to', 'spam'], 'auto')).toBe(true);
    expect(offForEveryType(rules, 'billing@acme.example', ['how_to', 'spam'], 'auto')).toBe(false);
  });

  it('applies the mode after the policy and keeps what it would have done', () => {
    const auto = { outcome: 'auto_reply' as const, reasons: ['confident_grounded'] };
    expect(applyMode(auto, 'auto')).toMatchObject({ outcome: 'auto_reply', policyOutcome: 'auto_reply', reasons: ['confident_grounded'] });
    expect(applyMode(auto, 'review')).toMatchObject({ outcome: 'review', policyOutcome: 'auto_reply', reasons: ['confident_grounded', 'mode:review'] });
    expect(applyMode(auto, 'shadow')).toMatchObject({ outcome: 'review', policyOutcome: 'auto_reply', reasons: ['confident_grounded', 'mode:shadow'], keepDraft: true });
    expect(applyMode(auto, 'off')).toMatchObject({ outcome: 'escalate', policyOutcome: 'auto_reply', reasons: ['mode:off'], keepDraft: false });
    expect(applyMode({ outcome: 'escalate', reasons: ['type:complaint'] }, 'review')).toMatchObject({ outcome: 'escalate', reasons: ['type:complaint'] });
  });

  it('sends nothing to the customer in shadow or off, and says so for the hand-off', () => {
    expect(modeAllowsDelivery('shadow', 'email_reply')).toBe(false);
    expect(modeAllowsDelivery('off', 'customer_ack')).toBe(false);
    expect(modeAllowsDelivery('shadow', 'slack')).toBe(true);
    expect(modeAllowsDelivery(null, 'email_reply')).toBe(true);
    expect(sendsToCustomer({ outcome: 'auto_reply', mode: 'auto' })).toBe(true);
    expect(sendsToCustomer({ outcome: 'auto_reply', mode: 'shadow' })).toBe(false);
    expect(sendsToCustomer({ outcome: 'review', mode: 'auto' })).toBe(false);
  });
});

describe('the report', () => {
  const row = (fields: Partial<ReportDecision>): ReportDecision => ({ requestType: 'how_to', mode: 'shadow', policyOutcome: 'auto_reply', outcome: 'review', confidence: 0.9, verdict: null, ...fields });
  const thresholds = { targetPrecision: 0.95, minVerdicts: 20 };

  it('recommends auto only once the lower bound reaches the target on enough verdicts', () => {
    const good = (n: number) => Array.from({ length: n }, () => row({ verdict: 'would_send' }));
    // 74 of 74: lower bound 0.9506; 60 of 60: 0.9398 — below the target.
    expect(buildReport(good(74), ['how_to'], () => 'shadow', thresholds).perType[0]!.recommendation).toBe('auto');
    expect(buildReport(good(60), ['how_to'], () => 'shadow', thresholds).perType[0]!.recommendation).toBeNull();
    expect(buildReport(good(74), ['how_to'], () => 'shadow', { targetPrecision: 0.9, minVerdicts: 80 }).perType[0]!.recommendation).toBeNull();
    // A person-needed type is never recommended, however good its drafts.
    expect(buildReport(good(74).map((r) => ({ ...r, requestType: 'complaint' })), [], () => 'shadow', thresholds).perType[0]!.recommendation).toBeNull();
  });

  it('flags a type on auto whose live replies are below the target, and counts would-be automation without ignored mail', () => {
    const rows = [
      row({ mode: 'auto', outcome: 'auto_reply', verdict: 'right' }),
      row({ mode: 'auto', outcome: 'auto_reply', verdict: 'wrong', confidence: 0.5 }),
      row({ mode: 'auto', policyOutcome: 'review', outcome: 'review', confidence: 0.7 }),
      row({ mode: 'auto', policyOutcome: 'ignore', outcome: 'ignore', confidence: null }),
    ];
    const [how] = buildReport(rows, ['how_to'], () => 'auto', thresholds).perType;
    expect(how).toMatchObject({ tickets: 4, ignored: 1, wouldAutoReply: 2, wouldBeAutomation: 2 / 3, recommendation: 'review', medianConfidence: 0.7 });
    expect(how!.live).toMatchObject({ verdicts: 2, good: 1, precision: 0.5 });
  });

  it('flags live replies below the target even when the default address runs the type in shadow (another address runs it in auto)', () => {
    const wrong = Array.from({ length: 3 }, () => row({ mode: 'auto', outcome: 'auto_reply', verdict: 'wrong' }));
    expect(buildReport(wrong, ['how_to'], () => 'shadow', thresholds).perType[0]!.recommendation).toBe('review');
  });

  it('puts decisions without a request type (guard-ignored mail) under unclassified, not unclear, and never recommends them', () => {
    const guarded = Array.from({ length: 74 }, () => row({ requestType: null, verdict: 'would_send' }));
    const { perType } = buildReport([...guarded, row({ requestType: 'unclear' })], ['how_to', 'unclear'], () => 'shadow', thresholds);
    expect(perType.map((t) => [t.requestType, t.tickets, t.recommendation])).toEqual([
      ['unclear', 1, null],
      ['unclassified', 74, null],
    ]);
  });

  it('takes the median of an even count as the mean of the middle two', () => {
    expect(median([0.4, 0.9, 0.5, 0.8])).toBeCloseTo(0.65);
    expect(median([])).toBeNull();
  });
});

describe('judgeFollowUp', () => {
  const earlier = { subject: 'Password', text: 'I forgot my password. How do I reset it?' };
  it.each([
    ["That didn't help, the link never arrives.", 'wrong'],
    ['Thanks, but it still doesn’t work.', 'wrong'],
    ['STILL BROKEN.', 'wrong'],
    ['I did that and it did not work', 'wrong'],
    ['Thanks, that fixed it!', 'right'],
    ['Works now, cheers', 'right'],
    ['Hi again. I forgot my password, how do I reset it?', 'wrong'],
  ])('%s → %s', (text, verdict) => {
    expect(judgeFollowUp({ subject: 'Re: Password', text }, earlier)?.verdict).toBe(verdict);
  });

  it('gives no verdict to a new question in the thread, and folds look-alike letters', () => {
    expect(judgeFollowUp({ subject: 'Re: Password', text: 'Also, can I export my invoices as CSV?' }, earlier)).toBeNull();
    // Cyrillic "о" in "not": the same words to the patterns.
    expect(judgeFollowUp({ subject: 'Re', text: 'It did n\u043et help' }, earlier)?.verdict).toBe('wrong');
    expect(judgeFollowUp({ subject: 'Re', text: 'still br\u043eken' }, earlier)?.verdict).toBe('wrong');
  });

  it('reads only the capped opening, in time linear in it', () => {
    const long = `${'a '.repeat(FOLLOW_UP_SCAN_CHARS)}that didn't help`;
    expect(judgeFollowUp({ subject: '', text: long }, earlier)).toBeNull();
    const started = performance.now();
    judgeFollowUp({ subject: '', text: `${'still '.repeat(200_000)}` }, earlier);
    expect(performance.now() - started).toBeLessThan(200);
  });
});
