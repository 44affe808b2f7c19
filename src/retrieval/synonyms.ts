// Words a customer and a help center use for the same thing: "refund terms" is what the
// docs call a "refund policy". Pure; read by lexical search (a ticket's word also
// matches its equivalents) and by every term-coverage feature of answer selection and
// the confidence (term-coverage.ts), so a word the docs say differently is neither
// missed in search nor counted as uncovered.
//
// No group is exact in every sense ("in terms of", "password policy", "race
// conditions" match too), and a group widens every search that uses one of its words,
// on every corpus: a group stays only if leaving a corpus out of the confidence fit
// shows no loss (docs/confidence-and-policy.md, "Confidence"). "cost" ~ "price" ~ "pricing" did not.
const SYNONYM_GROUPS: readonly (readonly string[])[] = [
  ['terms', 'policy', 'policies', 'conditions'],
];

/** Each grouped word's group (the word itself first) and its group's key (the group's first word). */
const VARIANTS = new Map<string, readonly string[]>();
const KEYS = new Map<string, string>();
for (const group of SYNONYM_GROUPS) {
  for (const word of group) {
    VARIANTS.set(word, [word, ...group.filter((w) => w !== word)]);
    KEYS.set(word, group[0]!);
  }
}

/** Every word in a group, for the tests that keep the groups well-formed. */
export const GROUPED_WORDS: readonly string[] = SYNONYM_GROUPS.flat();

/** The term and the words the docs may use for it instead; the term itself first. */
export function variantsOf(term: string): readonly string[] {
  return VARIANTS.get(term) ?? [term];
}

/** One key per group (its first word), so a ticket's "terms" and "policy" count as one thing asked. */
export function synonymKey(term: string): string {
  return KEYS.get(term) ?? term;
}

/** The terms with their synonyms, each word once: what search looks for. */
export function withSynonyms(terms: readonly string[]): string[] {
  return [...new Set(terms.flatMap(variantsOf))];
}
