import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { coverage, coverageOfTexts, coveredCount, distinctTerms } from '../../src/decide/term-coverage';
import { GROUPED_WORDS, synonymKey, withSynonyms } from '../../src/retrieval/synonyms';

describe('term coverage', () => {
  it('matches a term by its word or its 5-letter prefix', () => {
    expect(coverage(['invoices', 'export', 'stripe'], 'Export an invoice to PDF')).toBeCloseTo(2 / 3);
    expect(coverage([], 'anything')).toBe(0);
  });

  it('counts a term as covered when the text uses one of its synonyms, and only then', () => {
    expect(coverage(['refund', 'terms'], 'Refunds, chargebacks and billing disputes. Refund policy: yearly plans ...')).toBe(1);
    expect(coverage(['conditions'], 'Our refund policy in short')).toBe(1);
    expect(coverage(['terms'], 'Invoice dates follow your time zone')).toBe(0);
  });

  it('matches a synonym by its whole word only, never by a shared prefix', () => {
    // "conditional" shares "condi" with "conditions", "police" shares "polic" with "policy".
    expect(coverage(['terms'], 'Conditional formatting')).toBe(0);
    expect(coverage(['terms'], 'Call the police')).toBe(0);
    // The term's own word still matches by its stem.
    expect(coverage(['policies'], 'Our refund policy')).toBe(1);
  });

  it('counts synonyms as one thing asked, so one word of the text never covers two of them', () => {
    expect(distinctTerms(['refund', 'terms', 'policy', 'conditions', 'refund'])).toEqual(['refund', 'terms']);
    expect(coverage(['terms', 'policy'], 'Refund policy')).toBe(1);
    expect(coverage(['terms', 'policy', 'invoice'], 'Refund policy')).toBe(1 / 2);
    expect(coveredCount(['terms', 'policy', 'invoice'], 'Refund policy')).toBe(1);
  });

  it('coverageOfTexts is the coverage of the texts joined, and a repeated text (read from the cache) gives the same answer', () => {
    const word = fc.constantFrom('invoice', 'invoices', 'export', 'exporting', 'stripe', 'pdf', 'café', 'Straße', 'ΟΔΟΣ', 'ﬁle', 'csv', 'refund', 'terms', 'policy', 'conditional');
    const text = fc.array(word, { maxLength: 8 }).map((w) => w.join(' '));
    fc.assert(
      fc.property(fc.array(word, { maxLength: 6 }), fc.array(text, { maxLength: 5 }), (terms, texts) => {
        const joined = coverage(terms, texts.join(' '));
        expect(coverageOfTexts(terms, texts)).toBe(joined);
        expect(coverageOfTexts(terms, texts)).toBe(joined);
      }),
      { seed: 14, numRuns: 300 },
    );
  });
});

describe('synonym groups', () => {
  it('hold lowercase NFKC single words, as query terms are, each in one group only', () => {
    for (const word of GROUPED_WORDS) {
      expect(word).toBe(word.normalize('NFKC').toLowerCase());
      expect(word).toMatch(/^[\p{L}\p{N}]+$/u);
    }
    expect(new Set(GROUPED_WORDS).size).toBe(GROUPED_WORDS.length);
  });

  it('give every word of a group the same key and the whole group as its search words', () => {
    const keys = new Set(['terms', 'policy', 'policies', 'conditions'].map(synonymKey));
    expect(keys.size).toBe(1);
    expect(withSynonyms(['refund', 'policy'])).toEqual(['refund', 'policy', 'terms', 'policies', 'conditions']);
    expect(synonymKey('invoice')).toBe('invoice');
  });
});
