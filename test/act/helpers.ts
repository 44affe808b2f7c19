// Helpers for the acting tests: the local Slack + MailChannels server (see
// test/doubles/provider-server.mjs) and Slack-signed interactivity requests.
import type { Deps } from '../../src/deps';
import { consume } from '../../src/queues';
import { newId } from '../../src/ticket';
import { request } from '../helpers';
import { TEST_SECRETS } from '../setup/test-secrets';

const CONTROL = 'https://provider-doubles.test';
export const { SLACK_SIGNING_SECRET, SLACK_WEBHOOK_URL } = TEST_SECRETS;

export type RecordedRequest = { method: string; url: string; headers: Record<string, string>; body: string; at: number };
export type ScriptedResponse = { status: number; headers?: Record<string, string>; body?: string; delayMs?: number };

/** The next requests to `host` whose body contains `contains` get these answers, in order. */
export async function scriptProvider(host: string, contains: string, responses: ScriptedResponse[]): Promise<void> {
  const response = await fetch(`${CONTROL}/script`, { method: 'POST', body: JSON.stringify({ host, contains, responses }) });
  if (!response.ok) throw new Error(`scripting the provider server failed: ${response.status}`);
}

export async function providerRequests(contains: string): Promise<RecordedRequest[]> {
  return (await fetch(`${CONTROL}/requests?contains=${encodeURIComponent(contains)}`)).json();
}

export async function slackSignature(body: string, timestamp: string, secret: string = SLACK_SIGNING_SECRET): Promise<string> {
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const mac = await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(`v0:${timestamp}:${body}`));
  return `v0=${[...new Uint8Array(mac)].map((b) => b.toString(16).padStart(2, '0')).join('')}`;
}

/** POST an interactivity payload to /slack/actions the way Slack does: form-encoded, signed now. */
export async function postSlackInteraction(payload: unknown, options: { timestamp?: string; signature?: string } = {}): Promise<Response> {
  const body = `payload=${encodeURIComponent(JSON.stringify(payload))}`;
  const timestamp = options.timestamp ?? String(Math.floor(Date.now() / 1000));
  return request('/slack/actions', {
    method: 'POST',
    token: null,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': timestamp,
      'x-slack-signature': options.signature ?? (await slackSignature(body, timestamp)),
    },
    body,
  });
}

export const SLACK_USER = { id: 'UA8RXUSPL', username: 'jtorrance', team_id: 'T9TK3CUKW' };

/** A block_actions click shaped like Slack's documented example, on our button. */
export function buttonClick(actionId: string, ticketId: string, responseUrl: string, user = SLACK_USER) {
  return {
    type: 'block_actions',
    team: { id: 'T9TK3CUKW', domain: 'example' },
    user,
    api_app_id: 'AABA1ABCD',
    container: { type: 'message', message_ts: '1548261231.000200', channel_id: 'CBR2V3XEX', is_ephemeral: false },
    trigger_id: '12321423423.333649436676.d8c1bb837935619ccad0f624c448ffb3',
    channel: { id: 'CBR2V3XEX', name: 'support-escalations' },
    response_url: responseUrl,
    actions: [{ action_id: actionId, block_id: 'deflect_actions', value: ticketId, type: 'button', action_ts: '1548426417.840180' }],
  };
}

export type Delivered = { acked: number; retried: { delaySeconds?: number }[] };

/** One queue delivery of one message, as the Queues runtime makes it. */
export async function deliverOnce(queue: string, body: unknown, attempts: number, deps: Deps): Promise<Delivered> {
  const outcome: Delivered = { acked: 0, retried: [] };
  const message = {
    id: newId('qm'),
    timestamp: new Date(),
    body,
    attempts,
    ack: () => void outcome.acked++,
    retry: (options: { delaySeconds?: number } = {}) => void outcome.retried.push(options),
  };
  await consume({ queue, messages: [message], ackAll() {}, retryAll() {} } as unknown as MessageBatch<unknown>, deps);
  return outcome;
}
