// Errors at the edge: a body that is not JSON is told apart by the parser's
// SyntaxError on every JSON route (admin's included), Hono's own media-type gate
// keeps its meaning, and domain failures reach the wire with the code of their kind.
import { describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, request } from './helpers';

const admin = (path: string, init: RequestInit) => request(path, { ...init, token: ADMIN_TOKEN });

describe('errors at the edge', () => {
  it('answers malformed JSON on an admin POST with 400 invalid_json, not validation_failed', async () => {
    const response = await admin('/admin/corpus/prune', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"keep": ' });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: 'invalid_json' } });
  });

  it('answers a body the route cannot take with 415 unsupported_media_type, not validation_failed', async () => {
    const response = await admin('/admin/corpus/prune', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'keep=1' });
    expect(response.status).toBe(415);
    expect(await response.json()).toMatchObject({ error: { code: 'unsupported_media_type' } });
  });

  it('keeps validation_failed for a well-formed body that breaks the schema', async () => {
    const response = await admin('/admin/corpus/prune', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"keep": 0}' });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: 'validation_failed' } });
  });
});
