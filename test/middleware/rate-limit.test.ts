import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { app } from '../../src/app';
import { countingLimiter } from '../doubles/rate-limit';

const ticketRequest = (ip: string) =>
  new Request('https://deflect.test/api/tickets/tkt_none', { headers: { authorization: 'Bearer test-api-token', 'cf-connecting-ip': ip } });

describe('rate limiting of public endpoints', () => {
  it('answers 429 rate_limited with Retry-After once a client spends its budget', async () => {
    const limiter = countingLimiter(2);
    const testEnv = { ...env, RATE_LIMITER: limiter };
    const statuses = [];
    for (let i = 0; i < 3; i += 1) statuses.push((await app.fetch(ticketRequest('203.0.113.7'), testEnv)).status);
    expect(statuses).toEqual([404, 404, 429]);
    const limited = await app.fetch(ticketRequest('203.0.113.7'), testEnv);
    expect(limited.headers.get('retry-after')).toBe('60');
    expect(await limited.json()).toMatchObject({ error: { code: 'rate_limited' } });
  });

  it('keeps one budget per client address and route group', async () => {
    const limiter = countingLimiter(1);
    const testEnv = { ...env, RATE_LIMITER: limiter };
    expect((await app.fetch(ticketRequest('203.0.113.7'), testEnv)).status).toBe(404);
    expect((await app.fetch(ticketRequest('198.51.100.2'), testEnv)).status).toBe(404);
    expect(limiter.keys).toEqual(['api:203.0.113.7', 'api:198.51.100.2']);
  });

  it('limits before authentication, so guessing tokens costs budget', async () => {
    const limiter = countingLimiter(1);
    const testEnv = { ...env, RATE_LIMITER: limiter };
    const guess = () => new Request('https://deflect.test/api/tickets/x', { headers: { authorization: 'Bearer guess', 'cf-connecting-ip': '192.0.2.1' } });
    expect((await app.fetch(guess(), testEnv)).status).toBe(401);
    expect((await app.fetch(guess(), testEnv)).status).toBe(429);
  });

  it('leaves /health unmetered', async () => {
    const limiter = countingLimiter(0);
    const response = await app.fetch(new Request('https://deflect.test/health'), { ...env, RATE_LIMITER: limiter });
    expect(response.status).toBe(200);
    expect(limiter.keys).toEqual([]);
  });
});
