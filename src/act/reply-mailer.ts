// Email Routing's own reply path: answer through the incoming message (threaded,
// no sending service). Cloudflare accepts a reply only when it goes to the incoming
// envelope sender, comes from the domain that received the mail, and carries
// In-Reply-To = the incoming Message-ID (developers.cloudflare.com, "Reply to emails
// from Workers"); buildMime sets In-Reply-To from the ticket.
import { EmailMessage } from 'cloudflare:email';
import { buildMime } from './mime';
import type { Forwarder, Mailer, OutgoingEmail, SentEmail } from './types';

const domainOf = (address: string) => address.split('@').pop()!.toLowerCase();

export class ReplyMailer implements Mailer, Forwarder {
  readonly name = 'reply' as const;
  constructor(private readonly incoming: Pick<ForwardableEmailMessage, 'from' | 'to' | 'reply'> & Partial<Pick<ForwardableEmailMessage, 'forward'>>) {}

  /** The hand-off: Cloudflare forwards only to a verified destination address, adding only X-* headers. */
  async forward(to: string, headers: Record<string, string>): Promise<void> {
    const extra = new Headers();
    for (const [name, value] of Object.entries(headers)) {
      if (!/^x-/i.test(name)) throw new Error(`forward() accepts only X-* headers, not ${name}`);
      extra.set(name, value);
    }
    if (!this.incoming.forward) throw new Error('this message cannot be forwarded');
    await this.incoming.forward(to, extra);
  }

  async send(mail: OutgoingEmail): Promise<SentEmail> {
    const fromAddress = domainOf(mail.from.address) === domainOf(this.incoming.to) ? mail.from.address : this.incoming.to;
    const messageId = `${crypto.randomUUID()}@${domainOf(fromAddress)}`;
    const mime = buildMime(
      { ...mail, from: { ...mail.from, address: fromAddress }, to: { ...mail.to, address: this.incoming.from } },
      messageId,
    );
    await this.incoming.reply(new EmailMessage(fromAddress, this.incoming.from, mime));
    return { providerId: messageId, mime };
  }
}
