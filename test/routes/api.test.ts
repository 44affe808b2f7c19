import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { app } from '../../src/app';
import { API_TOKEN, getTicket, loadCorpus, postTicket, request, waitForTicket } from '../helpers';

beforeAll(async () => {
  await loadCorpus();
});

const ticket = (overrides: Record<string, unknown> = {}) => ({
  from: 'ada@example.com',
  subject: 'Password',
  text: 'I forgot my password. How do I reset it?',
  ...overrides,
});

describe('POST /api/tickets auth', () => {
  it('refuses a request without a token with 401 unauthorized', async () => {
    const response = await postTicket(ticket(), null);
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: { code: 'unauthorized' } });
  });

  it('refuses a wrong token with 401', async () => {
    const response = await postTicket(ticket(), 'not-the-token');
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: { code: 'unauthorized', message: 'Invalid bearer token' } });
  });

  it('protects reads as well', async () => {
    const response = await request('/api/tickets/tkt_x', { token: null });
    expect(response.status).toBe(401);
  });
});

describe('POST /api/tickets validation', () => {
  it('names each bad field in a 400 validation_failed', async () => {
    const response = await postTicket({ from: 'not-an-address', text: '' });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { code: string; fields: { field: string }[] } };
    expect(body.error.code).toBe('validation_failed');
    expect(body.error.fields.map((f) => f.field).sort()).toEqual(['from', 'text']);
  });

  it('refuses unknown fields rather than silently dropping them', async () => {
    const response = await postTicket(ticket({ priority: 'urgent' }));
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: 'validation_failed', fields: [{ field: 'priority', message: 'Unknown field' }] } });
  });

  it('answers malformed JSON with 400 invalid_json', async () => {
    const response = await postTicket('{"from": "ada@example.com", ');
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: 'invalid_json' } });
  });

  it('answers a non-JSON content type with 415', async () => {
    const response = await request('/api/tickets', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'hello' });
    expect(response.status).toBe(415);
    expect(await response.json()).toMatchObject({ error: { code: 'unsupported_media_type' } });
  });

  it('refuses a body over MAX_API_BODY_BYTES with 413 before storing anything', async () => {
    const response = await postTicket(ticket({ text: 'x'.repeat(300_000), message_id: 'too-big@example.com' }));
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ error: { code: 'payload_too_large' } });
    expect((await request('/api/tickets?message_id=too-big@example.com')).status).toBe(404);
  });
});

describe('POST /api/tickets limits', () => {
  it('cuts the subject and display name at MAX_SUBJECT_CHARS / MAX_DISPLAY_NAME_CHARS, on one line, as the mail routes do', async () => {
    const ctx = createExecutionContext();
    const body = ticket({ subject: `Invoices\nnever arrive ${'x'.repeat(80)}`, from_name: 'Ada '.repeat(30), message_id: 'long-subject@example.com' });
    const response = await app.fetch(
      new Request('https://deflect.test/api/tickets', { method: 'POST', headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(body) }),
      { ...env, MAX_SUBJECT_CHARS: '60', MAX_DISPLAY_NAME_CHARS: '20' },
      ctx,
    );
    await waitOnExecutionContext(ctx);
    expect(response.status).toBe(202);
    const view = await getTicket(((await response.json()) as { ticket_id: string }).ticket_id);
    expect(view.ticket.subject).toBe(`Invoices never arrive ${'x'.repeat(38)}`);
    expect(view.ticket.from_name).toBe('Ada Ada Ada Ada Ada');
  });
});

describe('POST /api/tickets storage', () => {
  it('stores the ticket and answers 202 with its id', async () => {
    const response = await postTicket(ticket({ message_id: '<first@example.com>' }));
    expect(response.status).toBe(202);
    const body = (await response.json()) as { ticket_id: string; status: string; duplicate: boolean };
    expect(body).toMatchObject({ status: 'received', duplicate: false });
    const view = await waitForTicket(body.ticket_id);
    expect(view.ticket.message_id).toBe('first@example.com');
  });

  it('returns the first ticket for a repeated message_id instead of creating another', async () => {
    const first = (await (await postTicket(ticket({ message_id: 'dup@example.com' }))).json()) as { ticket_id: string };
    const again = await postTicket(ticket({ message_id: '<dup@example.com>', text: 'different text, same message' }));
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ ticket_id: first.ticket_id, duplicate: true });
    const found = await request('/api/tickets?message_id=dup@example.com');
    expect(((await found.json()) as { ticket: { id: string } }).ticket.id).toBe(first.ticket_id);
    const view = await waitForTicket(first.ticket_id);
    expect(view.ticket.attempts).toBe(1);
  });

  it('answers 404 not_found for an unknown ticket', async () => {
    const response = await request('/api/tickets/tkt_missing');
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: { code: 'not_found' } });
  });
});

describe('the thin path through the real queue consumer', () => {
  it('auto-replies to a password reset question, grounded in the sample corpus', async () => {
    const response = await postTicket(ticket());
    const { ticket_id } = (await response.json()) as { ticket_id: string };
    const view = await waitForTicket(ticket_id, (v) => v.ticket.status === 'done' && v.deliveries.every((d) => d.status === 'sent'));
    expect(view.decision).toMatchObject({ outcome: 'auto_reply', reasons: ['confident_grounded'], responder: 'offline', retriever: 'lexical' });
    expect(view.decision!.doc_sources.length).toBeGreaterThan(0);
    expect(view.decision!.doc_sources.every((id) => id.startsWith('reset-password#'))).toBe(true);
    expect(view.decision!.confidence).toBeGreaterThanOrEqual(0.72);
    const [reply] = view.deliveries;
    expect(reply).toMatchObject({ kind: 'email_reply', status: 'sent', attempts: 1 });
    expect(reply!.payload).toContain('Auto-Submitted: auto-replied');
    // The MIME body is base64; the API also gives the words the customer reads.
    expect(reply!.text).toEqual(expect.stringContaining('reset'));
    expect(reply!.payload).not.toContain(String(reply!.text).slice(0, 40));
  });

  it('escalates a chargeback threat with the sensitive topic as reason', async () => {
    const response = await postTicket(
      ticket({
        subject: 'Unauthorized charge',
        text: 'You charged my card again after I cancelled. Reverse it now or I will file a chargeback with my bank.',
      }),
    );
    const { ticket_id } = (await response.json()) as { ticket_id: string };
    const view = await waitForTicket(ticket_id);
    expect(view.decision!.outcome).toBe('escalate');
    expect(view.decision!.reasons).toContain('sensitive:billing_dispute');
    expect(view.deliveries.filter((d) => d.kind === 'email_reply')).toEqual([]);
  });
});

describe('GET /openapi.json', () => {
  it('describes the ticket API from the same schemas that validate it', async () => {
    const response = await request('/openapi.json', { token: null });
    expect(response.status).toBe(200);
    const doc = (await response.json()) as { paths: Record<string, Record<string, unknown>>; components: { schemas: Record<string, { required?: string[] }> } };
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/tickets', '/api/tickets/{id}']));
    expect(doc.components.schemas.CreateTicket!.required).toEqual(expect.arrayContaining(['from', 'text']));
  });
});
