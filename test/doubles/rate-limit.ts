/** A RateLimit binding double with the binding's contract: `limit({key})` → `{success}` per key and budget. */
export function countingLimiter(budget: number): RateLimit & { keys: string[] } {
  const used = new Map<string, number>();
  const keys: string[] = [];
  return {
    keys,
    async limit({ key }) {
      keys.push(key);
      const n = (used.get(key) ?? 0) + 1;
      used.set(key, n);
      return { success: n <= budget };
    },
  };
}
