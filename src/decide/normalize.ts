// One normaliser for every check that reads customer text (sensitive topics,
// injection, request type): a look-alike spelling must not slip past them.
// NFKC folds full-width and compatibility forms (ｒｅｆｕｎｄ, ﬁ); zero-width and
// bidi controls are dropped (r\u200Befund); Cyrillic and Greek letters that render
// like Latin ones are folded to Latin (Cyrillic "rеfund"); typographic apostrophes, which
// phones type, become the ASCII one the patterns spell ("didn’t", "quelqu’un"). Used for checks only:
// the stored ticket and the reply keep the customer's text as sent.

const INVISIBLE = /[\u00AD\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u206F\uFEFF]/g;

// Unicode confusables (UTS #39) for the scripts most used to spoof Latin words.
const CONFUSABLES: Record<string, string> = {
  а: 'a', в: 'b', е: 'e', ё: 'e', к: 'k', м: 'm', н: 'h', о: 'o', р: 'p', с: 'c', т: 't', у: 'y', х: 'x',
  і: 'i', ї: 'i', ј: 'j', ѕ: 's', ԁ: 'd', ԛ: 'q', ԝ: 'w', һ: 'h', ү: 'y', ӏ: 'l',
  А: 'A', В: 'B', Е: 'E', К: 'K', М: 'M', Н: 'H', О: 'O', Р: 'P', С: 'C', Т: 'T', У: 'Y', Х: 'X', І: 'I', Ј: 'J', Ѕ: 'S',
  α: 'a', β: 'b', ε: 'e', ι: 'i', κ: 'k', ν: 'v', ο: 'o', ρ: 'p', τ: 't', υ: 'u', χ: 'x', γ: 'y', ω: 'w',
  Α: 'A', Β: 'B', Ε: 'E', Ζ: 'Z', Η: 'H', Ι: 'I', Κ: 'K', Μ: 'M', Ν: 'N', Ο: 'O', Ρ: 'P', Τ: 'T', Υ: 'Y', Χ: 'X',
};
const LOOKALIKE = /[\u0370-\u03FF\u0400-\u052F]/g;
const TYPOGRAPHIC_APOSTROPHE = /[\u2018\u2019\u02BC]/g;

/** Text as the checks see it: NFKC, no invisible characters, look-alike letters folded to Latin, ASCII apostrophes. */
export function normalizeForChecks(text: string): string {
  return text
    .normalize('NFKC')
    .replace(INVISIBLE, '')
    .replace(LOOKALIKE, (ch) => CONFUSABLES[ch] ?? ch)
    .replace(TYPOGRAPHIC_APOSTROPHE, "'");
}
