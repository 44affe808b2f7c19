// Retrieval evidence that means the same on any help center: shares, ratios and
// ranks, never a raw bm25 value (whose scale grows with the corpus's size and
// vocabulary). Pure: chunks and query terms in, numbers out.
import { queryTerms } from '../retrieval/query-terms';
import { variantsOf } from '../retrieval/synonyms';
import { MAX_MARGIN, selectAnswer, type Selection } from './answer-selection';
import { chunkTexts, coverage, coverageOfTexts, stemOf, type FeatureChunk } from './term-coverage';

export { coverage, type FeatureChunk } from './term-coverage';

export const FEATURE_NAMES = [
  'coverage_top',
  'coverage_any',
  'coverage_ratio',
  'title_match',
  'doc_lead',
  'separation',
  'agreement',
  'selection_margin',
  'selection_share',
  'sibling_distinct',
  'self_score',
  'self_present',
] as const;
export type FeatureName = (typeof FEATURE_NAMES)[number];
export type ConfidenceFeatures = Record<FeatureName, number>;

const EPSILON = 0.01;

export const logit = (p: number): number => {
  const q = Math.min(1 - EPSILON, Math.max(EPSILON, p));
  return Math.log(q / (1 - q));
};

/** Best fused score per doc, best doc first: the lead is between docs, not between chunks of one doc. */
function docScores(chunks: readonly FeatureChunk[]): number[] {
  const best = new Map<string, number>();
  for (const c of chunks) best.set(c.docId, Math.max(best.get(c.docId) ?? -Infinity, c.score));
  return [...best.values()].sort((a, b) => b - a);
}

/** 1 − second doc's score / first doc's score: 1 when one doc stands alone, 0 on a tie. */
export function docLead(chunks: readonly FeatureChunk[]): number {
  const [first, second] = docScores(chunks);
  if (first === undefined || first <= 0) return 0;
  return second === undefined ? 1 : Math.min(1, Math.max(0, 1 - second / first));
}

/** How far the first chunk stands above the last one retrieved, as a log ratio capped at 3 (the field's spread, not its scale). */
function separation(chunks: readonly FeatureChunk[]): number {
  const first = chunks[0]?.score ?? 0;
  const last = chunks[chunks.length - 1]?.score ?? 0;
  if (first <= 0) return 0;
  if (last <= 0) return 3;
  return Math.min(3, Math.log(first / last));
}

/** +1 when lexical and vector search put the same doc first, −1 when not, 0 with one retriever. */
function agreement(chunks: readonly FeatureChunk[]): number {
  const lexicalTop = chunks.find((c) => c.lexicalRank === 1);
  const vectorTop = chunks.find((c) => c.vectorRank === 1);
  if (!lexicalTop || !vectorTop) return 0;
  return lexicalTop.docId === vectorTop.docId ? 1 : -1;
}

/**
 * Share of the selected doc's title terms (stop words dropped, as for the ticket) that
 * the ticket uses: the other direction of title coverage. A title the ticket restates
 * ("Cancel your subscription" for "how do I cancel my subscription") is strong
 * evidence whatever the doc's length; a long ticket that happens to contain a short
 * title's one word is not.
 */
export function titleMatch(terms: readonly string[], title: string): number {
  const titleTerms = queryTerms(title);
  return titleTerms.length === 0 ? 0 : coverage(titleTerms, terms.join(' '));
}

/**
 * Of the selected doc's title terms that the runner-up's title lacks, the share the
 * ticket uses (5-letter stems, so "installing" meets "installation"). Two docs with
 * the same words about another product or version ("… for WebSphere Portal" and
 * "… for MQ") differ in just those terms, and only a ticket that names them says
 * which doc it means. 1 with no runner-up, 0 when the titles differ in nothing.
 */
export function siblingDistinct(terms: readonly string[], title: string, runnerUpTitle: string | undefined): number {
  if (runnerUpTitle === undefined) return 1;
  const runnerUp = new Set(queryTerms(runnerUpTitle).map(stemOf));
  // A word the runner-up says by a synonym ("Terms of service" / "Privacy policy") is shared, not distinct.
  const own = queryTerms(title).filter((t) => !variantsOf(t).some((v) => runnerUp.has(stemOf(v))));
  return own.length === 0 ? 0 : coverage(own, terms.join(' '));
}

/**
 * The evidence for "the selected doc answers this ticket": the doc answer selection
 * picks among the retrieved ones (`answer-selection.ts`), which is the doc the offline
 * responder quotes. `selfScore` is the model's own confidence (Claude); null for the
 * offline responder, which has none.
 */
export function confidenceFeatures(terms: readonly string[], chunks: readonly FeatureChunk[], selfScore: number | null, selection: Selection | null = selectAnswer(terms, chunks)): ConfidenceFeatures {
  return withSelfScore(retrievalEvidence(terms, chunks, selection), selfScore);
}

/**
 * The model's own score added to retrieval evidence: two features, so a refit can
 * learn both how much the score says and where its neutral point is. The pipeline
 * computes the retrieval part once per ticket (`confidenceFeatures` with no score)
 * and adds Claude's score to it with this.
 */
export function withSelfScore(features: ConfidenceFeatures, selfScore: number | null): ConfidenceFeatures {
  return { ...features, self_score: selfScore === null ? 0 : logit(selfScore), self_present: selfScore === null ? 0 : 1 };
}

const NO_SELF_SCORE = { self_score: 0, self_present: 0 };

function retrievalEvidence(terms: readonly string[], chunks: readonly FeatureChunk[], selection: Selection | null): ConfidenceFeatures {
  const chosen = selection?.ranked[0];
  if (!chosen) {
    return {
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
      ...NO_SELF_SCORE,
    };
  }
  const coverageTop = coverageOfTexts(terms, chosen.chunks.flatMap(chunkTexts));
  const coverageAny = coverageOfTexts(terms, chunks.flatMap(chunkTexts));
  return {
    coverage_top: coverageTop,
    coverage_any: coverageAny,
    // How much of what retrieval found at all the selected doc holds: 1 when no other doc adds a term of the ticket.
    coverage_ratio: coverageAny > 0 ? coverageTop / coverageAny : 0,
    title_match: titleMatch(terms, chosen.chunks[0]!.title),
    doc_lead: docLead(chunks),
    separation: separation(chunks),
    agreement: agreement(chunks),
    // How clearly selection's choice beats the next doc, scaled to [0, 1] like the other features.
    selection_margin: selection.margin / MAX_MARGIN,
    // Selection's softmax share of its choice: the margin sees the runner-up only, this sees the whole field.
    selection_share: selection.probability,
    sibling_distinct: siblingDistinct(terms, chosen.chunks[0]!.title, selection.ranked[1]?.chunks[0]!.title),
    ...NO_SELF_SCORE,
  };
}
