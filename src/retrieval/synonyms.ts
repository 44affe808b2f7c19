// Words a customer and a help center use for the same thing: "refund terms" is what the
// docs call a "refund policy". Pure; read by lexical search (a ticket's word also
// matches its equivalents) and by the confidence's term coverage, so a word the docs
// say differently is neither missed in search nor counted as uncovered.
//
// Only one-word equivalents that mean the same in any help center belong here: a group
// widens every search that uses one of its words, on every corpus.
const SYNONYM_GROUPS: readonly (readonly string[])[] = [
  ['terms', 'policy', 'policies', 'conditions'],
];

const VARIANTS = new Map<string, readonly string[]>();
for (const group of SYNONYM_GROUPS) for (const word of group) VARIANTS.set(word, [word, ...group.filter((w) => w !== word)]);

/** The term and the words the docs may use for it instead; the term itself first. */
export function variantsOf(term: string): readonly string[] {
  return VARIANTS.get(term) ?? [term];
}
