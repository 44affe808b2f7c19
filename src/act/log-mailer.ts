import { buildMime } from './mime';
import type { Mailer, OutgoingEmail, SentEmail } from './types';

/**
 * LogMailer: the explicit local choice (MAILER=log; npm start, eval, bench and the
 * tests set it). Sends nothing; returns the exact MIME it would have sent, which the
 * delivery row keeps so a team can inspect it.
 */
export class LogMailer implements Mailer {
  readonly name = 'log' as const;
  constructor(private readonly domain: string) {}

  async send(mail: OutgoingEmail): Promise<SentEmail> {
    const messageId = `${crypto.randomUUID()}@${this.domain}`;
    return { providerId: messageId, mime: buildMime(mail, messageId) };
  }
}
