// Slack request signing (https://docs.slack.dev/authentication/verifying-requests-from-slack):
// X-Slack-Signature = "v0=" + hex(HMAC-SHA256(signing secret, "v0:" + timestamp + ":" + raw body)),
// refused when the timestamp is more than 5 minutes from now (replays).
import { AppError } from '../errors';

const WINDOW_SECONDS = 5 * 60;
const encoder = new TextEncoder();

function hexBytes(hex: string): Uint8Array | null {
  if (!/^(?:[0-9a-f]{2})+$/i.test(hex)) return null;
  return Uint8Array.from(hex.match(/../g)!.map((byte) => parseInt(byte, 16)));
}

export async function verifySlackSignature(request: {
  secret: string;
  timestamp: string | undefined;
  signature: string | undefined;
  body: string;
  nowSeconds: number;
}): Promise<void> {
  const { secret, timestamp, signature, body, nowSeconds } = request;
  if (!timestamp || !/^\d+$/.test(timestamp) || !signature) {
    throw new AppError('webhook_signature_invalid', 401, 'Missing X-Slack-Request-Timestamp or X-Slack-Signature');
  }
  if (Math.abs(nowSeconds - Number(timestamp)) > WINDOW_SECONDS) {
    throw new AppError('webhook_timestamp_stale', 401, 'X-Slack-Request-Timestamp is more than 5 minutes from now');
  }
  const expected = signature.startsWith('v0=') ? hexBytes(signature.slice(3)) : null;
  const key = await crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']);
  // crypto.subtle.verify compares in constant time.
  const valid = expected !== null && (await crypto.subtle.verify('HMAC', key, expected, encoder.encode(`v0:${timestamp}:${body}`)));
  if (!valid) throw new AppError('webhook_signature_invalid', 401, 'X-Slack-Signature does not match the request');
}
