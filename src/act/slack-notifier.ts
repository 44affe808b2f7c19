// Slack over plain HTTPS: the incoming webhook posts escalations, an interaction's
// response_url updates them, and (with a bot token) views.open shows the Edit modal.
// Webhooks answer 200 "ok"; 429 carries Retry-After (https://docs.slack.dev/apis/web-api/rate-limits).
import { OutboundError } from '../errors';
import { failureFrom, fetchWithDeadline, type Fetch } from './http';
import type { Notifier, Posted, SlackMessage } from './types';

const SLACK_VIEWS_OPEN_URL = 'https://slack.com/api/views.open';

async function postJson(fetch: Fetch, url: string, body: string, timeoutMs: number, service: string): Promise<void> {
  const response = await fetchWithDeadline(fetch, url, { method: 'POST', headers: { 'content-type': 'application/json' }, body }, timeoutMs, service);
  if (!response.ok) throw await failureFrom(response, service);
}

export class SlackNotifier implements Notifier {
  readonly name = 'slack' as const;

  constructor(
    private readonly webhookUrl: string,
    private readonly fetch: Fetch,
    private readonly timeoutMs: number,
  ) {}

  async post(message: SlackMessage): Promise<Posted> {
    const payload = JSON.stringify(message);
    await postJson(this.fetch, this.webhookUrl, payload, this.timeoutMs, 'Slack webhook');
    return { providerId: null, payload };
  }

  async update(responseUrl: string, message: SlackMessage): Promise<Posted> {
    const payload = JSON.stringify(message);
    await postJson(this.fetch, responseUrl, payload, this.timeoutMs, 'Slack response_url');
    return { providerId: null, payload };
  }
}

/** views.open must run while the click's trigger_id is valid (3 s), so it is called inline. */
export async function openSlackView(fetch: Fetch, botToken: string, triggerId: string, view: unknown, timeoutMs: number): Promise<void> {
  const response = await fetchWithDeadline(
    fetch,
    SLACK_VIEWS_OPEN_URL,
    {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', authorization: `Bearer ${botToken}` },
      body: JSON.stringify({ trigger_id: triggerId, view }),
    },
    timeoutMs,
    'Slack views.open',
  );
  if (!response.ok) throw await failureFrom(response, 'Slack views.open');
  // The Web API reports errors as 200 {ok:false,error}.
  const answer = (await response.json().catch(() => ({ ok: false, error: 'invalid_json' }))) as { ok?: boolean; error?: string };
  if (!answer.ok) throw new OutboundError(`Slack views.open failed: ${answer.error ?? 'unknown error'}`, false);
}
