// MailChannels Email API (https://docs.mailchannels.net/email-api): POST /tx/v1/send
// with X-Api-Key. It builds the MIME itself and assigns the Message-ID (a reserved
// header), so we pass threading and Auto-Submitted as plain headers.
import { OutboundError } from '../errors';
import { failureFrom, fetchWithDeadline, type Fetch } from './http';
import { threadingHeaders } from './mime';
import type { Mailer, OutgoingEmail, SentEmail } from './types';

const MAILCHANNELS_SEND_URL = 'https://api.mailchannels.net/tx/v1/send';

type SendResponse = { request_id?: string; results?: { message_id?: string; status?: string; reason?: string }[] };

const address = (a: OutgoingEmail['from']) => (a.name ? { email: a.address, name: a.name } : { email: a.address });

export class MailChannelsMailer implements Mailer {
  readonly name = 'mailchannels' as const;

  constructor(
    private readonly apiKey: string,
    private readonly fetch: Fetch,
    private readonly timeoutMs: number,
  ) {}

  async send(mail: OutgoingEmail): Promise<SentEmail> {
    const body = JSON.stringify({
      personalizations: [{ to: [address(mail.to)] }],
      from: address(mail.from),
      ...(mail.replyTo ? { reply_to: address(mail.replyTo) } : {}),
      subject: mail.subject,
      content: [
        { type: 'text/plain', value: mail.text },
        { type: 'text/html', value: mail.html },
      ],
      headers: { ...threadingHeaders(mail), ...mail.headers },
    });
    const response = await fetchWithDeadline(
      this.fetch,
      MAILCHANNELS_SEND_URL,
      { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': this.apiKey }, body },
      this.timeoutMs,
      'MailChannels',
    );
    if (!response.ok) throw await failureFrom(response, 'MailChannels');
    const answer = (await response.json().catch(() => ({}))) as SendResponse;
    const result = answer.results?.[0];
    if (result?.status && result.status !== 'sent' && result.status !== 'queued') {
      throw new OutboundError(`MailChannels did not send: ${result.status}${result.reason ? ` (${result.reason})` : ''}`, false);
    }
    return { providerId: result?.message_id ?? answer.request_id ?? null, mime: null, payload: body };
  }
}
