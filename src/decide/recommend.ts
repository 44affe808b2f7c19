// Calibration evidence from human verdicts, pure: reliability bins, expected
// calibration error and the auto-reply threshold the evidence supports.
// A draft counts as "approved" only when a person sent it unchanged: an edited
// draft would have been a wrong auto-reply, so it counts against precision.

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

export type ThresholdRecommendation = {
  /** The lowest threshold meeting the target, or null when none does on enough drafts. */
  threshold: number | null;
  /** Precision of the drafts at or above `threshold`. */
  precision: number | null;
  /** How many reviewed drafts sit at or above `threshold`: the evidence it rests on. */
  count: number;
  /** All reviewed drafts considered. */
  reviewed: number;
  target: number;
  minCount: number;
};

/**
 * The lowest auto-reply threshold t such that, among reviewed drafts with
 * confidence ≥ t, at least `target` were approved unchanged, counting only
 * thresholds backed by at least `minCount` drafts (a tail of one lucky draft
 * proves nothing). Candidates are the observed confidences.
 */
export function recommendThreshold(drafts: ReviewedDraft[], target: number, minCount: number): ThresholdRecommendation {
  const sorted = [...drafts].sort((a, b) => b.confidence - a.confidence);
  const none = { threshold: null, precision: null, count: 0, reviewed: drafts.length, target, minCount };
  let best: ThresholdRecommendation = none;
  let approved = 0;
  for (let i = 0; i < sorted.length; i++) {
    approved += sorted[i]!.approved ? 1 : 0;
    const confidence = sorted[i]!.confidence;
    // Only cut between distinct confidences: ties sit on the same side of any threshold.
    if (i + 1 < sorted.length && sorted[i + 1]!.confidence === confidence) continue;
    const count = i + 1;
    const precision = approved / count;
    if (count >= minCount && precision >= target) best = { ...none, threshold: confidence, precision, count };
  }
  return best;
}

/** Precision and coverage at fixed thresholds, for the table beside the recommendation. */
export function precisionAt(drafts: ReviewedDraft[], thresholds: number[]): { threshold: number; count: number; precision: number | null }[] {
  return thresholds.map((threshold) => {
    const above = drafts.filter((d) => d.confidence >= threshold);
    const approved = above.filter((d) => d.approved).length;
    return { threshold, count: above.length, precision: above.length ? approved / above.length : null };
  });
}
