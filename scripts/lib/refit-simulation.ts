// What a new help center's own verdicts do: the confidence model fitted without a
// corpus (as if it were a new customer's), then refitted by the production refit
// (src/decide/refit.ts) on that corpus's first verdicts, scored on its later cases.
// Pure: rows in, a report out (tested in test/eval).
import { calibrate, CalibrationParams } from '../../src/decide/calibration';
import { recommendThreshold, type ReviewedDraft } from '../../src/decide/recommend';
import { judgeRefit, type Verdict } from '../../src/decide/refit';
import { atThreshold, scoredByCorpus, type AtThreshold, type FeatureRow, type LeftOutFit } from './confidence-fit';
import { fnv1a, type CorpusName } from './confidence-sets';

export type RefitStep = {
  corpus: CorpusName;
  /** Which fixed arrival order (FNV-1a of salt and id). */
  salt: number;
  threshold: number;
  /** Verdicts the refit saw: the corpus's first cases, every draft reviewed (rollout mode `review`). */
  verdicts: number;
  status: 'accepted' | 'refused' | 'too_few_samples' | 'none';
  /** The version this step's refit started from. */
  startedFrom: string;
  /** The model in force after this step (its version names it; the tests recompute the chain from its parameters). */
  params: CalibrationParams;
  /** The cases after the verdicts, scored by the left-out model and by the model in force after this step's refit. */
  later: number;
  before: AtThreshold;
  after: AtThreshold;
  /**
   * The console's threshold recommendation on the verdicts so far (each draft at the
   * confidence it was decided with, as the console reads them), and the later cases
   * at it under the model in force (null without one): what a team that follows it gets.
   */
  recommended: { threshold: number | null; at: AtThreshold | null };
  /** The reviewed drafts that recommendation read (not in the report; the tests check each was scored by the model then in force). */
  reviewed: readonly ReviewedDraft[];
};

export type Recommend = { target: number; minDrafts: number };

/** A fixed arrival order, by id alone: the same cases come first on every run. */
export const arrivalOrder = (rows: readonly FeatureRow[], salt: number) => [...rows].sort((a, b) => fnv1a(`arrival:${salt}:${a.id}`) - fnv1a(`arrival:${salt}:${b.id}`));

/** A reviewer approves a draft unchanged when its doc answers the ticket, and rejects it otherwise. */
export const asVerdict = (r: FeatureRow, i: number): Verdict => ({ decisionId: r.id, verdict: r.label === 1 ? 'approved' : 'rejected', features: r.features, createdAt: i });

/**
 * Each arrival order is one help center's first weeks: a refit runs when 30, 60, …
 * verdicts are in, on all of them, starting from the model in force (the last
 * accepted refit, else the left-out model), as the production cron does.
 */
export function simulateRefits(fits: readonly LeftOutFit[], verdictCounts: readonly number[], salts: readonly number[] = [0], recommend: Recommend = { target: 0.95, minDrafts: 20 }): RefitStep[] {
  return fits.flatMap(({ corpus, rows, params, threshold }) => {
    const shipped = CalibrationParams.parse({ version: `loco-${corpus}`, ...params });
    return salts.flatMap((salt) => {
      const arrivals = arrivalOrder(rows, salt);
      let inForce = shipped;
      const drafts: ReviewedDraft[] = [];
      return [...verdictCounts]
        .sort((a, b) => a - b)
        .filter((k) => k < arrivals.length)
        .map((k): RefitStep => {
          // The cases since the last refit were decided, and reviewed, under the model then in force.
          for (const r of arrivals.slice(drafts.length, k)) drafts.push({ confidence: calibrate(inForce, r.features), approved: r.label === 1 });
          const startedFrom = inForce.version;
          const verdict = k === 0 ? null : judgeRefit(inForce, arrivals.slice(0, k).map(asVerdict), threshold, `sim-${corpus}-${k}`);
          if (verdict?.status === 'accepted') inForce = verdict.params;
          const later = arrivals.slice(k);
          const score = (p: CalibrationParams, t: number) => atThreshold(scoredByCorpus(later, p).get(corpus) ?? [], t);
          const reviewed = [...drafts];
          const suggested = recommendThreshold(reviewed, recommend.target, recommend.minDrafts).threshold;
          return {
            corpus,
            salt,
            threshold,
            verdicts: k,
            status: verdict?.status ?? 'none',
            startedFrom,
            params: inForce,
            later: later.length,
            before: score(shipped, threshold),
            after: score(inForce, threshold),
            recommended: { threshold: suggested, at: suggested === null ? null : score(inForce, suggested) },
            reviewed,
          };
        });
    });
  });
}

const pct = (v: number | null) => (v === null ? 'n/a' : `${(v * 100).toFixed(1)}%`);

/** Mean and range over the arrival orders that have a value: one order is one draw of which cases come first. */
function spread(values: readonly (number | null | undefined)[], format: (v: number) => string = pct): string {
  const xs = values.filter((v): v is number => v !== null && v !== undefined);
  if (xs.length === 0) return 'n/a';
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  return xs.length === 1 ? format(mean) : `${format(mean)} (${format(Math.min(...xs))}–${format(Math.max(...xs))})`;
}

/** The thresholds recommended, over the orders that had enough drafts for one, and how many did. */
function recommendedCell(g: readonly RefitStep[]): string {
  const ts = g.map((x) => x.recommended.threshold).filter((t): t is number => t !== null);
  return ts.length === 0 ? 'none' : `${spread(ts, (v) => v.toFixed(2))}; ${ts.length}`;
}

export function formatRefitSimulation(steps: readonly RefitStep[]): string {
  const groups = new Map<string, RefitStep[]>();
  for (const s of steps) {
    const key = `${s.corpus}|${s.verdicts}`;
    groups.set(key, [...(groups.get(key) ?? []), s]);
  }
  return [
    '| corpus (threshold) | verdicts | orders | refits accepted | later cases | precision before | automation before | precision after | automation after | unanswerable after | recommended (orders with one) | precision at it | automation at it | unanswerable at it |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...[...groups.values()].map((g) => {
      const s = g[0]!;
      const accepted = g.filter((x) => x.status === 'accepted').length;
      return `| ${s.corpus} (${s.threshold}) | ${s.verdicts} | ${g.length} | ${s.verdicts === 0 ? '–' : accepted} | ${s.later} | ${spread(g.map((x) => x.before.precision))} | ${spread(g.map((x) => x.before.automation))} | ${spread(g.map((x) => x.after.precision))} | ${spread(g.map((x) => x.after.automation))} | ${spread(g.map((x) => x.after.unanswerableReplied))} | ${recommendedCell(g)} | ${spread(g.map((x) => x.recommended.at?.precision))} | ${spread(g.map((x) => x.recommended.at?.automation))} | ${spread(g.map((x) => x.recommended.at?.unanswerableReplied))} |`;
    }),
  ].join('\n');
}
