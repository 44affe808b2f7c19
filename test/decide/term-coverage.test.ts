import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { coverage, coverageOfTexts } from '../../src/decide/term-coverage';

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

  it('coverageOfTexts is the coverage of the texts joined, and a repeated text (read from the cache) gives the same answer', () => {
    const word = fc.constantFrom('invoice', 'invoices', 'export', 'exporting', 'stripe', 'pdf', 'café', 'Straße', 'ΟΔΟΣ', 'ﬁle', 'csv', 'refund');
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
