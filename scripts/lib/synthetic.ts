// Synthetic help-center docs for retrieval scaling: a seeded vocabulary with a
// Zipf-like word distribution, so FTS5 posting lists look like natural text.
import { chunkDoc, type ChunkerParams, type SourceDoc } from '../../src/retrieval/chunk';

/** mulberry32: a tiny seeded PRNG, so shuffles, augmentation and synthetic text repeat exactly. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SYLLABLES = 'ka lo mi ne ru sa te vi zo ba de fi gu ho ja ke la mo nu pe qui ri so tu va we xi yo za'.split(' ');

export function syntheticText(seed = 1) {
  const random = rng(seed);
  const vocabulary = Array.from({ length: 5000 }, (_, i) => {
    let word = '';
    for (let n = i + 7; n > 0; n = Math.floor(n / SYLLABLES.length)) word += SYLLABLES[n % SYLLABLES.length];
    return word;
  });
  // Zipf(s≈1): P(rank r) ∝ 1/r, sampled through the cumulative weights.
  const cumulative: number[] = [];
  vocabulary.reduce((sum, _, r) => (cumulative.push(sum + 1 / (r + 1)), sum + 1 / (r + 1)), 0);
  const total = cumulative.at(-1)!;
  const word = () => {
    const x = random() * total;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return vocabulary[lo]!;
  };
  const words = (n: number) => Array.from({ length: n }, word).join(' ');
  return { words };
}

/** Docs whose chunks add up to exactly `chunks` with these chunker params (one `##` section per chunk). */
export function syntheticDocs(chunks: number, params: ChunkerParams, sectionsPerDoc = 100): SourceDoc[] {
  const { words } = syntheticText(chunks);
  const docs: SourceDoc[] = [];
  let made = 0;
  for (let d = 0; made < chunks; d++) {
    const sections = Math.min(sectionsPerDoc, chunks - made);
    const body = Array.from({ length: sections }, (_, s) => `## ${words(3)} ${s}\n\n${words(60)}.`).join('\n\n');
    const doc = { id: `synthetic-${chunks}-${d}`, title: words(4), url: null, body };
    made += chunkDoc(doc, params).length;
    docs.push(doc);
  }
  return docs;
}

export function syntheticQueries(count: number, seed = 7): string[] {
  const { words } = syntheticText(seed);
  return Array.from({ length: count }, () => words(8));
}
