// Which of a ticket's terms a text contains: shared by the confidence features and
// answer selection. Pure.

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

type WordSets = { words: Set<string>; stems: Set<string> };

// One ticket reads the same chunk texts several times (answer selection per doc, then
// the confidence features): their word sets are kept for the next few tickets. Bounded,
// and keyed by the text itself, so a cached answer is always the computed one.
const CACHE_LIMIT = 512;
const cache = new Map<string, WordSets>();

function wordsOf(text: string): WordSets {
  const hit = cache.get(text);
  if (hit) return hit;
  const words = new Set(text.toLowerCase().normalize('NFKC').match(/[\p{L}\p{N}]+/gu) ?? []);
  const sets = { words, stems: new Set([...words].map((w) => w.slice(0, STEM))) };
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(text, sets);
  return sets;
}

/** A test for "does `text` contain this term", reading the text once for many terms. */
export function termMatcher(text: string): (term: string) => boolean {
  const { words, stems } = wordsOf(text);
  return (t) => words.has(t) || stems.has(t.slice(0, STEM));
}

/** Share of the query's terms found in `text` (a 5-letter prefix match stands in for stemming). */
export function coverage(terms: readonly string[], text: string): number {
  return coverageOfTexts(terms, [text]);
}

/** Share of the query's terms found in any of `texts`: `coverage` of their join, without building it. */
export function coverageOfTexts(terms: readonly string[], texts: readonly string[]): number {
  if (terms.length === 0) return 0;
  const matchers = texts.map(termMatcher);
  return terms.filter((t) => matchers.some((m) => m(t))).length / terms.length;
}
