// The shared-secret verifiers, console sessions and CSRF tokens, and the one
// mapping from a refusal to the wire (security/result.ts).
import { describe, expect, it } from 'vitest';
import {
  csrfToken,
  encodeSession,
  newSessionId,
  verifyCsrfToken,
  verifySessionCookie,
} from '../../src/security/console-session';
import { authError, refused, type AuthFailureReason, type AuthKind } from '../../src/security/result';
import { verifyBearer, verifyPostmark, verifySendGrid, verifySharedSecret } from '../../src/security/shared-secret';

const basic = (user: string, password: string) => `Basic ${btoa(`${user}:${password}`)}`;

describe('authError: one refusal, one wire code', () => {
  const kinds: AuthKind[] = ['credential', 'signature', 'session', 'csrf'];
  const reasons: AuthFailureReason[] = ['not_configured', 'missing', 'invalid', 'stale'];
  const expected: Record<AuthKind, Record<AuthFailureReason, string>> = {
    credential: { not_configured: '401 unauthorized', missing: '401 unauthorized', invalid: '401 unauthorized', stale: '401 unauthorized' },
    signature: {
      not_configured: '401 unauthorized',
      missing: '401 webhook_signature_invalid',
      invalid: '401 webhook_signature_invalid',
      stale: '401 webhook_timestamp_stale',
    },
    session: { not_configured: '401 unauthorized', missing: '401 unauthorized', invalid: '401 unauthorized', stale: '401 unauthorized' },
    csrf: { not_configured: '401 unauthorized', missing: '403 csrf_invalid', invalid: '403 csrf_invalid', stale: '403 csrf_invalid' },
  };

  it.each(kinds.flatMap((kind) => reasons.map((reason) => [kind, reason] as const)))('maps %s/%s', (kind, reason) => {
    const error = authError(refused(kind, reason, 'why'));
    expect(`${error.status} ${error.code}`).toBe(expected[kind][reason]);
    expect(error.message).toBe('why');
  });
});

describe('shared secrets', () => {
  it('API and admin Bearer: closed when unset, then missing, wrong, right', async () => {
    expect(await verifyBearer('Bearer x', undefined, 'API_TOKEN')).toMatchObject({ ok: false, reason: 'not_configured', message: 'API_TOKEN is not configured; this route is disabled' });
    expect(await verifyBearer(undefined, 'api-secret', 'API_TOKEN')).toMatchObject({ ok: false, reason: 'missing', message: 'Missing bearer token' });
    expect(await verifyBearer(basic('u', 'api-secret'), 'api-secret', 'API_TOKEN')).toMatchObject({ ok: false, reason: 'missing' });
    expect(await verifyBearer('Bearer api-secreT', 'api-secret', 'API_TOKEN')).toMatchObject({ ok: false, reason: 'invalid', message: 'Invalid bearer token' });
    expect(await verifyBearer('Bearer api-secret', 'api-secret', 'API_TOKEN')).toEqual({ ok: true });
  });

  it('Postmark: the Basic password (any user) or ?token=', async () => {
    const check = (authorization: string | undefined, queryToken?: string) => verifyPostmark({ authorization, queryToken }, 'pm-token');
    expect(await verifyPostmark({ authorization: basic('any', 'pm-token'), queryToken: undefined }, undefined)).toMatchObject({ ok: false, reason: 'not_configured' });
    expect(await check(basic('whoever', 'pm-token'))).toEqual({ ok: true });
    expect(await check(undefined, 'pm-token')).toEqual({ ok: true });
    expect(await check(basic('pm-token', 'nope'))).toMatchObject({ ok: false, reason: 'invalid', message: 'Invalid webhook credentials' });
    expect(await check(undefined)).toMatchObject({ ok: false, reason: 'missing' });
  });

  it('SendGrid: user and password both count', async () => {
    expect(await verifySendGrid(basic('parse', 'hunter2'), 'parse:hunter2')).toEqual({ ok: true });
    expect(await verifySendGrid(basic('other', 'hunter2'), 'parse:hunter2')).toMatchObject({ ok: false, reason: 'invalid' });
    expect(await verifySendGrid('Bearer parse:hunter2', 'parse:hunter2')).toMatchObject({ ok: false, reason: 'missing', message: 'Missing Basic auth credentials' });
    expect(await verifySendGrid(basic('parse', 'hunter2'), undefined)).toMatchObject({ ok: false, reason: 'not_configured' });
  });

  it('the console login token', async () => {
    expect(await verifySharedSecret('admin-secret', 'admin-secret')).toEqual({ ok: true });
    expect(await verifySharedSecret('admin', 'admin-secret')).toMatchObject({ ok: false, reason: 'invalid' });
    expect(await verifySharedSecret(null, 'admin-secret')).toMatchObject({ ok: false, reason: 'missing' });
  });
});

describe('console session cookies', () => {
  const adminToken = 'console-admin-token';
  const now = 1_700_000_000_000;
  const session = { id: newSessionId(), actor: 'Zoë <lead@tallybook.example>', expiresAt: now + 3_600_000 };

  it('reads back the session it signed, actor and all', async () => {
    const cookie = await encodeSession(session, adminToken);
    expect(await verifySessionCookie(cookie, adminToken, now)).toEqual({ ok: true, session });
  });

  it('refuses a cookie under another ADMIN_TOKEN, with a changed field, or in another spelling of its signature', async () => {
    const cookie = await encodeSession(session, adminToken);
    expect(await verifySessionCookie(cookie, 'rotated-token', now)).toMatchObject({ ok: false, reason: 'invalid' });
    const [id, , actor, signature] = cookie.split('.');
    const extended = `${id}.${session.expiresAt + 86_400_000}.${actor}.${signature}`;
    expect(await verifySessionCookie(extended, adminToken, now)).toMatchObject({ ok: false, reason: 'invalid' });
    // The last base64url character of a 32-byte MAC carries 2 unused bits: flipping them must not give a second valid cookie.
    const last = signature!.at(-1)!;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const sibling = alphabet[alphabet.indexOf(last) ^ 1]!;
    expect(await verifySessionCookie(`${cookie.slice(0, -1)}${sibling}`, adminToken, now)).toMatchObject({ ok: false, reason: 'invalid' });
    expect(await verifySessionCookie('a.b.c', adminToken, now)).toMatchObject({ ok: false, reason: 'invalid' });
    expect(await verifySessionCookie(undefined, adminToken, now)).toMatchObject({ ok: false, reason: 'missing' });
  });

  it('refuses an expired session as stale', async () => {
    const cookie = await encodeSession(session, adminToken);
    expect(await verifySessionCookie(cookie, adminToken, session.expiresAt)).toMatchObject({ ok: false, kind: 'session', reason: 'stale' });
  });

  it("accepts a form token only for its own session", async () => {
    const token = await csrfToken(session.id, adminToken);
    expect(await verifyCsrfToken(token, session.id, adminToken)).toEqual({ ok: true });
    expect(await verifyCsrfToken(token, 'another-session', adminToken)).toMatchObject({ ok: false, kind: 'csrf', reason: 'invalid' });
    expect(await verifyCsrfToken(token, session.id, 'rotated-token')).toMatchObject({ ok: false, reason: 'invalid' });
    expect(await verifyCsrfToken(undefined, session.id, adminToken)).toMatchObject({ ok: false, reason: 'missing' });
    expect(await verifyCsrfToken(token, undefined, adminToken)).toMatchObject({ ok: false, reason: 'missing' });
  });
});
