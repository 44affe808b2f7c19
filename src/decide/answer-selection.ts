// Answer selection: which of the retrieved docs to answer from. Retrieval ranks
// chunks for recall; this picks, among the docs it found, the one whose title,
// headings and text speak to the whole ticket. A small linear scorer over per-doc
// evidence that means the same on any help center (shares and ranks, no raw bm25),
// fitted across several corpora by `npm run fit:confidence`. Pure.
import { chunkTexts, coverage, coverageOfTexts, distinctTerms, textsMatcher, type FeatureChunk } from './term-coverage';
import { SHIPPED_SELECTION_MODEL } from './answer-selection-model';

export const DOC_FEATURE_NAMES = [
  'rank_reciprocal',
  'score_share',
  'title_coverage',
  'heading_coverage',
  'text_coverage',
  'distinct_coverage',
  'chunk_share',
  'vector_reciprocal',
] as const;
export type DocFeatureName = (typeof DOC_FEATURE_NAMES)[number];
export type DocFeatures = Record<DocFeatureName, number>;

export type SelectionModel = { version: string; weights: DocFeatures };

export type Candidate = { docId: string; chunks: FeatureChunk[]; features: DocFeatures; score: number };

export type Selection = {
  /** Candidates by selection score, best first (ties keep retrieval order). */
  ranked: Candidate[];
  /** Softmax share of the best candidate's score: how clearly it wins. */
  probability: number;
  /** Logit gap between the best and the second candidate, capped at 5 (5 when it stands alone). */
  margin: number;
};

export const MAX_MARGIN = 5;

/** The retrieved chunks grouped by doc, in the order retrieval first met each doc. */
export function docGroups(chunks: readonly FeatureChunk[]): { docId: string; chunks: FeatureChunk[] }[] {
  const groups = new Map<string, FeatureChunk[]>();
  for (const c of chunks) {
    const list = groups.get(c.docId) ?? [];
    list.push(c);
    groups.set(c.docId, list);
  }
  return [...groups.entries()].map(([docId, list]) => ({ docId, chunks: list }));
}

/** For each term, which docs' texts contain it: read once per ticket, shared by every doc's features. */
function termHolders(terms: readonly string[], matchers: readonly ((term: string) => boolean)[]): boolean[][] {
  return terms.map((term) => matchers.map((has) => has(term)));
}

/**
 * Coverage weighted by how few candidate docs contain each term: a term every
 * candidate has ("invoice" on an invoicing help center) says nothing about which
 * one answers; a term only one has says a lot.
 */
function distinctCoverage(holdersByTerm: readonly (readonly boolean[])[], docs: number, index: number): number {
  if (holdersByTerm.length === 0) return 0;
  let total = 0;
  let covered = 0;
  for (const holders of holdersByTerm) {
    const count = holders.filter(Boolean).length;
    if (count === 0) continue;
    const weight = Math.log(1 + docs / count);
    total += weight;
    if (holders[index]) covered += weight;
  }
  return total === 0 ? 0 : covered / total;
}

/** A doc's texts: every chunk's title, heading and text (`chunkTexts`), matched as one text. */
const textsOf = (chunks: readonly FeatureChunk[]) => chunks.flatMap(chunkTexts);

export function docFeatures(terms: readonly string[], chunks: readonly FeatureChunk[]): { docId: string; chunks: FeatureChunk[]; features: DocFeatures }[] {
  const groups = docGroups(chunks);
  const best = Math.max(0, ...chunks.map((c) => c.score));
  const matchers = groups.map((g) => textsMatcher(textsOf(g.chunks)));
  // Synonyms count once, as coverage() counts them: one holder row per thing asked.
  const asked = distinctTerms(terms);
  const holders = termHolders(asked, matchers);
  return groups.map((g, i) => {
    const top = g.chunks[0]!;
    const vectorRanks = g.chunks.map((c) => c.vectorRank).filter((r): r is number => r !== null);
    const headings = [top.title, ...g.chunks.map((c) => c.headingPath ?? '')];
    return {
      ...g,
      features: {
        rank_reciprocal: 1 / (i + 1),
        score_share: best > 0 ? Math.max(...g.chunks.map((c) => c.score)) / best : 0,
        title_coverage: coverage(terms, top.title),
        heading_coverage: coverageOfTexts(terms, headings),
        text_coverage: asked.length === 0 ? 0 : holders.filter((h) => h[i]).length / asked.length,
        distinct_coverage: distinctCoverage(holders, groups.length, i),
        chunk_share: g.chunks.length / chunks.length,
        vector_reciprocal: vectorRanks.length ? 1 / Math.min(...vectorRanks) : 0,
      },
    };
  });
}

export function scoreDoc(weights: DocFeatures, features: DocFeatures): number {
  let z = 0;
  for (const name of DOC_FEATURE_NAMES) z += weights[name] * features[name];
  return z;
}

/** Rank the retrieved docs by how well each answers the ticket; null when nothing was retrieved. */
export function selectAnswer(terms: readonly string[], chunks: readonly FeatureChunk[], model: SelectionModel = SHIPPED_SELECTION_MODEL): Selection | null {
  const candidates = docFeatures(terms, chunks).map((c) => ({ ...c, score: scoreDoc(model.weights, c.features) }));
  if (candidates.length === 0) return null;
  // Stable sort: on equal scores retrieval's order stands.
  const ranked = [...candidates].sort((a, b) => b.score - a.score);
  const top = ranked[0]!.score;
  const sum = ranked.reduce((s, c) => s + Math.exp(c.score - top), 0);
  const second = ranked[1];
  return { ranked, probability: 1 / sum, margin: second ? Math.min(MAX_MARGIN, top - second.score) : MAX_MARGIN };
}

/** The chunks with the selected doc's first, the rest in retrieval order: what "the top doc" means after selection. */
export function selectedFirst<T extends FeatureChunk>(chunks: readonly T[], docId: string): T[] {
  return [...chunks.filter((c) => c.docId === docId), ...chunks.filter((c) => c.docId !== docId)];
}
