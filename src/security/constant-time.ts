// Comparing a presented secret with the configured one without the time taken
// saying how much of it matched. timingSafeEqual is workerd's extension of
// crypto.subtle (Node scripts never load this file).
import { sha256 } from './crypto';

/**
 * Two secrets compared in constant time. Hashing both first gives equal lengths,
 * so neither the comparison nor an early length check says how much matched.
 */
export async function secretsEqual(given: string, expected: string): Promise<boolean> {
  const [a, b] = await Promise.all([sha256(given), sha256(expected)]);
  return crypto.subtle.timingSafeEqual(a, b);
}
