// The original message as received, for the audit: exact bytes for mail (8-bit
// charsets were kept as base64), the provider's body for webhooks. A stranger
// wrote it, so it is always served as an inert download: plain text, no sniffing,
// a sandbox CSP, and the type it arrived with only in a header of its own.
import { Hono } from 'hono';
import { findRawMessage } from '../db/intake';
import type { AppEnv } from '../app-env';
import { AppError } from '../errors';
import { requireBearer } from '../middleware/auth';
import { base64Decode } from '../security/encoding';

export const raw = new Hono<AppEnv>();

const BASE64_MARK = /;\s*encoding=base64$/;

/** Headers that keep a browser from rendering or running what the sender wrote. */
function inertHeaders(ticketId: string, originalType: string): Record<string, string> {
  return {
    'content-type': 'text/plain; charset=utf-8',
    'x-content-type-options': 'nosniff',
    'content-disposition': `attachment; filename="${ticketId.replace(/[^\w-]/g, '_')}.txt"`,
    'content-security-policy': "sandbox; default-src 'none'",
    // Header values are one line of visible ASCII: anything else in a stored type is dropped.
    'x-deflect-original-content-type': originalType.replace(/[^\x20-\x7e]/g, '').slice(0, 200),
  };
}

raw.get('/api/tickets/:id/raw', requireBearer('API_TOKEN'), async (c) => {
  const id = c.req.param('id');
  const stored = await findRawMessage(c.var.deps.db, id);
  if (!stored) throw new AppError('not_found', 404, 'No raw message is stored for this ticket');
  const headers = {
    ...inertHeaders(id, stored.contentType.replace(BASE64_MARK, '')),
    'x-deflect-raw-size': String(stored.size),
    'x-deflect-raw-truncated': String(stored.truncated),
  };
  if (!BASE64_MARK.test(stored.contentType)) return c.body(stored.body, 200, headers);
  // A truncated copy may end inside a base64 quantum: decode whole quanta only.
  const base64 = stored.body.slice(0, stored.body.length - (stored.body.length % 4));
  return c.body(base64Decode(base64), 200, headers);
});
