// Fitting and judging the confidence model across corpora. Pure: labelled feature
// rows in, parameters, thresholds and a held-out report out (tested in test/eval).
import { calibrate, fitCalibration, type CalibrationParams } from '../../src/decide/calibration';
import type { ConfidenceFeatures } from '../../src/decide/confidence-features';
import { DEFAULT_MIN_TERM_COVERAGE } from '../../src/decide/term-coverage';
import { fnv1a, type CorpusName } from './confidence-sets';
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
    coverage_ratio: 0,
    title_match: 0,
    doc_lead: 0,
    separation: 0,
    agreement: 0,
    selection_margin: 0,
    selection_share: 0,
    sibling_distinct: 0,
    self_score: 1,
    self_present: -Math.log(NEUTRAL_SELF_SCORE / (1 - NEUTRAL_SELF_SCORE)),
  },
};

/**
 * L2 strength, in samples' worth of evidence. Of 0.3, 1 and 5, 0.3 and 1 gave nearly
 * the same log-loss in 5-fold cross-validation on the fitting parts and in
 * leave-one-corpus-out, 5 a clearly worse one; of two near-equal ones the stronger
 * pull is kept.
 */
export const FIT_PRIOR_WEIGHT = 1;

type Params = Pick<CalibrationParams, 'bias' | 'weights'>;

/** The fitting parts only: held-out rows never reach a fit that ships. */
export function fitAcrossCorpora(rows: readonly FeatureRow[], priorWeight = FIT_PRIOR_WEIGHT): Params {
  return fitRows(rows.filter((r) => !r.heldOut), priorWeight);
}

/** Each corpus weighs the same in the fit, whatever its size: no corpus's quirks dominate. */
export function fitRows(rows: readonly FeatureRow[], priorWeight = FIT_PRIOR_WEIGHT, iterations = 20_000): Params {
  const perCorpus = new Map<CorpusName, number>();
  for (const r of rows) perCorpus.set(r.corpus, (perCorpus.get(r.corpus) ?? 0) + 1);
  const share = rows.length / perCorpus.size;
  return fitCalibration(
    rows.map((r) => ({ features: r.features, label: r.label, weight: share / perCorpus.get(r.corpus)! })),
    { prior: SELF_SCORE_PRIOR, priorWeight, iterations, learningRate: 0.5 },
  );
}

/** `held`: the policy holds the draft for review whatever `p` (its doc holds under MIN_TERM_COVERAGE of the terms). */
export type Scored = { p: number; label: 0 | 1; answerable: boolean; held?: boolean };

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

/** Replies at p ≥ threshold that the policy lets out: precision over them, automation over answerable questions, and the share of unanswerable ones replied to. */
export function atThreshold(points: readonly Scored[], threshold: number): AtThreshold {
  const replied = points.filter((p) => p.p >= threshold && !p.held);
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
 * The lowest threshold from which up every corpus keeps `target` precision: at it and
 * at every higher one (a corpus with no reply there does not object). "From which up"
 * keeps a lucky dip in a small corpus from setting the threshold.
 */
export function chooseThreshold(byCorpus: ReadonlyMap<CorpusName, readonly Scored[]>, target: number): number {
  const holds = (t: number) => [...byCorpus.values()].every((points) => (atThreshold(points, t).precision ?? 1) >= target);
  let chosen = 1;
  for (let i = GRID.length - 1; i >= 0 && holds(GRID[i]!); i--) chosen = GRID[i]!;
  return chosen;
}

export const CROSS_FIT_FOLDS = 5;
const foldOf = (r: FeatureRow) => fnv1a(`fold:${r.corpus}:${r.id}`) % CROSS_FIT_FOLDS;

/**
 * Every row scored by a model fitted without it (5 folds by id): probabilities as a
 * new ticket would get them. A threshold chosen on in-sample probabilities is chosen
 * where the fit already knows the answers, and promises more precision than it keeps.
 */
export type Fit = (rows: readonly FeatureRow[]) => Params;

export function crossFitted(rows: readonly FeatureRow[], fit: Fit = fitRows): Map<CorpusName, Scored[]> {
  const scored = new Map<FeatureRow, number>();
  for (let fold = 0; fold < CROSS_FIT_FOLDS; fold++) {
    const params = fit(rows.filter((r) => foldOf(r) !== fold));
    for (const r of rows.filter((x) => foldOf(x) === fold)) scored.set(r, calibrate(params, r.features));
  }
  return byCorpus(rows, (r) => scored.get(r)!);
}

export type CalibrationCheck = { corpus: CorpusName; n: number; ece: number | null; eceFloor: number | null; chance: number | null; auc: number | null };

/**
 * ECE per corpus over every case, each scored by a fold model that did not see it
 * (`crossFitted` over all rows): three to five times the held-out parts' cases, so
 * the noise floor a calibrated model would show drops enough to tell calibration
 * error from chance, which a 19-case held-out part cannot.
 */
export function calibrationCheck(byCorpus: ReadonlyMap<CorpusName, readonly Scored[]>): CalibrationCheck[] {
  return [...byCorpus.entries()].map(([corpus, points]) => {
    const ece = expectedCalibrationError(points.map((p) => ({ confidence: p.p, correct: p.label === 1 })));
    return { corpus, n: points.length, ece, eceFloor: eceNoiseFloor(points), chance: ece === null ? null : eceChance(points, ece), auc: auc(points) };
  });
}

export function formatCalibrationCheck(checks: readonly CalibrationCheck[]): string {
  return [
    '| corpus | n | ECE | ECE if calibrated | calibrated at least as far off | AUC |',
    '|---|---|---|---|---|---|',
    ...checks.map((c) => `| ${c.corpus} | ${c.n} | ${num(c.ece)} | ${num(c.eceFloor)} | ${pct(c.chance)} | ${num(c.auc)} |`),
  ].join('\n');
}

/** Precision and automation per corpus at a few thresholds: which corpus holds the threshold up, and where the others would allow it. */
export function formatThresholdSweep(byCorpus: ReadonlyMap<CorpusName, readonly Scored[]>, thresholds: readonly number[]): string {
  const corpora = [...byCorpus.keys()];
  return [
    `| threshold | ${corpora.map((c) => `${c} precision | ${c} automation`).join(' | ')} |`,
    `|---|${corpora.map(() => '---|---').join('|')}|`,
    ...thresholds.map((t) => `| ${t} | ${corpora.map((c) => { const a = atThreshold(byCorpus.get(c)!, t); return `${pct(a.precision)} | ${pct(a.automation)}`; }).join(' | ')} |`),
  ].join('\n');
}

function byCorpus(rows: readonly FeatureRow[], p: (r: FeatureRow) => number): Map<CorpusName, Scored[]> {
  const out = new Map<CorpusName, Scored[]>();
  for (const r of rows) {
    const list = out.get(r.corpus) ?? [];
    list.push({ p: p(r), label: r.label, answerable: r.answerable, held: r.features.coverage_top < DEFAULT_MIN_TERM_COVERAGE });
    out.set(r.corpus, list);
  }
  return out;
}

export function scoredByCorpus(rows: readonly FeatureRow[], params: Params): Map<CorpusName, Scored[]> {
  return byCorpus(rows, (r) => calibrate(params, r.features));
}

/** Deterministic uniform [0, 1) stream (mulberry32): the noise floor below is the same on every run. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The ECE a perfectly calibrated model would still show on these predictions: labels
 * drawn as Bernoulli(p), averaged over draws. On 19 or 29 cases in 10 bins this floor
 * is near 0.1 or more, so an ECE there is mostly sampling noise, not miscalibration.
 */
export function eceNoiseFloor(points: readonly Scored[], draws = 200): number | null {
  if (points.length === 0) return null;
  const eces = calibratedEces(points, draws);
  return eces.reduce((s, e) => s + e, 0) / draws;
}

/**
 * How often a perfectly calibrated model shows an ECE at least `observed` on these
 * predictions: a p-value. Above a few percent, the observed ECE is not evidence of
 * miscalibration, however far it is above the floor's mean.
 */
export function eceChance(points: readonly Scored[], observed: number, draws = 200): number | null {
  if (points.length === 0) return null;
  return calibratedEces(points, draws).filter((e) => e >= observed).length / draws;
}

function calibratedEces(points: readonly Scored[], draws: number): number[] {
  const random = seeded(points.length);
  return Array.from({ length: draws }, () => expectedCalibrationError(points.map((p) => ({ confidence: p.p, correct: random() < p.p })))!);
}

export type CorpusReport = {
  corpus: CorpusName;
  n: number;
  retrievalTopRight: number;
  positives: number;
  meanConfidence: number | null;
  ece: number | null;
  eceFloor: number | null;
  auc: number | null;
  auto: AtThreshold;
  review: AtThreshold;
};

export function corpusReport(corpus: CorpusName, rows: readonly FeatureRow[], points: readonly Scored[], thresholds: { autoReply: number; review: number }): CorpusReport {
  return {
    corpus,
    n: points.length,
    retrievalTopRight: rows.filter((r) => (r.retrievalTopRight ?? r.label) === 1).length,
    positives: points.filter((p) => p.label === 1).length,
    meanConfidence: points.length ? points.reduce((s, p) => s + p.p, 0) / points.length : null,
    ece: expectedCalibrationError(points.map((p) => ({ confidence: p.p, correct: p.label === 1 }))),
    eceFloor: eceNoiseFloor(points),
    auc: auc(points),
    auto: atThreshold(points, thresholds.autoReply),
    review: atThreshold(points, thresholds.review),
  };
}

/** Per corpus, on its held-out part only. */
export function heldOutReport(rows: readonly FeatureRow[], params: Params, thresholds: { autoReply: number; review: number }): CorpusReport[] {
  const heldOut = rows.filter((r) => r.heldOut);
  return [...scoredByCorpus(heldOut, params).entries()].map(([corpus, points]) =>
    corpusReport(
      corpus,
      heldOut.filter((r) => r.corpus === corpus),
      points,
      thresholds,
    ),
  );
}

export type TransferReport = CorpusReport & { threshold: number };

/** One corpus left out: the model and threshold fitted without it, and its rows as that fold sees them. */
export type LeftOutFit = { corpus: CorpusName; rows: readonly FeatureRow[]; params: Params; threshold: number };

/**
 * Leave one corpus out: fit on all of the other corpora and choose the threshold on
 * their cross-fitted probabilities. `rowsFor(corpus)` gives the rows as that fold sees
 * them (its answer selector fitted without the left-out corpus). Fitted once, read by
 * the transfer report and the refit simulation alike.
 */
export function leaveOneOutFits(corpora: readonly CorpusName[], rowsFor: (leftOut: CorpusName) => readonly FeatureRow[], target: number, fit: Fit = fitRows): LeftOutFit[] {
  return corpora.map((corpus) => {
    const all = rowsFor(corpus);
    const fitOn = all.filter((r) => r.corpus !== corpus);
    return { corpus, rows: all.filter((r) => r.corpus === corpus), params: fit(fitOn), threshold: chooseThreshold(crossFitted(fitOn, fit), target) };
  });
}

/** Each left-out corpus scored, all of it, by the model fitted without it. */
export function leaveOneCorpusOut(fits: readonly LeftOutFit[]): TransferReport[] {
  return fits.map(({ corpus, rows, params, threshold }) => {
    const points = scoredByCorpus(rows, params).get(corpus) ?? [];
    return { ...corpusReport(corpus, rows, points, { autoReply: threshold, review: Math.min(threshold, 0.5) }), threshold };
  });
}

const pct = (v: number | null) => (v === null ? 'n/a' : `${(v * 100).toFixed(1)}%`);
const num = (v: number | null) => (v === null ? 'n/a' : v.toFixed(3));

const row = (r: CorpusReport, first: string) =>
  `| ${first} | ${r.n} | ${r.retrievalTopRight} | ${r.positives} | ${num(r.meanConfidence)} | ${num(r.ece)} | ${num(r.eceFloor)} | ${num(r.auc)} | ${pct(r.auto.precision)} | ${pct(r.auto.automation)} | ${pct(r.auto.unanswerableReplied)} | ${r.auto.replied} | ${pct(r.review.precision)} |`;
const HEADER = [
  '| corpus | n | top retrieved doc right | selected doc right | mean confidence | ECE | ECE if calibrated | AUC | precision ≥ auto | automation ≥ auto | unanswerable ≥ auto | replies ≥ auto | precision ≥ review |',
  '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
];

export function formatHeldOutReport(reports: readonly CorpusReport[], params: CalibrationParams, thresholds: { autoReply: number; review: number }, transfer: readonly TransferReport[] = []): string {
  return [
    `confidence model ${params.version}: held-out report (never used in fitting or in choosing thresholds)`,
    `AUTO_REPLY_THRESHOLD ${thresholds.autoReply}   REVIEW_THRESHOLD ${thresholds.review}`,
    '',
    ...HEADER,
    ...reports.map((r) => row(r, r.corpus)),
    '',
    '"ECE if calibrated": the ECE a perfectly calibrated model would show on the same predictions by sampling noise alone (labels drawn from the predicted probabilities).',
    ...(transfer.length
      ? [
          '',
          'Leave one corpus out (answer selection and confidence fitted on all of the other two corpora, threshold chosen on their cross-fitted probabilities, scored on all of this one):',
          '',
          ...HEADER.map((line, i) => (i === 0 ? line.replace('| corpus |', '| left out (threshold) |') : line)),
          ...transfer.map((r) => row(r, `${r.corpus} (${r.threshold})`)),
        ]
      : []),
    '',
    `bias ${params.bias.toFixed(4)}; weights ${Object.entries(params.weights)
      .map(([k, v]) => `${k} ${v.toFixed(4)}`)
      .join(', ')}`,
  ].join('\n');
}

/**
 * wrangler.toml's [vars] set the thresholds a deployment runs with, and they beat the
 * artifact's defaults: a refit that left them behind would ship its model with the
 * previous model's threshold. The two lines are rewritten in place, comments kept.
 */
export function withThresholds(toml: string, thresholds: { autoReply: number; review: number }): string {
  const set = (text: string, name: string, value: number) => {
    const line = new RegExp(`^${name} = "[^"]*"$`, 'm');
    if (!line.test(text)) throw new Error(`wrangler.toml has no ${name} line to update`);
    return text.replace(line, `${name} = "${value}"`);
  };
  return set(set(toml, 'AUTO_REPLY_THRESHOLD', thresholds.autoReply), 'REVIEW_THRESHOLD', thresholds.review);
}
