// Slack request signing (security/slack.ts), checked with Slack's published test vector and at the route.
import { describe, expect, it } from 'vitest';
import { authError, type AuthResult } from '../../src/security/result';
import { verifySlackSignature } from '../../src/security/slack';
import { postSlackInteraction, slackSignature } from '../act/helpers';
import { request } from '../helpers';

const vectors = import.meta.glob('../../../shared/data/webhooks/slack/*', { query: '?raw', import: 'default', eager: true }) as Record<string, string>;
const file = (name: string) => Object.entries(vectors).find(([path]) => path.endsWith(`/${name}`))![1];
const published = JSON.parse(file('signing-vector.slack-docs.json')) as { signing_secret: string; timestamp: string; body: string; expected_signature: string };
const derived = JSON.parse(file('block_actions.message.signature-vector.derived.json')) as { signing_secret: string; timestamp: string; expected_signature: string };
const derivedBody = file('block_actions.message.form-body.txt');

/** The wire code a refusal becomes at the route. */
async function codeOf(run: Promise<AuthResult>): Promise<string> {
  const result = await run;
  return result.ok ? 'verified' : authError(result).code;
}

const check = (overrides: Partial<Parameters<typeof verifySlackSignature>[0]> = {}) =>
  verifySlackSignature({
    secret: published.signing_secret,
    timestamp: published.timestamp,
    signature: published.expected_signature,
    body: published.body,
    nowSeconds: Number(published.timestamp),
    ...overrides,
  });

describe('verifySlackSignature', () => {
  it("accepts Slack's published example request", async () => {
    await expect(check()).resolves.toEqual({ ok: true });
  });

  it('accepts the signed block_actions body, exactly as Slack form-encodes it', async () => {
    await expect(
      check({ secret: derived.signing_secret, timestamp: derived.timestamp, signature: derived.expected_signature, body: derivedBody, nowSeconds: Number(derived.timestamp) + 299 }),
    ).resolves.toEqual({ ok: true });
  });

  it('refuses a request more than 5 minutes old or ahead', async () => {
    expect(await codeOf(check({ nowSeconds: Number(published.timestamp) + 301 }))).toBe('webhook_timestamp_stale');
    expect(await codeOf(check({ nowSeconds: Number(published.timestamp) - 301 }))).toBe('webhook_timestamp_stale');
  });

  it('refuses a changed body, a wrong secret, a malformed or missing signature', async () => {
    expect(await codeOf(check({ body: `${published.body}&admin=1` }))).toBe('webhook_signature_invalid');
    expect(await codeOf(check({ secret: 'another-secret' }))).toBe('webhook_signature_invalid');
    expect(await codeOf(check({ signature: 'v1=a2114d57' }))).toBe('webhook_signature_invalid');
    expect(await codeOf(check({ signature: 'v0=zz' }))).toBe('webhook_signature_invalid');
    expect(await codeOf(check({ signature: undefined }))).toBe('webhook_signature_invalid');
  });

  it('closes the route when no signing secret is configured', async () => {
    expect(await check({ secret: undefined })).toMatchObject({ ok: false, reason: 'not_configured' });
    expect(await codeOf(check({ secret: undefined }))).toBe('unauthorized');
  });
});

describe('POST /slack/actions', () => {
  const post = (body: string, headers: Record<string, string>) =>
    request('/slack/actions', { method: 'POST', token: null, headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body });

  it('refuses a replayed request whose timestamp is stale with 401 webhook_timestamp_stale', async () => {
    const response = await post(derivedBody, { 'x-slack-request-timestamp': derived.timestamp, 'x-slack-signature': derived.expected_signature });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: { code: 'webhook_timestamp_stale' } });
  });

  it('refuses a request signed with another secret with 401 webhook_signature_invalid', async () => {
    const timestamp = String(Math.floor(Date.now() / 1000));
    const response = await post(derivedBody, { 'x-slack-request-timestamp': timestamp, 'x-slack-signature': await slackSignature(derivedBody, timestamp, 'not-our-secret') });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: { code: 'webhook_signature_invalid' } });
  });

  it('refuses an unsigned request with 401', async () => {
    const response = await post(derivedBody, {});
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: { code: 'webhook_signature_invalid' } });
  });

  it('acknowledges a signed click on a button that is not ours with an empty 200', async () => {
    const payload = JSON.parse(decodeURIComponent(derivedBody.slice('payload='.length)));
    const response = await postSlackInteraction(payload);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('');
  });

  it('answers a signed request without a usable payload with 400 webhook_payload_invalid', async () => {
    const response = await postSlackInteraction({ type: 'shortcut', callback_id: 'x' });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: 'webhook_payload_invalid' } });
  });

  it('answers 404 for a click on a ticket that does not exist', async () => {
    const response = await postSlackInteraction({
      type: 'block_actions',
      user: { id: 'U1' },
      response_url: 'https://hooks.slack.com/actions/T1/1/x',
      actions: [{ action_id: 'deflect_approve', value: 'tkt_missing' }],
    });
    expect(response.status).toBe(404);
  });
});
