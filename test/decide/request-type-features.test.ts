// featurize hashes its keys without building them and counts buckets on a reused table:
// it must give exactly what the plain definition gives (string keys, FNV-1a, a Map per
// text), which is what every trained artifact was fitted on.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { featureText, featurize, hashString, wordBucket } from '../../src/decide/request-type-features';

const WORD = /[\p{L}\p{N}]+/gu;

function definition(text: string, dims: number) {
  const counts = new Map<number, number>();
  const add = (key: string) => {
    const i = hashString(key) % dims;
    counts.set(i, (counts.get(i) ?? 0) + 1);
  };
  const normalized = featureText(text);
  const tokens = normalized.match(WORD) ?? [];
  if (normalized.includes('?')) add('s:question');
  add(`s:length${Math.min(4, Math.floor(Math.log2(1 + tokens.length)))}`);
  tokens.forEach((word, t) => {
    add(`w:${word}`);
    if (t > 0) add(`b:${tokens[t - 1]} ${word}`);
    const padded = `<${word}>`;
    for (let n = 3; n <= 5; n++) for (let s = 0; s + n <= padded.length; s++) add(`c:${padded.slice(s, s + n)}`);
  });
  const raw = [...counts.values()].map((c) => 1 + Math.log(c));
  const norm = Math.sqrt(raw.reduce((a, v) => a + v * v, 0));
  return { index: [...counts.keys()], value: raw.map((v) => Math.fround(Math.fround(v) * (1 / norm))), wordBuckets: tokens.map((w) => wordBucket(w, dims)) };
}

const ticketText = fc.string({ unit: fc.constantFrom(...[...'abcdeéñ ?!.0 9\nрефундß😀<>-@x']), maxLength: 300 });

describe('request-type features', () => {
  it('are the string-keyed definition, bucket for bucket and value for value', () => {
    fc.assert(
      fc.property(fc.oneof(ticketText, fc.string({ maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 80 })), fc.constantFrom(64, 4096, 65536), (text, dims) => {
        const fast = featurize(text, dims);
        const expected = definition(text, dims);
        expect(Array.from(fast.index)).toEqual(expected.index);
        expect(Array.from(fast.value)).toEqual(expected.value);
        expect(Array.from(fast.wordBuckets)).toEqual(expected.wordBuckets);
      }),
      { numRuns: 400 },
    );
  });

  it('leave nothing behind for the next text on the shared table', () => {
    const alone = featurize('refund my order please', 4096);
    featurize('a long unrelated text about passwords, invoices and exports '.repeat(20), 4096);
    expect(featurize('refund my order please', 4096)).toEqual(alone);
  });
});
