import { describe, expect, it } from 'vitest';
import { expectedCalibrationError, summarize, type CaseResult } from '../../scripts/lib/metrics';

const base: CaseResult = {
  id: '',
  expected: null,
  actual: 'escalate',
  reasons: [],
  confidence: null,
  topDocIds: [],
  docSources: [],
  goldDocIds: [],
  costUsd: 0,
};
const result = (fields: Partial<CaseResult>): CaseResult => ({ ...base, ...fields });

// Six hand-labelled cases; every number below is worked out by hand in the comments.
const cases: CaseResult[] = [
  // answerable, auto-replied, cites a gold doc: a correct auto-reply; gold at rank 1
  result({ id: 'a', expected: 'auto_reply', actual: 'auto_reply', confidence: 0.9, topDocIds: ['reset', 'login'], docSources: ['reset'], goldDocIds: ['reset'], costUsd: 0.002 }),
  // answerable, auto-replied, cites the wrong doc: an incorrect auto-reply; gold at rank 2
  result({ id: 'b', expected: 'auto_reply', actual: 'auto_reply', confidence: 0.9, topDocIds: ['login', 'reset'], docSources: ['login'], goldDocIds: ['reset'], costUsd: 0.003 }),
  // answerable, sent to review; gold not retrieved at all
  result({ id: 'c', expected: 'auto_reply', actual: 'review', confidence: 0.6, topDocIds: ['a', 'b', 'c', 'd', 'e', 'f'], goldDocIds: ['z'] }),
  // must escalate, and did; gold at rank 6 (outside top 5)
  result({ id: 'd', expected: 'escalate', actual: 'escalate', confidence: 0.2, topDocIds: ['a', 'b', 'c', 'd', 'e', 'refunds'], docSources: ['refunds'], goldDocIds: ['refunds'], requestType: 'refund_request', needsPerson: true }),
  // must escalate, went to review: still caught by a human
  result({ id: 'e', expected: 'escalate', actual: 'review', confidence: 0.6 }),
  // an auto-reply that must be ignored, and was not
  result({ id: 'f', expected: 'ignore', actual: 'escalate', confidence: 0.2 }),
];

describe('eval metrics on a hand-computed case set', () => {
  const summary = summarize(cases);

  it('counts every expected → actual pair in the confusion matrix', () => {
    expect(summary.outcomes.confusion).toEqual({
      auto_reply: { auto_reply: 2, review: 1 },
      escalate: { escalate: 1, review: 1 },
      ignore: { escalate: 1 },
    });
  });

  it('computes automation rate, auto-reply precision and escalation / ignore recall', () => {
    expect(summary.automation_rate).toBeCloseTo(2 / 3);
    expect(summary.auto_reply_precision).toBeCloseTo(1 / 2);
    expect(summary.escalation_recall).toBe(1);
    expect(summary.ignore_recall).toBe(0);
  });

  it('scores retrieval only on cases with gold docs: recall@1, recall@5 and MRR', () => {
    // ranks a=1, b=2, c=none, d=6 → recall@1 1/4, recall@5 2/4, MRR (1 + 1/2 + 0 + 1/6) / 4
    expect(summary.retrieval).toEqual({ 'recall@1': 0.25, 'recall@5': 0.5, mrr: expect.closeTo((1 + 0.5 + 1 / 6) / 4, 10), n: 4 });
  });

  it('measures calibration error on the cases that expect an auto-reply: does the draft cite a gold doc', () => {
    // a, b, c only (d, e, f are the request type's to route): 0.9 → {a right, b wrong}: |0.5 − 0.9| × 2/3; 0.6 → {c wrong}: 0.6 × 1/3
    expect(summary.ece).toBeCloseTo((0.4 * 2 + 0.6) / 3, 10);
  });

  it('counts a right draft held back for review as right: the confidence judges the draft, not the routing', () => {
    const held = result({ id: 'r', expected: 'auto_reply', actual: 'review', confidence: 0.8, docSources: ['reset'], goldDocIds: ['reset'] });
    expect(summarize([held]).ece).toBeCloseTo(0.2, 10);
    expect(summarize([{ ...held, docSources: ['login'] }]).ece).toBeCloseTo(0.8, 10);
  });

  it('sums model cost and reports each case with its top five docs, the docs its draft cites, request type and whether it needs a person', () => {
    expect(summary.cost_usd).toBeCloseTo(0.005);
    expect(summary.n).toBe(6);
    expect(summary.per_case[3]).toEqual({ id: 'd', expected: 'escalate', actual: 'escalate', reasons: [], confidence: 0.2, top_doc_ids: ['a', 'b', 'c', 'd', 'e'], doc_sources: ['refunds'], request_type: 'refund_request', needs_person: true });
    // A case without a decision's request type says so (null), not a guess.
    expect(summary.per_case[0]).toMatchObject({ request_type: null, needs_person: null });
  });

  it('reports null for metrics the case set cannot support', () => {
    const unlabelled = summarize([result({ id: 'q', topDocIds: ['x'] })]);
    expect(unlabelled).toMatchObject({
      retrieval: { 'recall@1': null, 'recall@5': null, mrr: null, n: 0 },
      automation_rate: null,
      auto_reply_precision: null,
      escalation_recall: null,
      ignore_recall: null,
      ece: null,
    });
  });

  it('counts an auto-reply without gold docs as correct when one was expected', () => {
    expect(summarize([result({ id: 'g', expected: 'auto_reply', actual: 'auto_reply', docSources: ['any'] })]).auto_reply_precision).toBe(1);
  });
});

describe('expected calibration error', () => {
  it('is zero for perfectly calibrated bins and puts confidence 1.0 in the top bin', () => {
    expect(expectedCalibrationError([{ confidence: 1, correct: true }, { confidence: 0, correct: false }])).toBe(0);
  });

  it('weights each bin by its share of cases', () => {
    // one bin [0.7, 0.8): 4 cases at 0.75, 1 correct → |0.25 − 0.75| = 0.5
    const points = [0.75, 0.75, 0.75, 0.75].map((confidence, i) => ({ confidence, correct: i === 0 }));
    expect(expectedCalibrationError(points)).toBeCloseTo(0.5, 10);
  });
});
