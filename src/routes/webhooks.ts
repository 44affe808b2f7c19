// Inbound mail webhooks. Each verifies its caller before reading the message,
// answers 200 only after the ticket row is stored (a provider's retry of it is then
// a no-op), refuses permanently bad input with the status its provider treats as
// "do not retry", and answers 503 when storage fails so the provider retries.
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import type { AppEnv } from '../app-env';
import type { Deps } from '../deps';
import { AppError } from '../errors';
import { parseBinaryForm, type BinaryForm } from '../ingest/form';
import { GUARD_REASONS } from '../ingest/guard';
import { draftFromMailgun, signatureFields } from '../ingest/mailgun';
import { rawCopy } from '../ingest/mime';
import { draftFromPostmark, PostmarkInbound } from '../ingest/postmark';
import { draftFromSendGrid } from '../ingest/sendgrid';
import { errorSummary, logEvent } from '../log';
import { limitBody } from '../middleware/body';
import { acceptDraft, acceptOnce, type Accepted } from '../pipeline';
import { sha256Hex } from '../security/crypto';
import { verifyMailgunSignature } from '../security/mailgun';
import { authError, unconfigured } from '../security/result';
import { verifyPostmark, verifySendGrid } from '../security/shared-secret';
import type { TicketDraft } from '../ticket';

/**
 * "Do not retry" per provider: Postmark stops on 403, Mailgun on 406; SendGrid
 * retries only 5xx, so a 400 is final (provider docs, docs/ingestion.md).
 */
const PERMANENT_STATUS = { postmark: 403, sendgrid: 400, mailgun: 406 } as const;
type Provider = keyof typeof PERMANENT_STATUS;

function postmarkAuth(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const verified = await verifyPostmark(
      { authorization: c.req.header('authorization'), queryToken: c.req.query('token') },
      c.var.deps.config.secrets.POSTMARK_WEBHOOK_TOKEN,
    );
    if (!verified.ok) throw authError(verified);
    await next();
  };
}

function sendgridAuth(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const verified = await verifySendGrid(c.req.header('authorization'), c.var.deps.config.secrets.SENDGRID_BASIC_AUTH);
    if (!verified.ok) throw authError(verified);
    await next();
  };
}

async function bodyBytes(c: Context<AppEnv>): Promise<Uint8Array> {
  return new Uint8Array(await c.req.arrayBuffer());
}


/**
 * An authenticated payload that holds no message: keep it (audited as an ignored
 * `unparseable` ticket, raw body retrievable) and refuse it for good.
 */
async function refusePayload(provider: Provider, raw: NonNullable<TicketDraft['raw']>, reason: string, deps: Deps): Promise<never> {
  await acceptDraft(
    {
      source: provider,
      messageId: `rejected-${(await sha256Hex(raw.body)).slice(0, 32)}@deflect.invalid`,
      inReplyTo: null,
      references: [],
      from: { address: '', name: null },
      to: null,
      subject: '',
      text: '',
      headers: {},
      attachments: [],
      raw,
      guardReason: GUARD_REASONS.unparseable,
    },
    deps,
  );
  throw new AppError('webhook_payload_invalid', PERMANENT_STATUS[provider], reason);
}

function accepted(c: Context<AppEnv>, { ticket, created }: Accepted) {
  // 200, not 202: Postmark retries anything but "200 OK".
  return c.json({ ticket_id: ticket.id, status: ticket.status, duplicate: !created }, 200);
}

async function readForm(bytes: Uint8Array, contentType: string): Promise<BinaryForm | null> {
  try {
    return await parseBinaryForm(bytes, contentType);
  } catch {
    return null;
  }
}

export const webhooks = new Hono<AppEnv>();

webhooks.post('/webhooks/postmark', limitBody('MAX_EMAIL_BYTES'), postmarkAuth(), async (c) => {
  const { deps } = c.var;
  const raw = new TextDecoder().decode(await bodyBytes(c));
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return refusePayload('postmark', { contentType: 'application/json', body: raw }, 'Body is not JSON', deps);
  }
  const payload = PostmarkInbound.safeParse(json);
  const draft = payload.success ? draftFromPostmark(payload.data, raw, deps.config) : null;
  if (!draft) return refusePayload('postmark', { contentType: 'application/json', body: raw }, 'Not a Postmark inbound message (no sender)', deps);
  return accepted(c, await acceptDraft(draft, deps));
});

webhooks.post('/webhooks/sendgrid', limitBody('MAX_EMAIL_BYTES'), sendgridAuth(), async (c) => {
  const { deps } = c.var;
  const contentType = c.req.header('content-type') ?? '';
  const bytes = await bodyBytes(c);
  const form = await readForm(bytes, contentType);
  const draft = form ? await draftFromSendGrid(form, bytes, contentType, deps.config) : null;
  if (!draft) {
    const reason = form ? 'No `email` or `headers` field: not an Inbound Parse post' : 'Body is not valid multipart/form-data (RFC 7578 needs CRLF line breaks)';
    return refusePayload('sendgrid', rawCopy(bytes, contentType || 'application/octet-stream'), reason, deps);
  }
  return accepted(c, await acceptDraft(draft, deps));
});

const mailgun = async (c: Context<AppEnv>) => {
  const { deps } = c.var;
  const key = deps.config.secrets.MAILGUN_SIGNING_KEY;
  if (!key) throw authError(unconfigured('MAILGUN_SIGNING_KEY', 'this webhook'));
  const contentType = c.req.header('content-type') ?? '';
  const bytes = await bodyBytes(c);
  // Unsigned input is never stored: the signature lives inside the form.
  const form = await readForm(bytes, contentType);
  if (!form) throw new AppError('webhook_payload_invalid', 406, 'Body is not form data');
  const fields = signatureFields(form);
  const verified = await verifyMailgunSignature(fields, key, deps.clock.now(), deps.config.WEBHOOK_TOLERANCE_SECONDS);
  if (!verified.ok) throw authError(verified);
  const result = await acceptOnce({ provider: 'mailgun', token: fields.token }, deps, async () => {
    const draft = await draftFromMailgun(form, bytes, contentType, deps.config);
    if (!draft) return refusePayload('mailgun', rawCopy(bytes, contentType), 'No sender in the posted message', deps);
    return acceptDraft(draft, deps);
  });
  // The same token twice is a replay (the signature does not cover the body); its first use was stored.
  if (result === 'replayed') throw new AppError('webhook_replayed', 406, 'This Mailgun token was already used');
  return accepted(c, result);
};

// Raw MIME mode: Mailgun posts `body-mime` when the route's URL ends in "mime".
webhooks.post('/webhooks/mailgun', limitBody('MAX_EMAIL_BYTES'), mailgun);
webhooks.post('/webhooks/mailgun/mime', limitBody('MAX_EMAIL_BYTES'), mailgun);
