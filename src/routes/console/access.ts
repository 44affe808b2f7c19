// Cloudflare Access in front of the console: every request carries the
// `Cf-Access-Jwt-Assertion` JWT, signed RS256 by the team's rotating keys
// (https://developers.cloudflare.com/cloudflare-one/identity/authorization-cookie/validating-json/).
// We check signature, audience, issuer and expiry; keys are cached and refetched on an unknown kid.
import type { Fetch } from '../../act/http';

export type AccessSettings = { teamDomain: string; audience: string };
export type AccessIdentity = { email: string | null; subject: string };

type Jwk = JsonWebKey & { kid?: string };
type CachedKeys = { keys: Map<string, CryptoKey>; fetchedAt: number };

/** Access rotates keys every six weeks and publishes the next one early; an hour of caching is safe. */
const KEY_CACHE_MS = 60 * 60 * 1000;
const REFETCH_UNKNOWN_KID_MS = 60 * 1000;
/** Clock skew tolerated on exp/nbf. */
const LEEWAY_SECONDS = 60;

const keyCache = new Map<string, CachedKeys>();

export function accessIssuer(teamDomain: string): string {
  const host = teamDomain.replace(/^https?:\/\//, '').replace(/\/.*$/, '');
  return `https://${host.includes('.') ? host : `${host}.cloudflareaccess.com`}`;
}

function base64urlDecode(text: string): Uint8Array<ArrayBuffer> {
  const base64 = text.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(text.length / 4) * 4, '=');
  return Uint8Array.from(atob(base64), (ch) => ch.charCodeAt(0));
}

function decodeJson(part: string): Record<string, unknown> {
  return JSON.parse(new TextDecoder().decode(base64urlDecode(part))) as Record<string, unknown>;
}

async function fetchKeys(issuer: string, fetcher: Fetch, now: number): Promise<CachedKeys> {
  const response = await fetcher(`${issuer}/cdn-cgi/access/certs`, { signal: AbortSignal.timeout(5000) });
  if (!response.ok) throw new Error(`Access certs ${response.status}`);
  const body = (await response.json()) as { keys?: Jwk[] };
  const keys = new Map<string, CryptoKey>();
  for (const jwk of body.keys ?? []) {
    if (jwk.kty !== 'RSA' || !jwk.kid) continue;
    keys.set(jwk.kid, await crypto.subtle.importKey('jwk', jwk, { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, false, ['verify']));
  }
  const cached = { keys, fetchedAt: now };
  keyCache.set(issuer, cached);
  return cached;
}

async function keyFor(issuer: string, kid: string, fetcher: Fetch, now: number): Promise<CryptoKey | undefined> {
  const cached = keyCache.get(issuer);
  if (cached && now - cached.fetchedAt < KEY_CACHE_MS) {
    // An unknown kid may be a fresh rotation, so refetch — but at most once a minute,
    // or tokens with made-up kids would turn every request into a certs fetch.
    if (cached.keys.has(kid) || now - cached.fetchedAt < REFETCH_UNKNOWN_KID_MS) return cached.keys.get(kid);
  }
  return (await fetchKeys(issuer, fetcher, now)).keys.get(kid);
}

/** The identity in a valid Access JWT, or null for anything else (bad signature, wrong aud, expired, malformed). */
export async function verifyAccessJwt(
  token: string,
  settings: AccessSettings,
  options: { fetcher: Fetch; now: number },
): Promise<AccessIdentity | null> {
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];
  let header: Record<string, unknown>;
  let payload: Record<string, unknown>;
  try {
    header = decodeJson(headerPart);
    payload = decodeJson(payloadPart);
  } catch {
    return null;
  }
  if (header.alg !== 'RS256' || typeof header.kid !== 'string') return null;
  const issuer = accessIssuer(settings.teamDomain);
  const key = await keyFor(issuer, header.kid, options.fetcher, options.now);
  if (!key) return null;
  const signed = new TextEncoder().encode(`${headerPart}.${payloadPart}`);
  if (!(await crypto.subtle.verify('RSASSA-PKCS1-v1_5', key, base64urlDecode(signaturePart), signed))) return null;

  const seconds = options.now / 1000;
  const audiences = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
  if (!audiences.includes(settings.audience)) return null;
  if (payload.iss !== issuer) return null;
  if (typeof payload.exp !== 'number' || payload.exp + LEEWAY_SECONDS < seconds) return null;
  if (typeof payload.nbf === 'number' && payload.nbf - LEEWAY_SECONDS > seconds) return null;
  if (typeof payload.sub !== 'string') return null;
  return { subject: payload.sub, email: typeof payload.email === 'string' ? payload.email : null };
}
