// Verify a deflect hand-off webhook (docs/HANDOFF.md). Web Crypto only, so it runs
// unchanged on Node 20+, Cloudflare Workers, Deno and Bun; drop the types for plain JS.
// `rawBody` is the request body exactly as received, before any JSON parsing.
export async function verifyDeflectHandoff(
  rawBody: string,
  headers: { get(name: string): string | null },
  secret: string,
  nowSeconds: number = Math.floor(Date.now() / 1000),
  toleranceSeconds = 300,
): Promise<boolean> {
  const timestamp = headers.get('x-deflect-timestamp') ?? '';
  const signature = /^v1=([0-9a-f]{64})$/.exec(headers.get('x-deflect-signature') ?? '')?.[1];
  // A stale or future timestamp is refused: a captured request cannot be replayed later.
  if (!signature || !/^\d+$/.test(timestamp) || Math.abs(nowSeconds - Number(timestamp)) > toleranceSeconds) return false;
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']);
  const mac = Uint8Array.from(signature.match(/../g)!, (byte) => parseInt(byte, 16));
  // subtle.verify compares in constant time.
  return crypto.subtle.verify('HMAC', key, mac, new TextEncoder().encode(`${timestamp}.${rawBody}`));
}
