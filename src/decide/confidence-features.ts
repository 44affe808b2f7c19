// Retrieval evidence that means the same on any help center: shares, ratios and
// ranks, never a raw bm25 value (whose scale grows with the corpus's size and
// vocabulary). Pure: chunks and query terms in, numbers out.

/** The fields of a retrieved chunk the features read (RetrievedChunk has them all). */
export type FeatureChunk = {
  docId: string;
  title: string;
  headingPath?: string;
  text?: string;
  score: number;
  lexicalRank: number | null;
  vectorRank: number | null;
};

export const FEATURE_NAMES = ['coverage_top', 'coverage_any', 'title_coverage', 'doc_lead', 'separation', 'query_length', 'agreement', 'self_score', 'self_present'] as const;
export type FeatureName = (typeof FEATURE_NAMES)[number];
export type ConfidenceFeatures = Record<FeatureName, number>;

const STEM = 5;
const EPSILON = 0.01;
/** queryTerms keeps at most 32 terms: query_length is log-scaled to that cap. */
const MAX_TERMS = 32;

export const logit = (p: number): number => {
  const q = Math.min(1 - EPSILON, Math.max(EPSILON, p));
  return Math.log(q / (1 - q));
};

function wordsOf(text: string): { words: Set<string>; stems: Set<string> } {
  const words = new Set(text.toLowerCase().normalize('NFKC').match(/[\p{L}\p{N}]+/gu) ?? []);
  return { words, stems: new Set([...words].map((w) => w.slice(0, STEM))) };
}

/** Share of the query's terms found in `text` (a 5-letter prefix match stands in for stemming). */
export function coverage(terms: readonly string[], text: string): number {
  if (terms.length === 0) return 0;
  const { words, stems } = wordsOf(text);
  return terms.filter((t) => words.has(t) || stems.has(t.slice(0, STEM))).length / terms.length;
}

const chunkText = (c: FeatureChunk) => `${c.title} ${c.headingPath ?? ''} ${c.text ?? ''}`;

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
 * The evidence for "the top doc answers this ticket". `selfScore` is the model's own
 * confidence (Claude); null for the offline responder, which has none.
 */
export function confidenceFeatures(terms: readonly string[], chunks: readonly FeatureChunk[], selfScore: number | null): ConfidenceFeatures {
  const top = chunks[0];
  // Two features, so a refit can learn both how much the model's score says and where its neutral point is.
  const self = { self_score: selfScore === null ? 0 : logit(selfScore), self_present: selfScore === null ? 0 : 1 };
  if (!top) {
    return { coverage_top: 0, coverage_any: 0, title_coverage: 0, doc_lead: 0, separation: 0, query_length: 0, agreement: 0, ...self };
  }
  const topDoc = chunks.filter((c) => c.docId === top.docId);
  return {
    coverage_top: coverage(terms, topDoc.map(chunkText).join(' ')),
    coverage_any: coverage(terms, chunks.map(chunkText).join(' ')),
    title_coverage: coverage(terms, top.title),
    doc_lead: docLead(chunks),
    separation: separation(chunks),
    query_length: Math.log(1 + Math.min(terms.length, MAX_TERMS)) / Math.log(1 + MAX_TERMS),
    agreement: agreement(chunks),
    ...self,
  };
}
