// Which of a ticket's terms a text contains: shared by the confidence features and
// answer selection. Pure.
import { memoByText } from '../memo-by-text';
import { synonymKey, variantsOf } from '../retrieval/synonyms';

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

const STEM = 5;
/** A 5-letter prefix stands in for stemming: "installing" and "installation" meet. */
export const stemOf = (term: string): string => term.slice(0, STEM);

type WordSets = { words: Set<string>; stems: Set<string> };

// One ticket reads each chunk's title, heading and text for several features (answer
// selection per doc, then the confidence features): each text's word sets are kept.
const wordsOf = memoByText(4096, (text): WordSets => {
  const words = new Set(text.toLowerCase().normalize('NFKC').match(/[\p{L}\p{N}]+/gu) ?? []);
  return { words, stems: new Set([...words].map(stemOf)) };
});

/**
 * The texts of a chunk the features read. A word never spans the space of a join (nor
 * do lower-casing and NFKC act across it), so matching against these is matching
 * against `${title} ${headingPath} ${text}`, and each part is tokenised once however
 * many joins it takes part in.
 */
export const chunkTexts = (c: FeatureChunk): string[] => [c.title, c.headingPath ?? '', c.text ?? ''];

/**
 * A test for "does any of `texts` contain this term or one of its synonyms", reading
 * each text once for many terms: the test on their join, without building it. The
 * term itself matches by word or 5-letter stem; a synonym by its whole word only, so
 * "terms" is not covered by "conditional" nor "policy" by "police".
 */
export function textsMatcher(texts: readonly string[]): (term: string) => boolean {
  const sets = texts.map(wordsOf).filter((s) => s.words.size > 0);
  const hasOwn = (t: string) => {
    const stem = stemOf(t);
    return sets.some(({ words, stems }) => words.has(t) || stems.has(stem));
  };
  const hasWord = (w: string) => sets.some(({ words }) => words.has(w));
  return (t) => hasOwn(t) || variantsOf(t).some((v) => v !== t && hasWord(v));
}

/**
 * The terms coverage counts: synonyms once per group ("refund terms policy" asks two
 * things, not three), so one word of the text never covers several of the query's terms.
 */
export function distinctTerms(terms: readonly string[]): string[] {
  const seen = new Set<string>();
  return terms.filter((t) => {
    const key = synonymKey(t);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** How many of the query's distinct terms (`distinctTerms`) `text` contains. */
export function coveredCount(terms: readonly string[], text: string): number {
  const has = textsMatcher([text]);
  return distinctTerms(terms).filter(has).length;
}

/** Share of the query's distinct terms found in `text` (a 5-letter prefix match stands in for stemming). */
export function coverage(terms: readonly string[], text: string): number {
  return coverageOfTexts(terms, [text]);
}

/** Share of the query's distinct terms found in any of `texts`: `coverage` of their join, without building it. */
export function coverageOfTexts(terms: readonly string[], texts: readonly string[]): number {
  const distinct = distinctTerms(terms);
  if (distinct.length === 0) return 0;
  const has = textsMatcher(texts);
  return distinct.filter(has).length / distinct.length;
}

/**
 * The least share of a ticket's search terms (`coverage_top`) the selected doc must hold
 * for its draft to go out on its own: under it the policy holds the draft for review
 * (`low_term_coverage`). None of the cases the confidence is fitted on reaches the
 * auto-reply threshold with less than a third of its terms covered, so a high score there
 * is the fit extrapolating: a ticket in another language than the docs that shares one
 * or two words with an article ("SMS", "Instagram") can score 0.95 on how far that
 * article stands out, right or wrong.
 */
export const DEFAULT_MIN_TERM_COVERAGE = 0.25;
