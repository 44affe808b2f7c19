// Comparing a presented secret with the configured one without the time taken
// saying how much of it matched. timingSafeEqual is workerd's extension of
// crypto.subtle (Node scripts never load this file).
import { memoByText } from '../memo-by-text';
import { sha256 } from './crypto';

// The configured secrets are the same on every request an isolate serves: each one's
// digest is taken once (the promise is kept, so concurrent first requests share it).
// Keyed by the secret itself, so a rotated secret is digested anew.
const configuredDigest = memoByText(16, sha256);

/**
 * A presented secret compared in constant time with the configured one (`expected`,
 * never a caller's input: its digest is kept). Hashing both first gives equal lengths,
 * so neither the comparison nor an early length check says how much matched.
 */
export async function secretsEqual(given: string, expected: string): Promise<boolean> {
  const [a, b] = await Promise.all([sha256(given), configuredDigest(expected)]);
  return crypto.subtle.timingSafeEqual(a, b);
}
