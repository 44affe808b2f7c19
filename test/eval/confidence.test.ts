import { describe, expect, it } from 'vitest';
import { FEATURE_NAMES, type ConfidenceFeatures } from '../../src/decide/confidence-features';
import { atThreshold, auc, chooseThreshold, topDocLabel, type FeatureRow } from '../../scripts/lib/confidence-fit';
import { caseLine, isHeldOut, publicCases, ticketCases } from '../../scripts/lib/confidence-sets';
import { parseCases } from '../../scripts/lib/cases';

const features = (lead: number): ConfidenceFeatures => ({ ...(Object.fromEntries(FEATURE_NAMES.map((n) => [n, 0])) as ConfidenceFeatures), doc_lead: lead });

describe('confidence sets', () => {
  it('turns TechQA questions into tickets: answerable ones expect an auto-reply, unanswerable ones a person', () => {
    const text = [
      JSON.stringify({ id: 'Q1', question: 'How do I enable SSL?', answerable: true, gold_doc_ids: ['swg1'] }),
      JSON.stringify({ id: 'Q2', question: 'Why does the server crash?', answerable: false }),
      'not json',
    ].join('\n');
    const { cases, problems } = publicCases('techqa', text);
    expect(cases.map((c) => [c.id, c.expect, c.answerable, c.goldDocIds])).toEqual([
      ['Q1', 'auto_reply', true, ['swg1']],
      ['Q2', 'escalate', false, []],
    ]);
    expect(problems).toEqual([expect.objectContaining({ line: 3 })]);
    // Written as eval cases, they load back through the eval's own parser.
    expect(parseCases(cases.map(caseLine).join('\n')).cases.map((c) => c.expect)).toEqual(['auto_reply', 'escalate']);
  });

  it('keeps only the sample tickets that ask how to do something', () => {
    const text = [
      JSON.stringify({ id: 't1', question: 'How do I export?', expect: 'auto_reply', gold_doc_ids: ['export'] }),
      JSON.stringify({ id: 't2', question: 'Refund me now', expect: 'escalate' }),
    ].join('\n');
    expect(ticketCases(text).cases.map((c) => c.id)).toEqual(['t1']);
  });

  it('holds out about 30% of each corpus, by id alone', () => {
    const ids = Array.from({ length: 1000 }, (_, i) => `Q${i}`);
    const share = ids.filter((id) => isHeldOut('wixqa', id)).length / ids.length;
    expect(share).toBeGreaterThan(0.26);
    expect(share).toBeLessThan(0.34);
    expect(ids.filter((id) => isHeldOut('wixqa', id))).toEqual(ids.filter((id) => isHeldOut('wixqa', id)));
    expect(ids.some((id) => isHeldOut('wixqa', id) !== isHeldOut('techqa', id))).toBe(true);
  });
});

describe('confidence fit metrics', () => {
  it('labels a case right only when it is answerable and the top doc is gold', () => {
    expect(topDocLabel(true, 'a', ['a', 'b'])).toBe(1);
    expect(topDocLabel(true, 'c', ['a'])).toBe(0);
    expect(topDocLabel(false, 'a', ['a'])).toBe(0);
    expect(topDocLabel(true, undefined, ['a'])).toBe(0);
  });

  it('computes AUC with ties counted half', () => {
    const points = [
      { p: 0.9, label: 1 as const, answerable: true },
      { p: 0.5, label: 1 as const, answerable: true },
      { p: 0.5, label: 0 as const, answerable: true },
      { p: 0.1, label: 0 as const, answerable: false },
    ];
    // Pairs (pos, neg): 0.9>0.5, 0.9>0.1, 0.5=0.5 (½), 0.5>0.1 → 3.5 / 4.
    expect(auc(points)).toBeCloseTo(0.875);
    expect(auc(points.filter((p) => p.label === 1))).toBeNull();
    expect(atThreshold(points, 0.5)).toEqual({ threshold: 0.5, replied: 3, precision: 2 / 3, automation: 2 / 3, unanswerableReplied: 0 });
  });

  it('chooses the threshold on the fitting part only', () => {
    const params = { bias: -2, weights: features(4) };
    const row = (id: string, lead: number, label: 0 | 1, heldOut: boolean): FeatureRow => ({ corpus: 'wixqa', id, heldOut, answerable: true, label, features: features(lead) });
    // Fitting part: right above lead 0.75 only; the held-out part would say otherwise, and is ignored.
    const rows = [row('a', 1, 1, false), row('b', 0.8, 1, false), row('c', 0.7, 0, false), row('d', 0.9, 0, true), row('e', 1, 0, true)];
    const t = chooseThreshold(rows, params, 0.95);
    expect(t).toBeGreaterThan(1 / (1 + Math.exp(-(-2 + 4 * 0.7))));
    expect(t).toBeLessThanOrEqual(1 / (1 + Math.exp(-(-2 + 4 * 0.8))));
  });
});
