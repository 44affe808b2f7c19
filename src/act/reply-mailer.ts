// Email Routing's own reply path: answer through the incoming message (threaded,
// no sending service). Cloudflare accepts a reply only when it goes to the incoming
// envelope sender, comes from the domain that received the mail, and carries
// In-Reply-To = the incoming Message-ID (developers.cloudflare.com, "Reply to emails
// from Workers"); buildMime sets In-Reply-To from the ticket.
import { EmailMessage } from 'cloudflare:email';
import { buildMime } from './mime';
import type { Mailer, OutgoingEmail, SentEmail } from './types';

const domainOf = (address: string) => address.split('@').pop()!.toLowerCase();

export class ReplyMailer implements Mailer {
  readonly name = 'reply' as const;
  constructor(private readonly incoming: Pick<ForwardableEmailMessage, 'from' | 'to' | 'reply'>) {}

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
