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

function wordsOf(text: string): { words: Set<string>; stems: Set<string> } {
  const words = new Set(text.toLowerCase().normalize('NFKC').match(/[\p{L}\p{N}]+/gu) ?? []);
  return { words, stems: new Set([...words].map((w) => w.slice(0, STEM))) };
}

/** A test for "does `text` contain this term", reading the text once for many terms. */
export function termMatcher(text: string): (term: string) => boolean {
  const { words, stems } = wordsOf(text);
  return (t) => words.has(t) || stems.has(t.slice(0, STEM));
}

/** Share of the query's terms found in `text` (a 5-letter prefix match stands in for stemming). */
export function coverage(terms: readonly string[], text: string): number {
  if (terms.length === 0) return 0;
  return terms.filter(termMatcher(text)).length / terms.length;
}
