import { describe, expect, it } from 'vitest';
import { expectedCalibrationError, precisionAt, recommendThreshold, reliabilityBins, type ReviewedDraft } from '../../src/decide/recommend';

const drafts = (confidence: number, approved: number, notApproved: number): ReviewedDraft[] => [
  ...Array.from({ length: approved }, () => ({ confidence, approved: true })),
  ...Array.from({ length: notApproved }, () => ({ confidence, approved: false })),
];

// 40 reviewed drafts with a hand-computed answer (see the insight test for the same set through D1).
const SAMPLE = [...drafts(0.95, 10, 0), ...drafts(0.85, 9, 1), ...drafts(0.75, 8, 2), ...drafts(0.55, 3, 7)];

describe('reliability bins and ECE', () => {
  it('bins drafts by confidence with their approved rate', () => {
    const bins = reliabilityBins(SAMPLE);
    expect(bins).toHaveLength(10);
    expect(bins.map((b) => b.count)).toEqual([0, 0, 0, 0, 0, 10, 0, 10, 10, 10]);
    expect(bins[5]).toMatchObject({ lower: 0.5, upper: 0.6, approvedRate: 0.3 });
    expect(bins[5]!.meanConfidence).toBeCloseTo(0.55);
    expect(bins[0]).toMatchObject({ count: 0, approvedRate: null, meanConfidence: null });
  });

  it('puts a confidence of exactly 1 in the last bin', () => {
    expect(reliabilityBins([{ confidence: 1, approved: true }])[9]!.count).toBe(1);
  });

  it('computes ECE as the count-weighted gap: (3 × 10 × 0.05 + 10 × 0.25) / 40 = 0.1', () => {
    expect(expectedCalibrationError(reliabilityBins(SAMPLE))).toBeCloseTo(0.1, 10);
  });

  it('is 0 for perfectly calibrated drafts and null without any', () => {
    expect(expectedCalibrationError(reliabilityBins([...drafts(0.75, 3, 1)]))).toBeCloseTo(0, 10);
    expect(expectedCalibrationError(reliabilityBins([]))).toBeNull();
  });
});

describe('threshold recommendation', () => {
  it('does not recommend on a share that reached the target by luck: 19 of 20 approved is at least 76.4% at the lower bound', () => {
    const rec = recommendThreshold(SAMPLE, 0.95, 20);
    expect(rec).toMatchObject({ threshold: null, precision: null, count: 0, reviewed: 40, target: 0.95, minCount: 20, fewestNeeded: 73 });
    // The closest cut is the one with the highest lower bound on enough drafts: 0.85 (19 of 20).
    expect(rec.closest).toMatchObject({ threshold: 0.85, precision: 0.95, count: 20 });
    expect(rec.closest!.lowerBound).toBeCloseTo(0.7639, 4);
  });

  it('picks the lowest threshold whose lower bound meets the target on enough drafts', () => {
    // 80 of 80 at 0.95 is at least 95.4%; adding the 0.85 drafts (89 of 90) drops it to 94.0%.
    const rec = recommendThreshold([...drafts(0.95, 80, 0), ...SAMPLE.filter((d) => d.confidence < 0.9)], 0.95, 20);
    expect(rec).toMatchObject({ threshold: 0.95, precision: 1, count: 80, closest: null });
    expect(rec.lowerBound).toBeCloseTo(0.9542, 4);
    // A lower target reaches further down: 97 of 100 at 0.75 is at least 91.5%.
    expect(recommendThreshold([...drafts(0.95, 80, 0), ...SAMPLE.filter((d) => d.confidence < 0.9)], 0.9, 20)).toMatchObject({ threshold: 0.75, count: 100 });
  });

  it('does not trust a short perfect tail below the minimum count', () => {
    const tail = [...drafts(0.99, 90, 0), ...drafts(0.5, 0, 10)];
    expect(recommendThreshold(tail, 0.95, 100).threshold).toBeNull();
    expect(recommendThreshold(tail, 0.95, 20)).toMatchObject({ threshold: 0.99, count: 90 });
  });

  it('never splits drafts of equal confidence', () => {
    const tied = [...drafts(0.8, 1, 1), ...drafts(0.9, 99, 0)];
    // Cutting inside the 0.8 tie would give 100/100; the honest cut at 0.8 gives 100/101 (lower bound 94.6%).
    expect(recommendThreshold(tied, 0.95, 1)).toMatchObject({ threshold: 0.9, count: 99 });
  });

  it('says no number of drafts proves a target of 100%', () => {
    expect(recommendThreshold(drafts(0.99, 500, 0), 1, 20)).toMatchObject({ threshold: null, fewestNeeded: null });
    // Just under 1 it is a large number, not none: n of n has the lower bound n / (n + z²).
    expect(recommendThreshold([], 0.99999, 20).fewestNeeded).toBe(384_143);
    expect(recommendThreshold([], 0.5, 20).fewestNeeded).toBe(20);
    expect(recommendThreshold(drafts(0.99, 500, 0), 0.99, 20)).toMatchObject({ threshold: 0.99, count: 500 });
  });

  it('recommends nothing without reviewed drafts', () => {
    expect(recommendThreshold([], 0.95, 1)).toMatchObject({ threshold: null, count: 0, reviewed: 0, closest: null });
  });

  it('tabulates precision and coverage at fixed thresholds', () => {
    expect(precisionAt(SAMPLE, [0.5, 0.8, 0.99])).toEqual([
      { threshold: 0.5, count: 40, precision: 0.75 },
      { threshold: 0.8, count: 20, precision: 0.95 },
      { threshold: 0.99, count: 0, precision: null },
    ]);
  });
});
