// Fitting and judging the confidence model across corpora. Pure: labelled feature
// rows in, parameters, thresholds and a held-out report out (tested in test/eval).
import { calibrate, fitCalibration, type CalibrationParams } from '../../src/decide/calibration';
import type { ConfidenceFeatures } from '../../src/decide/confidence-features';
import type { CorpusName } from './confidence-sets';
import { expectedCalibrationError } from './metrics';
import type { DecisionView } from './run-cases';

export type FeatureRow = {
  corpus: CorpusName;
  id: string;
  heldOut: boolean;
  answerable: boolean;
  /** 1 when the question is answerable and the selected doc (answer selection; before it, the top retrieved doc) is a gold doc. */
  label: 0 | 1;
  /** 1 when the top retrieved doc is a gold doc: what the label was before answer selection. */
  retrievalTopRight?: 0 | 1;
  features: ConfidenceFeatures;
  /** What the Worker saw and retrieved, so features can be recomputed offline (--from-dump). */
  query?: string;
  goldDocIds?: string[];
  requestType?: string | null;
  retrieved?: DecisionView['retrieved'];
};

/** 1 when the docs can answer and the first retrieved doc is one of the gold docs. */
export function topDocLabel(answerable: boolean, topDocId: string | undefined, gold: readonly string[]): 0 | 1 {
  return answerable && topDocId !== undefined && gold.includes(topDocId) ? 1 : 0;
}

/** Models' self-scores run high: until a refit on reviewed drafts says otherwise, this one is neutral. */
const NEUTRAL_SELF_SCORE = 0.9;

/**
 * The offline runs have no self-score, so its weights cannot be fitted here and stay at
 * this prior: the model's log-odds are added to the evidence's, relative to a neutral
 * NEUTRAL_SELF_SCORE, so a confident model still needs the retrieval evidence to agree
 * and an unsure one (0.6) pulls the probability down. A refit on reviewed Claude drafts
 * learns both weights.
 */
export const SELF_SCORE_PRIOR = {
  bias: 0,
  weights: {
    coverage_top: 0,
    coverage_any: 0,
    title_coverage: 0,
    doc_lead: 0,
    separation: 0,
    agreement: 0,
    selection_margin: 0,
    self_score: 1,
    self_present: -Math.log(NEUTRAL_SELF_SCORE / (1 - NEUTRAL_SELF_SCORE)),
  },
};

/** L2 strength, in samples' worth of evidence: 5 gave the fitting parts the lowest ECE and most automation at the 0.95 threshold (of 1, 5, 20). */
export const FIT_PRIOR_WEIGHT = 5;

/** Each corpus weighs the same in the fit, whatever its size: no corpus's quirks dominate. */
export function fitAcrossCorpora(rows: readonly FeatureRow[], priorWeight = FIT_PRIOR_WEIGHT): Pick<CalibrationParams, 'bias' | 'weights'> {
  const fitRows = rows.filter((r) => !r.heldOut);
  const perCorpus = new Map<CorpusName, number>();
  for (const r of fitRows) perCorpus.set(r.corpus, (perCorpus.get(r.corpus) ?? 0) + 1);
  const share = fitRows.length / perCorpus.size;
  return fitCalibration(
    fitRows.map((r) => ({ features: r.features, label: r.label, weight: share / perCorpus.get(r.corpus)! })),
    { prior: SELF_SCORE_PRIOR, priorWeight, iterations: 20_000, learningRate: 0.5 },
  );
}

export type Scored = { p: number; label: 0 | 1; answerable: boolean };

/** Area under the ROC curve (ties count half); null without both classes. */
export function auc(points: readonly Scored[]): number | null {
  const pos = points.filter((p) => p.label === 1);
  const neg = points.filter((p) => p.label === 0);
  if (pos.length === 0 || neg.length === 0) return null;
  let wins = 0;
  for (const a of pos) for (const b of neg) wins += a.p > b.p ? 1 : a.p === b.p ? 0.5 : 0;
  return wins / (pos.length * neg.length);
}

export type AtThreshold = { threshold: number; replied: number; precision: number | null; automation: number | null; unanswerableReplied: number | null };

/** Replies at p ≥ threshold: precision over them, automation over answerable questions, and the share of unanswerable ones replied to. */
export function atThreshold(points: readonly Scored[], threshold: number): AtThreshold {
  const replied = points.filter((p) => p.p >= threshold);
  const answerable = points.filter((p) => p.answerable);
  const unanswerable = points.filter((p) => !p.answerable);
  return {
    threshold,
    replied: replied.length,
    precision: replied.length ? replied.filter((p) => p.label === 1).length / replied.length : null,
    automation: answerable.length ? replied.filter((p) => p.label === 1).length / answerable.length : null,
    unanswerableReplied: unanswerable.length ? replied.filter((p) => !p.answerable).length / unanswerable.length : null,
  };
}

const GRID = Array.from({ length: 99 }, (_, i) => (i + 1) / 100);

/**
 * The lowest threshold at which every corpus's fitting part reaches `target` precision
 * (a corpus with no reply at that threshold does not object). The held-out parts are
 * never looked at here.
 */
export function chooseThreshold(rows: readonly FeatureRow[], params: Pick<CalibrationParams, 'bias' | 'weights'>, target: number): number {
  const byCorpus = scoredByCorpus(rows.filter((r) => !r.heldOut), params);
  for (const t of GRID) {
    if ([...byCorpus.values()].every((points) => (atThreshold(points, t).precision ?? 1) >= target)) return t;
  }
  return 1;
}

export function scoredByCorpus(rows: readonly FeatureRow[], params: Pick<CalibrationParams, 'bias' | 'weights'>): Map<CorpusName, Scored[]> {
  const out = new Map<CorpusName, Scored[]>();
  for (const r of rows) {
    const list = out.get(r.corpus) ?? [];
    list.push({ p: calibrate(params, r.features), label: r.label, answerable: r.answerable });
    out.set(r.corpus, list);
  }
  return out;
}

export type CorpusReport = { corpus: CorpusName; n: number; retrievalTopRight: number; positives: number; ece: number | null; auc: number | null; auto: AtThreshold; review: AtThreshold };

/** Per corpus, on its held-out part only. */
export function heldOutReport(rows: readonly FeatureRow[], params: Pick<CalibrationParams, 'bias' | 'weights'>, thresholds: { autoReply: number; review: number }): CorpusReport[] {
  const heldOut = rows.filter((r) => r.heldOut);
  return [...scoredByCorpus(heldOut, params).entries()].map(([corpus, points]) => ({
    corpus,
    n: points.length,
    retrievalTopRight: heldOut.filter((r) => r.corpus === corpus && (r.retrievalTopRight ?? r.label) === 1).length,
    positives: points.filter((p) => p.label === 1).length,
    ece: expectedCalibrationError(points.map((p) => ({ confidence: p.p, correct: p.label === 1 }))),
    auc: auc(points),
    auto: atThreshold(points, thresholds.autoReply),
    review: atThreshold(points, thresholds.review),
  }));
}

const pct = (v: number | null) => (v === null ? 'n/a' : `${(v * 100).toFixed(1)}%`);
const num = (v: number | null) => (v === null ? 'n/a' : v.toFixed(3));

export function formatHeldOutReport(reports: readonly CorpusReport[], params: CalibrationParams, thresholds: { autoReply: number; review: number }): string {
  return [
    `confidence model ${params.version}: held-out report (never used in fitting or in choosing thresholds)`,
    `AUTO_REPLY_THRESHOLD ${thresholds.autoReply}   REVIEW_THRESHOLD ${thresholds.review}`,
    '',
    '| corpus | held-out n | top retrieved doc right | selected doc right | ECE | AUC | precision ≥ auto | automation ≥ auto | unanswerable ≥ auto | replies ≥ auto | precision ≥ review |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
    ...reports.map(
      (r) =>
        `| ${r.corpus} | ${r.n} | ${r.retrievalTopRight} | ${r.positives} | ${num(r.ece)} | ${num(r.auc)} | ${pct(r.auto.precision)} | ${pct(r.auto.automation)} | ${pct(r.auto.unanswerableReplied)} | ${r.auto.replied} | ${pct(r.review.precision)} |`,
    ),
    '',
    `bias ${params.bias.toFixed(4)}; weights ${Object.entries(params.weights)
      .map(([k, v]) => `${k} ${v.toFixed(4)}`)
      .join(', ')}`,
  ].join('\n');
}
