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
  it('picks the lowest threshold meeting the target on enough drafts: 0.85 (19 of 20 approved)', () => {
    expect(recommendThreshold(SAMPLE, 0.95, 20)).toEqual({ threshold: 0.85, precision: 0.95, count: 20, reviewed: 40, target: 0.95, minCount: 20 });
  });

  it('does not trust a short perfect tail below the minimum count', () => {
    expect(recommendThreshold(SAMPLE, 0.99, 20).threshold).toBeNull();
    expect(recommendThreshold(SAMPLE, 0.99, 10)).toMatchObject({ threshold: 0.95, count: 10, precision: 1 });
  });

  it('goes lower when the target allows it', () => {
    expect(recommendThreshold(SAMPLE, 0.9, 20)).toMatchObject({ threshold: 0.75, count: 30, precision: 0.9 });
    expect(recommendThreshold(SAMPLE, 0.75, 1)).toMatchObject({ threshold: 0.55, count: 40 });
  });

  it('never splits drafts of equal confidence', () => {
    const tied = [...drafts(0.8, 1, 1), ...drafts(0.9, 19, 0)];
    // Cutting inside the 0.8 tie would give 20/20; the honest cut at 0.8 gives 20/21.
    expect(recommendThreshold(tied, 0.96, 1)).toMatchObject({ threshold: 0.9, count: 19 });
  });

  it('recommends nothing without reviewed drafts', () => {
    expect(recommendThreshold([], 0.95, 1)).toMatchObject({ threshold: null, count: 0, reviewed: 0 });
  });

  it('tabulates precision and coverage at fixed thresholds', () => {
    expect(precisionAt(SAMPLE, [0.5, 0.8, 0.99])).toEqual([
      { threshold: 0.5, count: 40, precision: 0.75 },
      { threshold: 0.8, count: 20, precision: 0.95 },
      { threshold: 0.99, count: 0, precision: null },
    ]);
  });
});
