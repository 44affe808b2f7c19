// Console sessions: a signed cookie naming who logged in and when it expires,
// never the admin token itself. The signing key is derived from ADMIN_TOKEN, so
// rotating the token signs everyone out; the cookie also names a server-side row
// (db/sessions.ts) that logout revokes. CSRF tokens are an HMAC of the session id:
// a page from this session can post, a page elsewhere cannot know the value.

export type Session = { id: string; actor: string; expiresAt: number };

const encoder = new TextEncoder();

function base64url(bytes: ArrayBuffer | Uint8Array): string {
  let binary = '';
  for (const byte of new Uint8Array(bytes)) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

async function hmacKey(adminToken: string): Promise<CryptoKey> {
  const root = await crypto.subtle.importKey('raw', encoder.encode(adminToken), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const derived = await crypto.subtle.sign('HMAC', root, encoder.encode('deflect console session v1'));
  return crypto.subtle.importKey('raw', derived, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
}

async function sign(adminToken: string, text: string): Promise<string> {
  return base64url(await crypto.subtle.sign('HMAC', await hmacKey(adminToken), encoder.encode(text)));
}

async function verify(adminToken: string, text: string, signature: string): Promise<boolean> {
  const expected = await sign(adminToken, text);
  const [a, b] = await Promise.all([crypto.subtle.digest('SHA-256', encoder.encode(expected)), crypto.subtle.digest('SHA-256', encoder.encode(signature))]);
  return crypto.subtle.timingSafeEqual(a, b);
}

/** Names the ADMIN_TOKEN a session row was started under without storing anything it could be recovered from cheaply. */
export async function tokenFingerprint(adminToken: string): Promise<string> {
  return sign(adminToken, 'fingerprint');
}

export function newSessionId(): string {
  return base64url(crypto.getRandomValues(new Uint8Array(18)));
}

/** `<id>.<expiresAt>.<actor, base64url>.<hmac>` */
export async function encodeSession(session: Session, adminToken: string): Promise<string> {
  const body = `${session.id}.${session.expiresAt}.${base64url(encoder.encode(session.actor))}`;
  return `${body}.${await sign(adminToken, `session:${body}`)}`;
}

export async function decodeSession(cookie: string | undefined, adminToken: string, now: number): Promise<Session | null> {
  const parts = cookie?.split('.') ?? [];
  if (parts.length !== 4) return null;
  const [id, expires, actor, signature] = parts as [string, string, string, string];
  const body = `${id}.${expires}.${actor}`;
  if (!(await verify(adminToken, `session:${body}`, signature))) return null;
  const expiresAt = Number(expires);
  if (!Number.isFinite(expiresAt) || expiresAt <= now) return null;
  try {
    const bytes = Uint8Array.from(atob(actor.replace(/-/g, '+').replace(/_/g, '/')), (ch) => ch.charCodeAt(0));
    return { id, expiresAt, actor: new TextDecoder().decode(bytes) };
  } catch {
    return null;
  }
}

/** The form token for one session (or, before login, for one login nonce). */
export async function csrfToken(sessionId: string, adminToken: string): Promise<string> {
  return sign(adminToken, `csrf:${sessionId}`);
}

export async function csrfValid(given: string | undefined, sessionId: string, adminToken: string): Promise<boolean> {
  if (!given) return false;
  return verify(adminToken, `csrf:${sessionId}`, given);
}
