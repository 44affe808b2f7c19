// Calibration evidence from human verdicts, pure: reliability bins, expected
// calibration error and the auto-reply threshold the evidence supports.
// A draft counts as "approved" only when a person sent it unchanged: an edited
// draft would have been a wrong auto-reply, so it counts against precision.
import { fewestAllSuccesses, wilsonInterval } from '../rollout/wilson';

export type ReviewedDraft = { confidence: number; approved: boolean };

export type ReliabilityBin = {
  lower: number;
  upper: number;
  count: number;
  /** Mean calibrated confidence of the drafts in the bin (null when empty). */
  meanConfidence: number | null;
  /** Share of the bin's drafts a person approved unchanged (null when empty). */
  approvedRate: number | null;
};

/** Equal-width bins over [0, 1]; a confidence of exactly 1 falls in the last bin. */
export function reliabilityBins(drafts: ReviewedDraft[], binCount = 10): ReliabilityBin[] {
  const bins = Array.from({ length: binCount }, (_, i) => ({ lower: i / binCount, upper: (i + 1) / binCount, count: 0, sum: 0, approved: 0 }));
  for (const draft of drafts) {
    const bin = bins[Math.min(binCount - 1, Math.max(0, Math.floor(draft.confidence * binCount)))]!;
    bin.count += 1;
    bin.sum += draft.confidence;
    bin.approved += draft.approved ? 1 : 0;
  }
  return bins.map(({ lower, upper, count, sum, approved }) => ({
    lower,
    upper,
    count,
    meanConfidence: count ? sum / count : null,
    approvedRate: count ? approved / count : null,
  }));
}

/** ECE (Guo et al. 2017): the count-weighted mean gap between confidence and approved rate. */
export function expectedCalibrationError(bins: ReliabilityBin[]): number | null {
  const total = bins.reduce((n, b) => n + b.count, 0);
  if (total === 0) return null;
  return bins.reduce((sum, b) => sum + (b.count / total) * Math.abs((b.approvedRate ?? 0) - (b.meanConfidence ?? 0)), 0);
}

export type ThresholdCut = {
  threshold: number;
  /** Precision of the drafts at or above `threshold`. */
  precision: number;
  /** Its 95% Wilson lower bound: what the precision is, at worst, on drafts to come. */
  lowerBound: number;
  /** How many reviewed drafts sit at or above `threshold`: the evidence it rests on. */
  count: number;
};

export type ThresholdRecommendation = {
  /** The lowest threshold whose precision's lower bound meets the target on enough drafts, or null. */
  threshold: number | null;
  precision: number | null;
  lowerBound: number | null;
  count: number;
  /** Without a recommendation: the cut closest to one (highest lower bound on enough drafts), to show how far off it is. */
  closest: ThresholdCut | null;
  /** All reviewed drafts considered. */
  reviewed: number;
  target: number;
  minCount: number;
  /** The fewest drafts at or above a threshold, none of them wrong, whose lower bound reaches the target; null when none can (a target of 1). */
  fewestNeeded: number | null;
};

/**
 * The lowest auto-reply threshold t such that, among reviewed drafts with
 * confidence ≥ t, the 95% Wilson lower bound of the share approved unchanged
 * reaches `target`, counting only thresholds backed by at least `minCount` drafts.
 * The lower bound, not the observed share: picking the lowest of many cuts that
 * happen to reach 95% on 20-odd drafts is picking the luckiest, and in the refit
 * simulation (`npm run fit:confidence`) a team that followed the observed share got
 * 86% precision on the sample tickets after 30 verdicts. The shadow report holds a request type to
 * the same bound. Candidates are the observed confidences.
 */
export function recommendThreshold(drafts: ReviewedDraft[], target: number, minCount: number): ThresholdRecommendation {
  const sorted = [...drafts].sort((a, b) => b.confidence - a.confidence);
  let recommended: ThresholdCut | null = null;
  let closest: ThresholdCut | null = null;
  let approved = 0;
  for (let i = 0; i < sorted.length; i++) {
    approved += sorted[i]!.approved ? 1 : 0;
    // Only cut between distinct confidences: ties sit on the same side of any threshold.
    if (i + 1 < sorted.length && sorted[i + 1]!.confidence === sorted[i]!.confidence) continue;
    const count = i + 1;
    if (count < minCount) continue;
    const cut = { threshold: sorted[i]!.confidence, precision: approved / count, lowerBound: wilsonInterval(approved, count).lower, count };
    if (cut.lowerBound >= target) recommended = cut;
    if (!closest || cut.lowerBound > closest.lowerBound) closest = cut;
  }
  const allGood = fewestAllSuccesses(target);
  return {
    threshold: recommended?.threshold ?? null,
    precision: recommended?.precision ?? null,
    lowerBound: recommended?.lowerBound ?? null,
    count: recommended?.count ?? 0,
    closest: recommended ? null : closest,
    reviewed: drafts.length,
    target,
    minCount,
    fewestNeeded: allGood === null ? null : Math.max(allGood, minCount),
  };
}

/** Precision and coverage at fixed thresholds, for the table beside the recommendation. */
export function precisionAt(drafts: ReviewedDraft[], thresholds: number[]): { threshold: number; count: number; precision: number | null }[] {
  return thresholds.map((threshold) => {
    const above = drafts.filter((d) => d.confidence >= threshold);
    const approved = above.filter((d) => d.approved).length;
    return { threshold, count: above.length, precision: above.length ? approved / above.length : null };
  });
}
