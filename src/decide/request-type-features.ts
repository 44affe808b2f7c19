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

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
const fnvStep = (hash: number, code: number): number => Math.imul(hash ^ code, FNV_PRIME);
/** FNV-1a continued over `value` from a state: hashing a key piece by piece without building it. */
function fnvOver(hash: number, value: string): number {
  for (let i = 0; i < value.length; i++) hash = fnvStep(hash, value.charCodeAt(i));
  return hash;
}

/** FNV-1a, 32-bit: stable across runtimes, so a trained artifact means the same everywhere. */
export function hashString(value: string): number {
  return fnvOver(FNV_OFFSET, value) >>> 0;
}

export const wordBucket = (word: string, dims: number): number => hashString(`w:${word}`) % dims;

const WORD_WEIGHT = 1;

export type SparseVector = { index: Uint32Array; value: Float32Array };

// The states after each feature family's prefix, so a key is hashed without being built.
const WORD_PREFIX = fnvOver(FNV_OFFSET, 'w:');
const PAIR_PREFIX = fnvOver(FNV_OFFSET, 'b:');
const GRAM_PREFIX = fnvOver(FNV_OFFSET, 'c:');
const SPACE = 0x20;
const GRAM_START = 0x3c; // '<'
const GRAM_END = 0x3e; // '>'

/** The feature vector, and the bucket of each word (what the known-word share is read from). */
export type TextFeatures = SparseVector & { wordBuckets: Uint32Array };

/**
 * The hashed, L2-normalised feature vector of a text (indices unique, any order). Every key
 * is hashed as the string `w:word`, `b:previous word`, `c:gram` (grams of `<word>`) would
 * be, without allocating one; keys are added in the same order as they always were.
 */
export function featurize(text: string, dims: number): TextFeatures {
  const counts = new BucketCounts(dims);
  try {
    const normalized = featureText(text);
    const tokens = normalized.match(WORD) ?? [];
    const wordBuckets = new Uint32Array(tokens.length);
    // Shape: a question is rarely an acknowledgement, a two-word mail rarely a how-to.
    if (normalized.includes('?')) counts.add(fnvOver(FNV_OFFSET, 's:question'), WORD_WEIGHT);
    counts.add(fnvOver(FNV_OFFSET, `s:length${Math.min(4, Math.floor(Math.log2(1 + tokens.length)))}`), WORD_WEIGHT);
    for (let t = 0; t < tokens.length; t++) {
      const word = tokens[t]!;
      // Whole words and word pairs carry the request ("refund policy" vs "refund me"); grams carry the spelling.
      wordBuckets[t] = counts.add(fnvOver(WORD_PREFIX, word), WORD_WEIGHT);
      if (t > 0) counts.add(fnvOver(fnvStep(fnvOver(PAIR_PREFIX, tokens[t - 1]!), SPACE), word), WORD_WEIGHT);
      const padded = word.length + 2;
      for (let n = 3; n <= 5; n++) {
        for (let s = 0; s + n <= padded; s++) {
          let hash = GRAM_PREFIX;
          for (let j = s; j < s + n; j++) hash = fnvStep(hash, j === 0 ? GRAM_START : j === padded - 1 ? GRAM_END : word.charCodeAt(j - 1));
          counts.add(hash, 1);
        }
      }
    }
    return { ...counts.normalised(), wordBuckets };
  } finally {
    counts.clear();
  }
}

// A bucket's position (+1) among the text's distinct buckets, 0 for none yet: one table per
// size, reused and cleared after each text (a Map per text was a quarter of featurize's time).
const slotTables = new Map<number, Int32Array>();

/** One text's distinct buckets in first-seen order, with their counts. */
class BucketCounts {
  private readonly buckets: number[] = [];
  private readonly counts: number[] = [];
  private readonly slot: Int32Array;

  constructor(private readonly dims: number) {
    let table = slotTables.get(dims);
    if (!table) slotTables.set(dims, (table = new Int32Array(dims)));
    this.slot = table;
  }

  /** Count a key's hash in its bucket; returns the bucket. */
  add(hash: number, weight: number): number {
    const i = (hash >>> 0) % this.dims;
    const at = this.slot[i]!;
    if (at === 0) {
      this.buckets.push(i);
      this.counts.push(weight);
      this.slot[i] = this.buckets.length;
    } else this.counts[at - 1]! += weight;
    return i;
  }

  /** Sublinear counts, L2-normalised. */
  normalised(): SparseVector {
    const value = new Float32Array(this.counts.length);
    let norm = 0;
    for (let k = 0; k < this.counts.length; k++) {
      const v = 1 + Math.log(this.counts[k]!);
      value[k] = v;
      norm += v * v;
    }
    const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    for (let j = 0; j < value.length; j++) value[j]! *= scale;
    return { index: Uint32Array.from(this.buckets), value };
  }

  clear(): void {
    for (const i of this.buckets) this.slot[i] = 0;
  }
}
