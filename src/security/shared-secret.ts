// Callers that prove themselves with a secret we share: API and admin clients
// (Bearer), Postmark (Basic password or ?token=), SendGrid (Basic user:password),
// and the console login form (the admin token itself).
import { parseBasic, parseBearer } from './credentials';
import { secretsEqual } from './constant-time';
import { refused, unconfigured, VERIFIED, type AuthResult } from './result';

export async function verifySharedSecret(given: string | null | undefined, expected: string, invalid = 'Invalid credentials'): Promise<AuthResult> {
  if (!given) return refused('credential', 'missing', 'Missing credentials');
  return (await secretsEqual(given, expected)) ? VERIFIED : refused('credential', 'invalid', invalid);
}

/** `Authorization: Bearer <secret>` for the API (API_TOKEN) and admin (ADMIN_TOKEN) routes. */
export async function verifyBearer(authorization: string | undefined, expected: string | undefined, secretName: string): Promise<AuthResult> {
  if (!expected) return unconfigured(secretName, 'this route');
  const token = parseBearer(authorization);
  if (!token) return refused('credential', 'missing', 'Missing bearer token');
  return verifySharedSecret(token, expected, 'Invalid bearer token');
}

/** Postmark puts Basic auth in the webhook URL (any user name, the token as password), or we accept `?token=`. */
export async function verifyPostmark(request: { authorization: string | undefined; queryToken: string | undefined }, expected: string | undefined): Promise<AuthResult> {
  if (!expected) return unconfigured('POSTMARK_WEBHOOK_TOKEN', 'this webhook');
  const given = parseBasic(request.authorization)?.password ?? request.queryToken;
  if (!given) return refused('credential', 'missing', 'Missing credentials: Basic auth or ?token=');
  return verifySharedSecret(given, expected, 'Invalid webhook credentials');
}

/** SendGrid Inbound Parse: Basic auth in the Parse URL; SENDGRID_BASIC_AUTH is `user:password`. */
export async function verifySendGrid(authorization: string | undefined, expected: string | undefined): Promise<AuthResult> {
  if (!expected) return unconfigured('SENDGRID_BASIC_AUTH', 'this webhook');
  const given = parseBasic(authorization);
  if (!given) return refused('credential', 'missing', 'Missing Basic auth credentials');
  return verifySharedSecret(`${given.user}:${given.password}`, expected, 'Invalid webhook credentials');
}
