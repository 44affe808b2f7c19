// Console sessions: a signed cookie naming who logged in and when it expires,
// never the admin token itself. The signing key is derived from ADMIN_TOKEN, so
// rotating the token signs everyone out; the cookie also names a server-side row
// (db/sessions.ts) that logout revokes. CSRF tokens are an HMAC of the session id:
// a page from this session can post, a page elsewhere cannot know the value.
import { hmacKey, hmacSign, hmacVerify, randomBytes } from './crypto';
import { base64urlDecode, base64urlEncode, utf8Bytes } from './encoding';
import { refused, VERIFIED, type AuthFailure, type AuthResult } from './result';

export type Session = { id: string; actor: string; expiresAt: number };

export const LOGIN_REQUIRED: AuthFailure = refused('session', 'missing', 'Log in to the console first');

/** A key of its own for sessions, so nothing signed here is a valid signature under the raw ADMIN_TOKEN elsewhere. */
async function sessionKey(adminToken: string): Promise<CryptoKey> {
  return hmacKey(await hmacSign(await hmacKey(adminToken), 'deflect console session v1'));
}

async function sign(adminToken: string, text: string): Promise<string> {
  return base64urlEncode(await hmacSign(await sessionKey(adminToken), text));
}

async function signatureValid(adminToken: string, text: string, signature: string): Promise<boolean> {
  let mac: Uint8Array<ArrayBuffer>;
  try {
    mac = base64urlDecode(signature);
  } catch {
    return false;
  }
  // Only the canonical spelling: otherwise the unused low bits of the last character give each signature several valid forms.
  if (base64urlEncode(mac) !== signature) return false;
  return hmacVerify(await sessionKey(adminToken), mac, text);
}

/** Names the ADMIN_TOKEN a session row was started under without storing anything it could be recovered from cheaply. */
export async function tokenFingerprint(adminToken: string): Promise<string> {
  return sign(adminToken, 'fingerprint');
}

export function newSessionId(): string {
  return base64urlEncode(randomBytes(18));
}

/** `<id>.<expiresAt>.<actor, base64url>.<hmac>` */
export async function encodeSession(session: Session, adminToken: string): Promise<string> {
  const body = `${session.id}.${session.expiresAt}.${base64urlEncode(utf8Bytes(session.actor))}`;
  return `${body}.${await sign(adminToken, `session:${body}`)}`;
}

export async function verifySessionCookie(cookie: string | undefined, adminToken: string, now: number): Promise<AuthResult<{ session: Session }>> {
  if (!cookie) return LOGIN_REQUIRED;
  const parts = cookie.split('.');
  const invalid = refused('session', 'invalid', 'The session cookie is not one we signed');
  if (parts.length !== 4) return invalid;
  const [id, expires, actor, signature] = parts as [string, string, string, string];
  const body = `${id}.${expires}.${actor}`;
  if (!(await signatureValid(adminToken, `session:${body}`, signature))) return invalid;
  const expiresAt = Number(expires);
  if (!Number.isFinite(expiresAt) || expiresAt <= now) return refused('session', 'stale', 'The console session has expired; log in again');
  try {
    return { ok: true, session: { id, expiresAt, actor: new TextDecoder().decode(base64urlDecode(actor)) } };
  } catch {
    return invalid;
  }
}

/** The form token for one session (or, before login, for one login nonce: `login:<nonce>`). */
export async function csrfToken(subject: string, adminToken: string): Promise<string> {
  return sign(adminToken, `csrf:${subject}`);
}

export async function verifyCsrfToken(given: string | undefined, subject: string | undefined, adminToken: string): Promise<AuthResult> {
  const message = 'The form token is missing or belongs to another session; reload the page and try again';
  if (!given || !subject) return refused('csrf', 'missing', message);
  return (await signatureValid(adminToken, `csrf:${subject}`, given)) ? VERIFIED : refused('csrf', 'invalid', message);
}
