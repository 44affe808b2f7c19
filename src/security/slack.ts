// Slack request signing (https://docs.slack.dev/authentication/verifying-requests-from-slack):
// X-Slack-Signature = "v0=" + hex(HMAC-SHA256(signing secret, "v0:" + timestamp + ":" + raw body)),
// refused when the timestamp is more than 5 minutes from now (replays).
import { hmacKey, hmacVerify } from './crypto';
import { hexDecode } from './encoding';
import { refused, unconfigured, VERIFIED, type AuthResult } from './result';

const WINDOW_SECONDS = 5 * 60;

export async function verifySlackSignature(request: {
  secret: string | undefined;
  timestamp: string | undefined;
  signature: string | undefined;
  body: string;
  nowSeconds: number;
}): Promise<AuthResult> {
  const { secret, timestamp, signature, body, nowSeconds } = request;
  if (!secret) return unconfigured('SLACK_SIGNING_SECRET', 'this route');
  if (!timestamp || !/^\d+$/.test(timestamp) || !signature) {
    return refused('signature', 'missing', 'Missing X-Slack-Request-Timestamp or X-Slack-Signature');
  }
  if (Math.abs(nowSeconds - Number(timestamp)) > WINDOW_SECONDS) {
    return refused('signature', 'stale', 'X-Slack-Request-Timestamp is more than 5 minutes from now');
  }
  const mac = signature.startsWith('v0=') ? hexDecode(signature.slice(3)) : null;
  const valid = mac !== null && (await hmacVerify(await hmacKey(secret), mac, `v0:${timestamp}:${body}`));
  return valid ? VERIFIED : refused('signature', 'invalid', 'X-Slack-Signature does not match the request');
}
