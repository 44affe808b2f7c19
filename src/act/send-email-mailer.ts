// Cloudflare Email Sending through the `send_email` binding. We hand it our own
// MIME (EmailMessage from cloudflare:email) so threading headers, RFC 2047
// encoding and the Message-ID are exactly what LogMailer shows locally.
import { EmailMessage } from 'cloudflare:email';
import { OutboundError } from '../errors';
import { buildMime } from './mime';
import type { Mailer, OutgoingEmail, SentEmail } from './types';

export class SendEmailMailer implements Mailer {
  readonly name = 'send_email' as const;

  constructor(
    private readonly binding: SendEmail,
    private readonly domain: string,
    private readonly timeoutMs: number,
  ) {}

  async send(mail: OutgoingEmail): Promise<SentEmail> {
    const messageId = `${crypto.randomUUID()}@${this.domain}`;
    const mime = buildMime(mail, messageId);
    // The binding takes no signal: race it against the same deadline every outbound call has.
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const deadline = new Promise<never>((_, reject) => {
      timeout.addEventListener('abort', () => reject(new OutboundError(`Email Sending did not answer within ${this.timeoutMs} ms`, true)));
    });
    const result = await Promise.race([this.binding.send(new EmailMessage(mail.from.address, mail.to.address, mime)), deadline]);
    return { providerId: result?.messageId ?? messageId, mime };
  }
}
