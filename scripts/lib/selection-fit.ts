// Fitting the answer selector across corpora: a conditional logit over each case's
// retrieved docs (softmax of the linear score), maximising the probability of the gold
// docs. Pure: cases with per-doc features in, weights out (tested in test/eval).
import { DOC_FEATURE_NAMES, type DocFeatures } from '../../src/decide/answer-selection';

export type SelectionCase = {
  corpus: string;
  /** Per retrieved doc, in retrieval order. */
  docs: { docId: string; features: DocFeatures }[];
  gold: readonly string[];
};

export type SelectionFitOptions = { l2?: number; iterations?: number; learningRate?: number; prior?: DocFeatures };

const zero = () => Object.fromEntries(DOC_FEATURE_NAMES.map((n) => [n, 0])) as DocFeatures;

/**
 * Only cases with a gold doc among several retrieved docs teach anything. Each corpus
 * weighs the same; L2 pulls towards `prior` (retrieval order by default), so with
 * little evidence the selector keeps retrieval's ranking.
 */
export function fitSelection(cases: readonly SelectionCase[], options: SelectionFitOptions = {}): DocFeatures {
  const prior = options.prior ?? { ...zero(), rank_reciprocal: 1 };
  const l2 = options.l2 ?? 0.01;
  const iterations = options.iterations ?? 3000;
  const learningRate = options.learningRate ?? 0.5;
  const usable = cases.filter((c) => c.docs.length > 1 && c.docs.some((d) => c.gold.includes(d.docId)));
  const perCorpus = new Map<string, number>();
  for (const c of usable) perCorpus.set(c.corpus, (perCorpus.get(c.corpus) ?? 0) + 1);
  const weights = { ...prior };
  if (usable.length === 0) return weights;
  const caseWeight = (c: SelectionCase) => 1 / (perCorpus.size * perCorpus.get(c.corpus)!);
  for (let step = 0; step < iterations; step++) {
    const grad = zero();
    for (const c of usable) {
      const scores = c.docs.map((d) => DOC_FEATURE_NAMES.reduce((z, n) => z + weights[n] * d.features[n], 0));
      const top = Math.max(...scores);
      const exp = scores.map((s) => Math.exp(s - top));
      const sum = exp.reduce((a, b) => a + b, 0);
      const goldSum = c.docs.reduce((s, d, i) => s + (c.gold.includes(d.docId) ? exp[i]! : 0), 0);
      const w = caseWeight(c);
      c.docs.forEach((d, i) => {
        const p = exp[i]! / sum;
        const target = c.gold.includes(d.docId) ? exp[i]! / goldSum : 0;
        for (const n of DOC_FEATURE_NAMES) grad[n] += w * (p - target) * d.features[n];
      });
    }
    for (const n of DOC_FEATURE_NAMES) weights[n] -= learningRate * (grad[n] + l2 * (weights[n] - prior[n]));
  }
  return weights;
}

/** Share of cases whose best-scored doc is a gold doc (over cases with any gold doc). */
export function selectionAccuracy(cases: readonly SelectionCase[], weights: DocFeatures): { right: number; n: number } {
  const withGold = cases.filter((c) => c.gold.length > 0);
  let right = 0;
  for (const c of withGold) {
    let best = -Infinity;
    let bestId: string | undefined;
    for (const d of c.docs) {
      const s = DOC_FEATURE_NAMES.reduce((z, n) => z + weights[n] * d.features[n], 0);
      if (s > best) [best, bestId] = [s, d.docId];
    }
    if (bestId !== undefined && c.gold.includes(bestId)) right += 1;
  }
  return { right, n: withGold.length };
}
