// Per-isolate memo for pure functions of a text (chunk texts, mostly: the next tickets
// retrieve the same chunks; an async one keeps its promise). Keyed by the text itself, so a cached answer is always the
// computed one; bounded, and cleared whole when full, so a burst of new texts cannot grow it.
export function memoByText<T>(limit: number, compute: (text: string) => T): (text: string) => T {
  const cache = new Map<string, T>();
  return (text) => {
    const hit = cache.get(text);
    if (hit !== undefined) return hit;
    const value = compute(text);
    if (cache.size >= limit) cache.clear();
    cache.set(text, value);
    return value;
  };
}
