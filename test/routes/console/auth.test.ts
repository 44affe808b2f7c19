import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setModeRule } from '../../../src/db/modes';
import { buildDeps } from '../../../src/deps';
import { ANY } from '../../../src/rollout/modes';
import { env, loadCorpus, postTicket, request, waitForTicket } from '../../helpers';
import { ConsoleUser, cookiesFrom, csrfIn, fetchConsole, form } from './client';

let ticketId: string;

beforeAll(async () => {
  await loadCorpus();
  // In shadow the ticket is held as a draft whatever its confidence, so the CSRF tests
  // below have a draft to act on however the shipped threshold moves.
  await setModeRule(buildDeps(env).db, { address: ANY, requestType: ANY }, 'shadow', 'test', Date.now());
  const response = await postTicket({
    from: 'mallory@example.com',
    subject: '<img src=x onerror=alert(1)> help',
    text: 'How do I reset my password? <script>alert("x")</script>',
  });
  ticketId = ((await response.json()) as { ticket_id: string }).ticket_id;
  await waitForTicket(ticketId);
});

afterAll(async () => {
  await setModeRule(buildDeps(env).db, { address: ANY, requestType: ANY }, null, 'test', Date.now());
});

const PAGES = ['/console', '/console?outcome=review', '/console/insight', '/console/health', '/console/export', '/console/no-such-page'];

describe('console access without a session', () => {
  it.each(PAGES)('redirects the page %s to the login form', async (path) => {
    const response = await fetchConsole(path);
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe(`/console/login?next=${encodeURIComponent(path)}`);
  });

  it('redirects a ticket page to the login form', async () => {
    const response = await fetchConsole(`/console/tickets/${ticketId}`);
    expect(response.status).toBe(303);
  });

  it.each([
    ['GET', '/console/tickets/:ticket/raw'],
    ['GET', '/console/export/decisions?from=2020-01-01&to=2030-01-01&format=json'],
    ['GET', '/console/export/decisions?from=2020-01-01&to=2030-01-01&format=csv'],
    ['POST', '/console/tickets/:ticket/actions'],
    ['POST', '/console/deliveries/dlv_x/retry'],
    ['POST', '/console/logout'],
  ])('answers %s %s with 401 JSON', async (method, path) => {
    const response = await fetchConsole(path.replace(':ticket', ticketId), method === 'POST' ? form({ action: 'approve' }) : {});
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: { code: 'unauthorized' } });
  });

  it('answers a JSON client with 401 rather than a redirect', async () => {
    const response = await fetchConsole('/console', { headers: { accept: 'application/json' } });
    expect(response.status).toBe(401);
  });

  it('ignores a forged or tampered session cookie', async () => {
    const user = await ConsoleUser.login();
    const [id, expires, actor, signature] = user.cookies.deflect_session!.split('.');
    const forged = [id, Number(expires) + 1_000_000, actor, signature].join('.');
    const response = await fetchConsole('/console', { cookies: { deflect_session: forged } });
    expect(response.status).toBe(303);
  });
});

describe('console login', () => {
  it('sets an HttpOnly, Secure, SameSite=Strict session cookie that does not hold the token', async () => {
    const page = await fetchConsole('/console/login');
    const response = await fetchConsole('/console/login', {
      ...form({ _csrf: csrfIn(await page.text()), token: 'test-admin-token', name: 'Grace', next: '/console/health' }),
      cookies: cookiesFrom(page),
    });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/console/health');
    const header = response.headers.getSetCookie().find((h) => h.startsWith('deflect_session='))!;
    expect(header).toMatch(/HttpOnly/);
    expect(header).toMatch(/Secure/);
    expect(header).toMatch(/SameSite=Strict/);
    expect(header).not.toContain('test-admin-token');
    const session = cookiesFrom(response).deflect_session!;
    expect((await fetchConsole('/console', { cookies: { deflect_session: session } })).status).toBe(200);
  });

  it('refuses a wrong token with 401 and no session', async () => {
    const page = await fetchConsole('/console/login');
    const response = await fetchConsole('/console/login', { ...form({ _csrf: csrfIn(await page.text()), token: 'guess' }), cookies: cookiesFrom(page) });
    expect(response.status).toBe(401);
    expect(await response.text()).toContain('not the admin token');
    expect(cookiesFrom(response).deflect_session).toBeUndefined();
  });

  it('refuses a login post without the form token (login CSRF)', async () => {
    const response = await fetchConsole('/console/login', form({ token: 'test-admin-token' }));
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ error: { code: 'csrf_invalid' } });
  });

  it('never redirects outside the console after login', async () => {
    const page = await fetchConsole('/console/login');
    const response = await fetchConsole('/console/login', {
      ...form({ _csrf: csrfIn(await page.text()), token: 'test-admin-token', next: '//evil.example/console' }),
      cookies: cookiesFrom(page),
    });
    expect(response.headers.get('location')).toBe('/console');
  });

  it('logs out by clearing the cookie', async () => {
    const user = await ConsoleUser.login();
    const response = await user.submit('/console', '/console/logout', {});
    expect(response.status).toBe(303);
    expect(response.headers.getSetCookie().find((h) => h.startsWith('deflect_session='))).toMatch(/Max-Age=0/);
  });

  it('revokes the session on logout: a kept copy of the old cookie no longer opens the console', async () => {
    const user = await ConsoleUser.login();
    expect((await user.get('/console')).status).toBe(200);
    expect((await user.submit('/console', '/console/logout', {})).status).toBe(303);
    const replayed = await user.get('/console');
    expect(replayed.status).toBe(303);
    expect(replayed.headers.get('location')).toMatch(/^\/console\/login/);
    expect((await user.get('/console/export/decisions?from=2020-01-01&to=2030-01-01&format=json')).status).toBe(401);
  });

  it('logging out one session leaves the others signed in', async () => {
    const [first, second] = [await ConsoleUser.login('Ada'), await ConsoleUser.login('Grace')];
    await first.submit('/console', '/console/logout', {});
    expect((await first.get('/console')).status).toBe(303);
    expect((await second.get('/console')).status).toBe(200);
  });
});

describe('CSRF on console forms', () => {
  it('refuses an action without the form token and records nothing', async () => {
    const user = await ConsoleUser.login();
    const response = await user.post(`/console/tickets/${ticketId}/actions`, { action: 'reject' });
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ error: { code: 'csrf_invalid' } });
    expect(await user.page(`/console/tickets/${ticketId}`)).toContain('none yet');
  });

  it("refuses another session's form token", async () => {
    const alice = await ConsoleUser.login('Alice');
    const bob = await ConsoleUser.login('Bob');
    const bobsToken = csrfIn(await bob.page('/console'));
    const response = await alice.post(`/console/tickets/${ticketId}/actions`, { _csrf: bobsToken, action: 'reject' });
    expect(response.status).toBe(403);
  });
});

describe('untrusted ticket text', () => {
  it('renders ticket HTML escaped, never as markup', async () => {
    const user = await ConsoleUser.login();
    const html = await user.page(`/console/tickets/${ticketId}`);
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    // The only script element is the console's own keyboard script, carrying the page's nonce.
    expect(html.match(/<script[^>]*>/gi)).toEqual([expect.stringMatching(/^<script nonce="[^"]+">$/)]);
    expect(html).not.toContain('<img');
  });

  it('serves the raw message as inert, sandboxed plain text', async () => {
    // A webhook keeps its body as the raw copy (an API ticket's JSON is the ticket itself).
    const posted = await request('/webhooks/postmark?token=test-postmark-token', {
      method: 'POST',
      token: null,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ From: 'mallory@example.com', Subject: 'help', TextBody: 'How do I reset my password? <script>alert("x")</script>', MessageID: 'raw-xss@example.com' }),
    });
    const { ticket_id: rawTicketId } = (await posted.json()) as { ticket_id: string };
    const user = await ConsoleUser.login();
    const response = await user.get(`/console/tickets/${rawTicketId}/raw`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(response.headers.get('content-security-policy')).toContain('sandbox');
    expect(await response.text()).toContain('<script>alert(\\"x\\")</script>');
  });

  it('sends a content security policy that allows no script but the nonce-tagged one, with every page', async () => {
    const user = await ConsoleUser.login();
    const response = await user.get('/console');
    expect(response.headers.get('content-security-policy')).toMatch(/default-src 'none'.*script-src 'nonce-[^']+'.*frame-ancestors 'none'/);
  });
});
