// Acting ports: how a reply reaches the customer and an escalation reaches people.

export type OutgoingEmail = {
  from: { address: string; name: string | null };
  to: { address: string; name: string | null };
  subject: string;
  text: string;
  html: string;
  /** Message-ID of the ticket we answer, for In-Reply-To / References threading. */
  inReplyTo: string | null;
  references: string[];
  /** Extra headers, e.g. Auto-Submitted. */
  headers: Record<string, string>;
};

export type SentEmail = { providerId: string | null; mime: string | null };

export interface Mailer {
  readonly name: 'reply' | 'send_email' | 'mailchannels' | 'log';
  send(mail: OutgoingEmail): Promise<SentEmail>;
}
