// Features of the request-type classifier, shared by inference and `npm run train`
// so both see exactly the same thing: hashed word unigrams and bigrams plus
// character 3–5-grams of each word (typos and inflections in any language still
// share most grams), sublinear counts, L2-normalised. Pure and linear in the text.
import { normalizeForChecks } from './normalize';

/** Characters of a ticket the classifier reads; the rest adds little and costs time. */
export const FEATURE_MAX_CHARS = 4000;

const MARKS = /\p{M}+/gu;
const URL = /\b(?:https?:\/\/|www\.)\S+/gi;
const EMAIL = /\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b/g;
const DIGITS = /\d/g;
const WORD = /[\p{L}\p{N}]+/gu;

/** Lower-case, accents and look-alikes folded, links and addresses as placeholders, digits as 0. */
export function featureText(text: string): string {
  return normalizeForChecks(text.slice(0, FEATURE_MAX_CHARS))
    .toLowerCase()
    .normalize('NFD')
    .replace(MARKS, '')
    .replace(URL, ' xurlx ')
    .replace(EMAIL, ' xemailx ')
    .replace(DIGITS, '0');
}

export function words(text: string): string[] {
  return featureText(text).match(WORD) ?? [];
}

/** FNV-1a, 32-bit: stable across runtimes, so a trained artifact means the same everywhere. */
export function hashString(value: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < value.length; i++) {
    hash ^= value.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

export const wordBucket = (word: string, dims: number): number => hashString(`w:${word}`) % dims;

const WORD_WEIGHT = 1;

export type SparseVector = { index: Uint32Array; value: Float32Array };

/** The hashed, L2-normalised feature vector of a text (indices unique, any order). */
export function featurize(text: string, dims: number): SparseVector {
  const counts = new Map<number, number>();
  const add = (key: string, weight = 1) => {
    const i = hashString(key) % dims;
    counts.set(i, (counts.get(i) ?? 0) + weight);
  };
  const normalized = featureText(text);
  const tokens = normalized.match(WORD) ?? [];
  // Shape: a question is rarely an acknowledgement, a two-word mail rarely a how-to.
  if (normalized.includes('?')) add('s:question', WORD_WEIGHT);
  add(`s:length${Math.min(4, Math.floor(Math.log2(1 + tokens.length)))}`, WORD_WEIGHT);
  for (let t = 0; t < tokens.length; t++) {
    const word = tokens[t]!;
    // Whole words and word pairs carry the request ("refund policy" vs "refund me"); grams carry the spelling.
    add(`w:${word}`, WORD_WEIGHT);
    if (t > 0) add(`b:${tokens[t - 1]} ${word}`, WORD_WEIGHT);
    const padded = `<${word}>`;
    for (let n = 3; n <= 5; n++) {
      for (let s = 0; s + n <= padded.length; s++) add(`c:${padded.slice(s, s + n)}`);
    }
  }
  const index = new Uint32Array(counts.size);
  const value = new Float32Array(counts.size);
  let norm = 0;
  let k = 0;
  for (const [i, count] of counts) {
    const v = 1 + Math.log(count);
    index[k] = i;
    value[k] = v;
    norm += v * v;
    k++;
  }
  const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
  for (let j = 0; j < value.length; j++) value[j]! *= scale;
  return { index, value };
}
