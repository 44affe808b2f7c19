import { describe, expect, it } from 'vitest';
import { memoByText } from '../src/memo-by-text';

describe('memoByText', () => {
  it('computes each text once while it is cached, and returns the computed value', () => {
    const seen: string[] = [];
    const upper = memoByText(4, (text) => (seen.push(text), { upper: text.toUpperCase() }));
    const first = upper('abc');
    expect(upper('abc')).toBe(first);
    expect(first).toEqual({ upper: 'ABC' });
    expect(seen).toEqual(['abc']);
  });

  it('stays within its bound: when full it starts over instead of growing', () => {
    const seen: string[] = [];
    const length = memoByText(2, (text) => (seen.push(text), text.length));
    for (const text of ['a', 'bb', 'ccc', 'a']) length(text);
    // 'ccc' arrived with two cached: the cache was cleared, so 'a' is computed again.
    expect(seen).toEqual(['a', 'bb', 'ccc', 'a']);
    expect(length('a')).toBe(1);
    expect(seen).toHaveLength(4);
  });
});
