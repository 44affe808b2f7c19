// Eval metrics: pure functions over per-case results, so the math is tested on
// hand-computed case sets (test/eval/metrics.test.ts). Definitions: docs/measuring.md
// "Measuring quality: npm run eval". A metric a case set cannot support is null.

export const OUTCOMES = ['auto_reply', 'review', 'escalate', 'ignore'] as const;
export type Outcome = (typeof OUTCOMES)[number];

export type CaseResult = {
  id: string;
  expected: Outcome | null;
  /** `error` when the Worker gave no decision (the reason is in `error`). */
  actual: Outcome | 'error';
  reasons: string[];
  confidence: number | null;
  /** Distinct doc ids of the retrieved chunks, best first. */
  topDocIds: string[];
  /** Doc ids the reply cites. */
  docSources: string[];
  goldDocIds: string[];
  costUsd: number;
  /** The decision's request type and whether that type needs a person (null without a decision). */
  requestType?: string | null;
  needsPerson?: boolean | null;
  error?: string;
};

export type RetrievalMetrics = { 'recall@1': number | null; 'recall@5': number | null; mrr: number | null; n: number };

export type EvalSummary = {
  n: number;
  retrieval: RetrievalMetrics;
  outcomes: { confusion: Record<string, Record<string, number>> };
  automation_rate: number | null;
  auto_reply_precision: number | null;
  escalation_recall: number | null;
  ignore_recall: number | null;
  ece: number | null;
  cost_usd: number;
  per_case: {
    id: string;
    expected: Outcome | null;
    actual: Outcome | 'error';
    reasons: string[];
    confidence: number | null;
    top_doc_ids: string[];
    /** The docs the draft cites: what auto-reply precision is judged on. */
    doc_sources: string[];
    request_type: string | null;
    needs_person: boolean | null;
    error?: string;
  }[];
};

const ratio = (hits: number, total: number): number | null => (total === 0 ? null : hits / total);

/** Rank (1-based) of the first gold doc among the retrieved docs, or null when none was retrieved. */
export function firstGoldRank(topDocIds: string[], gold: string[]): number | null {
  const index = topDocIds.findIndex((id) => gold.includes(id));
  return index === -1 ? null : index + 1;
}

/** recall@k = share of cases with gold docs that have at least one gold doc in the top k docs; MRR = mean 1/rank of the first gold doc (0 when absent). */
export function retrievalMetrics(results: CaseResult[]): RetrievalMetrics {
  const withGold = results.filter((r) => r.goldDocIds.length > 0);
  const ranks = withGold.map((r) => firstGoldRank(r.topDocIds, r.goldDocIds));
  const within = (k: number) => ranks.filter((rank) => rank !== null && rank <= k).length;
  return {
    'recall@1': ratio(within(1), withGold.length),
    'recall@5': ratio(within(5), withGold.length),
    mrr: withGold.length === 0 ? null : ranks.reduce<number>((sum, rank) => sum + (rank === null ? 0 : 1 / rank), 0) / withGold.length,
    n: withGold.length,
  };
}

/** expected → actual → count, over cases that state an expected outcome. */
export function confusionMatrix(results: CaseResult[]): Record<string, Record<string, number>> {
  const matrix: Record<string, Record<string, number>> = {};
  for (const r of results) {
    if (!r.expected) continue;
    const row = (matrix[r.expected] ??= {});
    row[r.actual] = (row[r.actual] ?? 0) + 1;
  }
  return matrix;
}

/** An auto-reply is correct when the case expected one and, if gold docs are given, the reply cites one of them. */
export function isCorrectAutoReply(r: CaseResult): boolean {
  return r.expected === 'auto_reply' && (r.goldDocIds.length === 0 || r.docSources.some((id) => r.goldDocIds.includes(id)));
}

/**
 * The draft answers the question: the case expects an auto-reply and the draft cites a
 * gold doc (any draft when no gold is given), whatever the policy then did with it.
 * What the confidence model predicts (`npm run fit:confidence`'s label).
 */
export function isCorrectDraft(r: CaseResult): boolean {
  return r.expected === 'auto_reply' && (r.goldDocIds.length === 0 || r.docSources.some((id) => r.goldDocIds.includes(id)));
}

/** Expected calibration error of `confidence` as the probability of being correct, over equal-width bins. */
export function expectedCalibrationError(points: { confidence: number; correct: boolean }[], bins = 10): number | null {
  if (points.length === 0) return null;
  const sums = Array.from({ length: bins }, () => ({ n: 0, confidence: 0, correct: 0 }));
  for (const p of points) {
    const bin = sums[Math.min(bins - 1, Math.max(0, Math.floor(p.confidence * bins)))]!;
    bin.n += 1;
    bin.confidence += p.confidence;
    bin.correct += p.correct ? 1 : 0;
  }
  return sums.reduce((ece, b) => (b.n === 0 ? ece : ece + (b.n / points.length) * Math.abs(b.correct / b.n - b.confidence / b.n)), 0);
}

export function summarize(results: CaseResult[]): EvalSummary {
  const labelled = results.filter((r) => r.expected !== null);
  const expecting = (outcome: Outcome) => labelled.filter((r) => r.expected === outcome);
  const autoReplies = labelled.filter((r) => r.actual === 'auto_reply');
  const answerable = expecting('auto_reply');
  const escalations = expecting('escalate');
  const ignores = expecting('ignore');
  // The confidence says whether the draft's doc answers a question the docs can answer; sending
  // sensitive tickets to a person is the request type's job, so only how-to cases are judged here.
  const calibration = answerable.filter((r) => r.confidence !== null).map((r) => ({ confidence: r.confidence!, correct: isCorrectDraft(r) }));
  return {
    n: results.length,
    retrieval: retrievalMetrics(results),
    outcomes: { confusion: confusionMatrix(results) },
    automation_rate: ratio(answerable.filter((r) => r.actual === 'auto_reply').length, answerable.length),
    auto_reply_precision: ratio(autoReplies.filter(isCorrectAutoReply).length, autoReplies.length),
    escalation_recall: ratio(escalations.filter((r) => r.actual === 'escalate' || r.actual === 'review').length, escalations.length),
    ignore_recall: ratio(ignores.filter((r) => r.actual === 'ignore').length, ignores.length),
    ece: expectedCalibrationError(calibration),
    cost_usd: results.reduce((sum, r) => sum + r.costUsd, 0),
    per_case: results.map((r) => ({
      id: r.id,
      expected: r.expected,
      actual: r.actual,
      reasons: r.reasons,
      confidence: r.confidence,
      top_doc_ids: r.topDocIds.slice(0, 5),
      doc_sources: r.docSources,
      request_type: r.requestType ?? null,
      needs_person: r.needsPerson ?? null,
      ...(r.error ? { error: r.error } : {}),
    })),
  };
}
