// The cryptographic primitives every verifier and id is built from, on
// crypto.subtle only. HMAC is checked with crypto.subtle.verify (constant time
// inside the runtime), never by signing again and comparing strings.
import { hexEncode, utf8Bytes } from './encoding';

type Bytes = ArrayBuffer | ArrayBufferView;
const asBytes = (data: string | Bytes): Bytes => (typeof data === 'string' ? utf8Bytes(data) : data);

export async function sha256(data: string | Bytes): Promise<ArrayBuffer> {
  return crypto.subtle.digest('SHA-256', asBytes(data));
}

export async function sha256Hex(text: string): Promise<string> {
  return hexEncode(await sha256(text));
}

export function randomBytes(length: number): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(length));
}

/** An HMAC-SHA256 key from a secret as configured (text) or derived (bytes). */
export async function hmacKey(secret: string | Bytes): Promise<CryptoKey> {
  return crypto.subtle.importKey('raw', asBytes(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
}

export async function hmacSign(key: CryptoKey, message: string | Bytes): Promise<ArrayBuffer> {
  return crypto.subtle.sign('HMAC', key, asBytes(message));
}

export async function hmacVerify(key: CryptoKey, signature: Bytes, message: string | Bytes): Promise<boolean> {
  return crypto.subtle.verify('HMAC', key, signature, asBytes(message));
}

/**
 * Two secrets compared in constant time. Hashing both first gives equal lengths,
 * so neither the comparison nor an early length check says how much matched.
 */
export async function secretsEqual(given: string, expected: string): Promise<boolean> {
  const [a, b] = await Promise.all([sha256(given), sha256(expected)]);
  return crypto.subtle.timingSafeEqual(a, b);
}
