// The cryptographic primitives every verifier and id is built from, on crypto.subtle
// only (comparing secrets is constant-time.ts). HMAC is checked with crypto.subtle.verify
// (constant time inside the runtime), never by signing again and comparing strings.
import { hexEncode, utf8Bytes } from './encoding';

type Bytes = ArrayBuffer | Uint8Array<ArrayBuffer>;
const asBytes = (data: string | Bytes): Bytes => (typeof data === 'string' ? utf8Bytes(data) : data);

export async function sha256(data: string | Bytes): Promise<ArrayBuffer> {
  return crypto.subtle.digest('SHA-256', asBytes(data));
}

export async function sha256Hex(text: string): Promise<string> {
  return hexEncode(await sha256(text));
}

// Random bytes are drawn from the CSPRNG a pool at a time and each byte handed out once
// (as Node's randomUUID does): one call per few hundred ids instead of one per id.
const POOL_BYTES = 4096;
let pool = new Uint8Array(0);
let poolUsed = 0;

export function randomBytes(length: number): Uint8Array<ArrayBuffer> {
  if (length > POOL_BYTES) return crypto.getRandomValues(new Uint8Array(length));
  if (poolUsed + length > pool.length) {
    pool = crypto.getRandomValues(new Uint8Array(POOL_BYTES));
    poolUsed = 0;
  }
  const bytes = pool.slice(poolUsed, poolUsed + length);
  poolUsed += length;
  return bytes;
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
