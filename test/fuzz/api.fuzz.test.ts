// The JSON API under random and mutated input: never a 500, always a stable
// error code for bad input, and every 202 is a stored, enqueued ticket.
import { env } from 'cloudflare:workers';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { app } from '../../src/app';
import { ERROR_CODES } from '../../src/errors';
import { FUZZ_TIMEOUT_MS, fuzzParameters, recordingQueue } from './fuzz';

const tickets = recordingQueue<{ ticketId: string }>();
const fuzzEnv = { ...env, TICKETS: tickets, RATE_LIMIT_ENABLED: 'false' } as Env;

const post = (body: string, contentType = 'application/json') =>
  app.fetch(
    new Request('https://deflect.test/api/tickets', {
      method: 'POST',
      headers: { authorization: 'Bearer test-api-token', 'content-type': contentType },
      body,
    }),
    fuzzEnv,
  );

const valid = fc.record({
  from: fc.emailAddress(),
  subject: fc.string({ maxLength: 200 }),
  text: fc.string({ minLength: 1, maxLength: 2000 }),
  message_id: fc.uuid().map((u) => `${u}@fuzz.example`),
});

// Replace one field of a valid ticket with anything at all, or add a stray one.
const mutated = fc.tuple(valid, fc.constantFrom('from', 'subject', 'text', 'message_id', 'in_reply_to', 'references', 'extra'), fc.anything()).map(
  ([ticket, field, value]) => ({ ...ticket, [field]: value }),
);

async function checkResponse(response: Response) {
  expect(response.status).toBeLessThan(500);
  const body = (await response.json()) as { ticket_id?: string; error?: { code: string } };
  if (response.status === 202) {
    expect(tickets.sent.some((m) => m.ticketId === body.ticket_id)).toBe(true);
    const stored = await app.fetch(
      new Request(`https://deflect.test/api/tickets/${body.ticket_id}`, { headers: { authorization: 'Bearer test-api-token' } }),
      fuzzEnv,
    );
    expect(stored.status).toBe(200);
  } else if (response.status !== 200) {
    expect(ERROR_CODES).toContain(body.error?.code);
  }
}

describe('POST /api/tickets fuzzed', { timeout: FUZZ_TIMEOUT_MS }, () => {
  it('valid tickets are stored and enqueued', async () => {
    await fc.assert(fc.asyncProperty(valid, async (ticket) => checkResponse(await post(JSON.stringify(ticket)))), fuzzParameters(0.2));
  });

  it('mutated tickets get a 4xx with a stable code, or are stored', async () => {
    await fc.assert(fc.asyncProperty(mutated, async (ticket) => checkResponse(await post(JSON.stringify(ticket) ?? 'null'))), fuzzParameters(0.3));
  });

  it('arbitrary JSON values and raw strings never cause a 500', async () => {
    const body = fc.oneof(fc.jsonValue().map((v) => JSON.stringify(v)), fc.string({ maxLength: 500 }), fc.string({ unit: 'binary', maxLength: 500 }));
    await fc.assert(fc.asyncProperty(body, async (raw) => checkResponse(await post(raw))), fuzzParameters(0.3));
  });

  it('odd content types are refused cleanly', async () => {
    const contentType = fc.oneof(fc.constantFrom('text/plain', 'multipart/form-data', 'application/json; charset=latin1', ''), fc.string({ maxLength: 60 }));
    await fc.assert(
      fc.asyncProperty(contentType, fc.string({ maxLength: 200 }), async (type, raw) => {
        const response = await post(raw, type);
        expect(response.status).toBeLessThan(500);
      }),
      fuzzParameters(0.2),
    );
  });
});
