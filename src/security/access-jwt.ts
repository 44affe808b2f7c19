// Cloudflare Access in front of the console: every request carries the
// `Cf-Access-Jwt-Assertion` JWT, signed RS256 by the team's rotating keys
// (https://developers.cloudflare.com/cloudflare-one/identity/authorization-cookie/validating-json/).
// We check signature, audience, issuer and expiry; keys are cached and refetched on an unknown kid.
import type { Fetch } from '../act/http';
import { base64urlDecode, utf8Bytes } from './encoding';
import { refused, type AuthResult } from './result';

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

/** The identity in a valid Access JWT; bad signature, wrong aud or iss, malformed: `invalid`; outside exp/nbf: `stale`. */
export async function verifyAccessJwt(
  token: string | undefined,
  settings: AccessSettings,
  options: { fetcher: Fetch; now: number },
): Promise<AuthResult<{ identity: AccessIdentity }>> {
  if (!token) return refused('session', 'missing', 'No Cf-Access-Jwt-Assertion header');
  const invalid = (why: string) => refused('session', 'invalid', `Access JWT refused: ${why}`);
  const parts = token.split('.');
  if (parts.length !== 3) return invalid('not a JWT');
  const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];
  let header: Record<string, unknown>;
  let payload: Record<string, unknown>;
  let signature: Uint8Array<ArrayBuffer>;
  try {
    header = decodeJson(headerPart);
    payload = decodeJson(payloadPart);
    signature = base64urlDecode(signaturePart);
  } catch {
    return invalid('not a JWT');
  }
  // RS256 only: `alg: none` or an HMAC alg keyed with the public key must never pass.
  if (header.alg !== 'RS256' || typeof header.kid !== 'string') return invalid('alg or kid');
  const issuer = accessIssuer(settings.teamDomain);
  const key = await keyFor(issuer, header.kid, options.fetcher, options.now);
  if (!key) return invalid('unknown signing key');
  if (!(await crypto.subtle.verify('RSASSA-PKCS1-v1_5', key, signature, utf8Bytes(`${headerPart}.${payloadPart}`)))) return invalid('signature');

  const seconds = options.now / 1000;
  const audiences = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
  if (!audiences.includes(settings.audience)) return invalid('audience');
  if (payload.iss !== issuer) return invalid('issuer');
  if (typeof payload.exp !== 'number') return invalid('no expiry');
  if (payload.exp + LEEWAY_SECONDS < seconds) return refused('session', 'stale', 'Access JWT has expired');
  if (typeof payload.nbf === 'number' && payload.nbf - LEEWAY_SECONDS > seconds) return refused('session', 'stale', 'Access JWT is not valid yet');
  if (typeof payload.sub !== 'string') return invalid('no subject');
  return { ok: true, identity: { subject: payload.sub, email: typeof payload.email === 'string' ? payload.email : null } };
}
