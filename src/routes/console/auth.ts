// Who may use the console: a signed session cookie (from the token login form,
// or minted from a valid Cloudflare Access JWT), and on every POST a CSRF token
// tied to that session. Pages without a session redirect to the login form;
// data routes (export, raw message) and form posts answer 401.
import type { Context, MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { AppEnvWith } from '../../app-env';
import type { Config } from '../../config';
import { liveSession, recordSession, revokeSession } from '../../db/sessions';
import { verifyAccessJwt } from '../../security/access-jwt';
import {
  csrfToken,
  encodeSession,
  LOGIN_REQUIRED,
  newSessionId,
  tokenFingerprint,
  verifyCsrfToken,
  verifySessionCookie,
  type Session,
} from '../../security/console-session';
import { authError, unconfigured } from '../../security/result';

export const SESSION_COOKIE = 'deflect_session';
export const LOGIN_COOKIE = 'deflect_login';
export const CONSOLE_PATH = '/console';

export type ConsoleEnv = AppEnvWith<{ session: Session; csrf: string; cspNonce: string }>;

/** The console needs ADMIN_TOKEN to sign sessions; without it the console is closed, not open. */
export function adminTokenOf(config: Config): string {
  const token = config.secrets.ADMIN_TOKEN;
  if (!token) throw authError(unconfigured('ADMIN_TOKEN', 'the console'));
  return token;
}

export function setSessionCookie(c: Context, value: string, maxAgeSeconds: number) {
  setCookie(c, SESSION_COOKIE, value, { path: CONSOLE_PATH, httpOnly: true, secure: true, sameSite: 'Strict', maxAge: maxAgeSeconds });
}

export async function startSession(c: Context<ConsoleEnv>, actor: string, config: Config): Promise<Session> {
  const maxAge = config.CONSOLE_SESSION_HOURS * 3600;
  const now = Date.now();
  const adminToken = adminTokenOf(config);
  const session = { id: newSessionId(), actor: actor.slice(0, 200), expiresAt: now + maxAge * 1000 };
  await recordSession(c.var.deps.db, { ...session, tokenFingerprint: await tokenFingerprint(adminToken), createdAt: now });
  setSessionCookie(c, await encodeSession(session, adminToken), maxAge);
  return session;
}

/** Logout: the row is revoked, so the cookie fails everywhere, even if a copy of it survives. */
export async function endSession(c: Context<ConsoleEnv>): Promise<void> {
  await revokeSession(c.var.deps.db, c.get('session').id, Date.now());
  deleteCookie(c, SESSION_COOKIE, { path: CONSOLE_PATH, secure: true });
}

/** A signed cookie whose server-side row is still live (not logged out, same ADMIN_TOKEN). */
async function cookieSession(c: Context<ConsoleEnv>, adminToken: string): Promise<Session | null> {
  const now = Date.now();
  const verified = await verifySessionCookie(getCookie(c, SESSION_COOKIE), adminToken, now);
  if (!verified.ok) return null;
  const row = await liveSession(c.var.deps.db, verified.session.id, await tokenFingerprint(adminToken), now);
  return row ? verified.session : null;
}

async function accessSession(c: Context<ConsoleEnv>, config: Config): Promise<Session | null> {
  if (!config.ACCESS_TEAM_DOMAIN || !config.ACCESS_AUD) return null;
  const jwt = c.req.header('cf-access-jwt-assertion');
  const verified = await verifyAccessJwt(jwt, { teamDomain: config.ACCESS_TEAM_DOMAIN, audience: config.ACCESS_AUD }, { fetcher: c.var.deps.fetch, now: Date.now() });
  return verified.ok ? startSession(c, verified.identity.email ?? verified.identity.subject, config) : null;
}

/** Data routes answer 401 JSON; pages send a person to the login form. */
function wantsPage(c: Context): boolean {
  if (c.req.method !== 'GET') return false;
  if (/\/export\/|\/raw$/.test(c.req.path)) return false;
  const accept = c.req.header('accept') ?? '';
  return !/application\/json/.test(accept) || /text\/html/.test(accept);
}

export function requireSession(): MiddlewareHandler<ConsoleEnv> {
  return async (c, next) => {
    const { config } = c.var.deps;
    const adminToken = adminTokenOf(config);
    const session = (await cookieSession(c, adminToken)) ?? (await accessSession(c, config));
    if (!session) {
      if (wantsPage(c)) return c.redirect(`${CONSOLE_PATH}/login?next=${encodeURIComponent(c.req.path + (new URL(c.req.url).search || ''))}`, 303);
      throw authError(LOGIN_REQUIRED);
    }
    c.set('session', session);
    c.set('csrf', await csrfToken(session.id, adminToken));
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD') {
      const body = await c.req.parseBody();
      const csrf = await verifyCsrfToken(typeof body._csrf === 'string' ? body._csrf : undefined, session.id, adminToken);
      if (!csrf.ok) throw authError(csrf);
    }
    await next();
  };
}

/** Console pages: no framing, no scripts, styles only with this response's nonce, never cached. */
export function consoleHeaders(): MiddlewareHandler<ConsoleEnv> {
  return async (c, next) => {
    const nonce = newSessionId();
    c.set('cspNonce', nonce);
    await next();
    // A route with a stricter policy of its own (the raw message) keeps it.
    if (c.res.headers.has('content-security-policy')) return;
    c.header(
      'content-security-policy',
      `default-src 'none'; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`,
    );
    c.header('x-content-type-options', 'nosniff');
    c.header('referrer-policy', 'same-origin');
    c.header('cache-control', 'no-store');
  };
}

/** Only redirect back into the console, never to another origin (`//evil`, `/\evil`). */
export function safeNext(next: string | undefined): string {
  return next && /^\/console(\/|\?|$)/.test(next) && !/[\\]/.test(next) ? next : CONSOLE_PATH;
}
