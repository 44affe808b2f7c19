// A customer's follow-up to an auto-reply, read as a verdict on that reply (issue 16
// item 4), pure. A fixed set of phrases on normalised, capped text: each pattern is
// literals and single-character classes (no nested quantifiers), so a run is linear
// in the capped length. The text can only mark the earlier reply right or wrong; it
// never reaches a threshold.
import { normalizeForChecks } from '../decide/normalize';

/** Only the opening of a follow-up carries its verdict; the rest is detail (or a quote ingest missed). */
export const FOLLOW_UP_SCAN_CHARS = 2000;
/** Word-set overlap (Jaccard) at which a follow-up is the earlier question asked again. */
const REPEAT_SIMILARITY = 0.6;
/** A repeat needs this many distinct words: "help?" twice is not a repeated question. */
const REPEAT_MIN_WORDS = 4;

export type FollowUpVerdict = { verdict: 'wrong' | 'right'; signal: 'did_not_help' | 'fixed' | 'repeated_question' };

const NOT = String.raw`(?:not|n't|nt|never)`;
/** "that didn't help", "still broken", "not what I asked": the reply did not answer. */
const DID_NOT_HELP = [
  new RegExp(String.raw`\b(?:did|does|do|has|have|had|is|was)\s?${NOT}\s(?:\w+\s)?(?:help|work|fix|solve|resolve|answer)`),
  new RegExp(String.raw`\bnot\s(?:working|fixed|solved|resolved|helpful|what i (?:asked|meant|need))\b`),
  /\bstill\s(?:broken|not|doesn|does not|didn|can'?t|cannot|unable|fail|the same|having|getting|seeing|happening|stuck|no\b)/,
  /\b(?:same|that)\s(?:problem|issue|error)\s(?:again|persists|remains|is still)/,
  /\b(?:useless|wrong)\s(?:answer|reply|article|link|response)\b/,
  /\bno\s(?:luck|change|difference)\b/,
];
/** "thanks, that fixed it", "works now": the reply answered. */
const FIXED = [
  /\b(?:that|this|it|which|you)\s(?:fixed|solved|resolved|sorted|worked|helped|did the trick|did it)\b/,
  /\b(?:works|working|fixed|solved|sorted)\snow\b/,
  /\b(?:problem|issue)\s(?:solved|fixed|resolved|gone)\b/,
  /\ball\s(?:good|sorted|set|fixed)\b/,
];

/** Normalised for the patterns: look-alikes folded, lower case, one kind of apostrophe, single spaces. */
function forPatterns(text: string): string {
  return normalizeForChecks(text.slice(0, FOLLOW_UP_SCAN_CHARS))
    .toLowerCase()
    .replace(/[\u2018\u2019\u02bc`´]/g, "'")
    .replace(/\s+/g, ' ');
}

const words = (text: string): Set<string> => new Set(text.split(/[^\p{L}\p{N}']+/u).filter((w) => w.length >= 3));

function similarity(a: Set<string>, b: Set<string>): number {
  let shared = 0;
  for (const w of a) if (b.has(w)) shared += 1;
  const union = a.size + b.size - shared;
  return union === 0 ? 0 : shared / union;
}

/**
 * The verdict a follow-up gives the reply before it: "didn't help" wins over a polite
 * "thanks" in the same message, a fix is `right`, the question asked again is `wrong`,
 * anything else is no verdict (null).
 */
export function judgeFollowUp(followUp: { subject: string; text: string }, earlier: { subject: string; text: string }): FollowUpVerdict | null {
  const text = forPatterns(followUp.text);
  if (DID_NOT_HELP.some((p) => p.test(text))) return { verdict: 'wrong', signal: 'did_not_help' };
  if (FIXED.some((p) => p.test(text))) return { verdict: 'right', signal: 'fixed' };
  const asked = words(forPatterns(earlier.text));
  const askedAgain = words(text);
  if (asked.size >= REPEAT_MIN_WORDS && askedAgain.size >= REPEAT_MIN_WORDS && similarity(asked, askedAgain) >= REPEAT_SIMILARITY) {
    return { verdict: 'wrong', signal: 'repeated_question' };
  }
  return null;
}
