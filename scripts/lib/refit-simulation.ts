// What a new help center's own verdicts do: the confidence model fitted without a
// corpus (as if it were a new customer's), then refitted by the production refit
// (src/decide/refit.ts) on that corpus's first verdicts, scored on its later cases.
// Pure: rows in, a report out (tested in test/eval).
import { CalibrationParams } from '../../src/decide/calibration';
import { judgeRefit, type Verdict } from '../../src/decide/refit';
import { atThreshold, chooseThreshold, crossFitted, fitRows, scoredByCorpus, type AtThreshold, type Fit, type FeatureRow } from './confidence-fit';
import { fnv1a, type CorpusName } from './confidence-sets';

export type RefitStep = {
  corpus: CorpusName;
  threshold: number;
  /** Verdicts the refit saw: the corpus's first cases, every draft reviewed (rollout mode `review`). */
  verdicts: number;
  status: 'accepted' | 'refused' | 'too_few_samples' | 'none';
  /** The cases after the verdicts, scored by the model in force before and after the refit. */
  later: number;
  before: AtThreshold;
  after: AtThreshold;
};

/** A fixed arrival order, by id alone: the same cases come first on every run. */
const arrivalOrder = (rows: readonly FeatureRow[]) => [...rows].sort((a, b) => fnv1a(`arrival:${a.id}`) - fnv1a(`arrival:${b.id}`));

/** A reviewer approves a draft unchanged when its doc answers the ticket, and rejects it otherwise. */
const asVerdict = (r: FeatureRow, i: number): Verdict => ({ decisionId: r.id, verdict: r.label === 1 ? 'approved' : 'rejected', features: r.features, createdAt: i });

export function simulateRefits(corpora: readonly CorpusName[], rowsFor: (leftOut: CorpusName) => readonly FeatureRow[], target: number, verdictCounts: readonly number[], fit: Fit = fitRows): RefitStep[] {
  return corpora.flatMap((corpus) => {
    const rows = rowsFor(corpus);
    const fitOn = rows.filter((r) => r.corpus !== corpus);
    const shipped = CalibrationParams.parse({ version: `loco-${corpus}`, ...fit(fitOn) });
    const threshold = chooseThreshold(crossFitted(fitOn, fit), target);
    const arrivals = arrivalOrder(rows.filter((r) => r.corpus === corpus));
    return verdictCounts
      .filter((k) => k < arrivals.length)
      .map((k): RefitStep => {
        const later = arrivals.slice(k);
        const verdict = k === 0 ? null : judgeRefit(shipped, arrivals.slice(0, k).map(asVerdict), threshold, `sim-${corpus}-${k}`);
        const inForce = verdict?.status === 'accepted' ? verdict.params : shipped;
        const score = (params: CalibrationParams) => atThreshold(scoredByCorpus(later, params).get(corpus) ?? [], threshold);
        return { corpus, threshold, verdicts: k, status: verdict?.status ?? 'none', later: later.length, before: score(shipped), after: score(inForce) };
      });
  });
}

const pct = (v: number | null) => (v === null ? 'n/a' : `${(v * 100).toFixed(1)}%`);

export function formatRefitSimulation(steps: readonly RefitStep[]): string {
  return [
    '| corpus (threshold) | verdicts | refit | later cases | precision before | automation before | precision after | automation after | unanswerable after |',
    '|---|---|---|---|---|---|---|---|---|',
    ...steps.map(
      (s) =>
        `| ${s.corpus} (${s.threshold}) | ${s.verdicts} | ${s.status} | ${s.later} | ${pct(s.before.precision)} | ${pct(s.before.automation)} | ${pct(s.after.precision)} | ${pct(s.after.automation)} | ${pct(s.after.unanswerableReplied)} |`,
    ),
  ].join('\n');
}
