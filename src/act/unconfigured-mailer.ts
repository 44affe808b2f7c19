import { OutboundError } from '../errors';
import type { Mailer, OutgoingEmail, SentEmail } from './types';

/** The stable reason a reply could not go out: no mail provider is configured. */
export const NO_MAILER_CONFIGURED = 'no_mailer_configured';

/**
 * UnconfiguredMailer: MAILER=auto found no mail provider. It sends nothing and says
 * so: the delivery is `failed` with `no_mailer_configured` (a person takes the ticket),
 * never recorded as sent. Local runs choose the LogMailer explicitly (MAILER=log).
 */
export class UnconfiguredMailer implements Mailer {
  readonly name = 'none' as const;

  async send(_mail: OutgoingEmail): Promise<SentEmail> {
    throw new OutboundError(
      `${NO_MAILER_CONFIGURED}: MAILER=auto found no mail provider; set MAILCHANNELS_API_KEY, or MAILER=send_email with an onboarded sending domain (MAILER=log only records the MIME)`,
      false,
    );
  }
}
