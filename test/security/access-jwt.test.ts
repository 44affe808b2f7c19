import { beforeAll, describe, expect, it } from 'vitest';
import { Hono } from 'hono';
import { provideDeps, type AppEnv } from '../../src/app-env';
import { buildDeps } from '../../src/deps';
import { consoleRoutes } from '../../src/routes/console';
import { accessIssuer, verifyAccessJwt } from '../../src/security/access-jwt';
import { env } from '../helpers';

const TEAM = 'deflect-test';
const AUD = 'f3b1c0ffee0000000000000000000000000000000000000000000000000000aa';
const ISSUER = 'https://deflect-test.cloudflareaccess.com';

type KeyPair = { kid: string; privateKey: CryptoKey; jwk: JsonWebKey };

async function keyPair(kid: string): Promise<KeyPair> {
  const pair = (await crypto.subtle.generateKey(
    { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
    true,
    ['sign', 'verify'],
  )) as CryptoKeyPair;
  const jwk = (await crypto.subtle.exportKey('jwk', pair.publicKey)) as JsonWebKey;
  return { kid, privateKey: pair.privateKey, jwk: { ...jwk, kid, alg: 'RS256', use: 'sig' } as JsonWebKey };
}

const b64url = (bytes: Uint8Array | ArrayBuffer) =>
  btoa(String.fromCharCode(...new Uint8Array(bytes))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
const b64json = (value: unknown) => b64url(new TextEncoder().encode(JSON.stringify(value)));

async function jwt(key: KeyPair, claims: Record<string, unknown>, header: Record<string, unknown> = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const body = `${b64json({ alg: 'RS256', kid: key.kid, typ: 'JWT', ...header })}.${b64json({
    aud: [AUD],
    iss: ISSUER,
    sub: 'user-1',
    email: 'lead@tallybook.example',
    iat: now,
    exp: now + 600,
    ...claims,
  })}`;
  const signature = await crypto.subtle.sign('RSASSA-PKCS1-v1_5', key.privateKey, new TextEncoder().encode(body));
  return `${body}.${b64url(signature)}`;
}

let teamKey: KeyPair;
let strangerKey: KeyPair;
const certRequests: string[] = [];
const fetcher = async (url: string) => {
  certRequests.push(url);
  return Response.json({ keys: [teamKey.jwk], public_cert: { kid: teamKey.kid, cert: '' } });
};
const settings = { teamDomain: TEAM, audience: AUD };

beforeAll(async () => {
  teamKey = await keyPair('team-key-1');
  strangerKey = await keyPair('stranger-key');
});

describe('verifyAccessJwt', () => {
  it('accepts a token signed by the team key for our audience', async () => {
    const verified = await verifyAccessJwt(await jwt(teamKey, {}), settings, { fetcher, now: Date.now() });
    expect(verified).toEqual({ ok: true, identity: { subject: 'user-1', email: 'lead@tallybook.example' } });
    expect(certRequests.at(-1)).toBe(`${ISSUER}/cdn-cgi/access/certs`);
  });

  it('caches the certs: a second token costs no fetch', async () => {
    const before = certRequests.length;
    await verifyAccessJwt(await jwt(teamKey, {}), settings, { fetcher, now: Date.now() });
    await verifyAccessJwt(await jwt(teamKey, { sub: 'user-2' }), settings, { fetcher, now: Date.now() });
    expect(certRequests.length).toBe(before);
  });

  it('refetches the certs for an unknown kid (a rotation), at most once a minute', async () => {
    const team = { teamDomain: 'rotating-team', audience: AUD };
    const iss = 'https://rotating-team.cloudflareaccess.com';
    const rotated = await keyPair('team-key-2');
    let published = [teamKey.jwk];
    let fetches = 0;
    const rotating = async () => {
      fetches += 1;
      return Response.json({ keys: published });
    };
    const t0 = Date.now();
    expect(await verifyAccessJwt(await jwt(teamKey, { iss }), team, { fetcher: rotating, now: t0 })).toMatchObject({ ok: true });
    published = [teamKey.jwk, rotated.jwk];
    // Within a minute of the last fetch, an unknown kid is refused without another fetch.
    expect(await verifyAccessJwt(await jwt(rotated, { iss }), team, { fetcher: rotating, now: t0 + 30_000 })).toMatchObject({ ok: false });
    expect(fetches).toBe(1);
    expect(await verifyAccessJwt(await jwt(rotated, { iss }), team, { fetcher: rotating, now: t0 + 61_000 })).toMatchObject({ ok: true, identity: { subject: 'user-1' } });
    expect(fetches).toBe(2);
    expect(await verifyAccessJwt(await jwt(strangerKey, { iss }), team, { fetcher: rotating, now: t0 + 62_000 })).toMatchObject({ ok: false });
    expect(fetches).toBe(2);
  });

  it.each([
    ['another application', { aud: ['some-other-aud'] }],
    ['another team', { iss: 'https://elsewhere.cloudflareaccess.com' }],
    ['expired', { exp: Math.floor(Date.now() / 1000) - 3600 }],
    ['not yet valid', { nbf: Math.floor(Date.now() / 1000) + 3600 }],
  ])('refuses a token for %s', async (_, claims) => {
    expect(await verifyAccessJwt(await jwt(teamKey, claims), settings, { fetcher, now: Date.now() })).toMatchObject({ ok: false });
  });

  it('refuses a token signed by a key the team did not publish', async () => {
    expect(await verifyAccessJwt(await jwt(strangerKey, {}, { kid: teamKey.kid }), settings, { fetcher, now: Date.now() })).toMatchObject({ ok: false });
    expect(await verifyAccessJwt(await jwt(strangerKey, {}), settings, { fetcher, now: Date.now() })).toMatchObject({ ok: false });
  });

  it('refuses alg none and malformed tokens', async () => {
    const unsigned = (await jwt(teamKey, {}, { alg: 'none' })).split('.').slice(0, 2).join('.') + '.';
    expect(await verifyAccessJwt(unsigned, settings, { fetcher, now: Date.now() })).toMatchObject({ ok: false });
    expect(await verifyAccessJwt('not-a-jwt', settings, { fetcher, now: Date.now() })).toMatchObject({ ok: false });
  });

  it('says why: no header is missing, an expired token is stale, a signature that is not base64url is invalid (not a crash)', async () => {
    expect(await verifyAccessJwt(undefined, settings, { fetcher, now: Date.now() })).toMatchObject({ ok: false, reason: 'missing' });
    const expired = await jwt(teamKey, { exp: Math.floor(Date.now() / 1000) - 3600 });
    expect(await verifyAccessJwt(expired, settings, { fetcher, now: Date.now() })).toMatchObject({ ok: false, reason: 'stale' });
    const garbled = `${(await jwt(teamKey, {})).split('.').slice(0, 2).join('.')}.not*base64url`;
    expect(await verifyAccessJwt(garbled, settings, { fetcher, now: Date.now() })).toMatchObject({ ok: false, reason: 'invalid' });
  });

  it('accepts a bare team name or a full team domain', () => {
    expect(accessIssuer('deflect-test')).toBe(ISSUER);
    expect(accessIssuer('https://deflect-test.cloudflareaccess.com/')).toBe(ISSUER);
  });
});

describe('console behind Cloudflare Access', () => {
  // Access certs are fetched through deps.fetch: the test's key server is injected there.
  const app = new Hono<AppEnv>().use(provideDeps((e) => buildDeps(e, { fetch: fetcher }))).route('/', consoleRoutes());
  const accessEnv = { ...env, ACCESS_TEAM_DOMAIN: TEAM, ACCESS_AUD: AUD };

  it('lets a valid Access JWT in and records the email as the actor', async () => {
    const response = await app.request('https://deflect.test/console', { headers: { 'cf-access-jwt-assertion': await jwt(teamKey, {}) } }, accessEnv);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('lead@tallybook.example');
    expect(response.headers.getSetCookie().some((c) => c.startsWith('deflect_session='))).toBe(true);
  });

  it('sends a request with a bad JWT to the login form', async () => {
    const response = await app.request('https://deflect.test/console', { headers: { 'cf-access-jwt-assertion': await jwt(strangerKey, {}) } }, accessEnv);
    expect(response.status).toBe(303);
  });

  it('ignores the JWT header when Access is not configured', async () => {
    const response = await app.request('https://deflect.test/console', { headers: { 'cf-access-jwt-assertion': await jwt(teamKey, {}) } }, env);
    expect(response.status).toBe(303);
  });
});
