// Acting ports: how a reply reaches the customer and an escalation reaches people.

export type OutgoingEmail = {
  from: { address: string; name: string | null };
  to: { address: string; name: string | null };
  /** Where replies go when not to `from`: a hand-off names the customer, so the helpdesk answers them. */
  replyTo?: { address: string; name: string | null };
  subject: string;
  text: string;
  html: string;
  /** Message-ID of the ticket we answer, for In-Reply-To / References threading. */
  inReplyTo: string | null;
  references: string[];
  /** Extra headers, e.g. Auto-Submitted. */
  headers: Record<string, string>;
};

export type SentEmail = {
  providerId: string | null;
  /** The RFC 5322 message, when this mailer builds one. */
  mime: string | null;
  /** What was handed to the provider when that is not MIME (an API's JSON body). */
  payload?: string;
};

export interface Mailer {
  readonly name: 'reply' | 'send_email' | 'mailchannels' | 'log' | 'none';
  send(mail: OutgoingEmail): Promise<SentEmail>;
}

/** A Slack message body: Block Kit blocks plus the notification fallback text. */
export type SlackMessage = { text: string; blocks: unknown[]; replace_original?: boolean };

/** A slack_update delivery's payload, fixed when the person clicked. */
export type SlackUpdatePlan = { response_url: string; message: SlackMessage };

export type Posted = { providerId: string | null; payload: string };

/** Where escalations reach people besides the console. */
export interface Notifier {
  readonly name: 'slack';
  /** Post a new escalation message to the team's channel. */
  post(message: SlackMessage): Promise<Posted>;
  /** Replace a posted message through the response_url of an interaction with it. */
  update(responseUrl: string, message: SlackMessage): Promise<Posted>;
}

/** Email Routing's forward(): the incoming message itself goes on to a verified destination, with extra X-* headers only. */
export interface Forwarder {
  forward(to: string, headers: Record<string, string>): Promise<void>;
}

export const isForwarder = (mailer: Mailer): mailer is Mailer & Forwarder => typeof (mailer as Partial<Forwarder>).forward === 'function';
