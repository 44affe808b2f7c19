// Mailgun webhook signatures (documentation.mailgun.com, "Securing Webhooks"):
// signature = hex(HMAC-SHA256(signing key, timestamp + token)). Mailgun signs those
// two fields, not the body, so a captured signature would admit any body: stale
// timestamps are refused here and reused tokens by the route's nonce table.
import { hmacKey, hmacVerify } from './crypto';
import { hexDecode } from './encoding';
import { refused, VERIFIED, type AuthResult } from './result';

export type MailgunSignature = { timestamp: string; token: string; signature: string };

/** The signature first, then the timestamp window (a forged request learns nothing about our clock). */
export async function verifyMailgunSignature(fields: MailgunSignature, key: string, nowMs: number, toleranceSeconds: number): Promise<AuthResult> {
  const invalid = 'Mailgun signature does not verify';
  if (!/^\d{1,12}$/.test(fields.timestamp) || !fields.token || !fields.signature) return refused('signature', 'missing', invalid);
  const mac = hexDecode(fields.signature);
  if (!mac || !(await hmacVerify(await hmacKey(key), mac, fields.timestamp + fields.token))) return refused('signature', 'invalid', invalid);
  if (Math.abs(nowMs / 1000 - Number(fields.timestamp)) > toleranceSeconds) {
    return refused('signature', 'stale', `Mailgun timestamp is outside ±${toleranceSeconds}s`);
  }
  return VERIFIED;
}
