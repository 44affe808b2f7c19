// The domain's vocabularies, with no storage attached: decide/, ingest/ and db/
// all read them from here (db/schema.ts builds its column enums from them).

export const TICKET_SOURCES = ['email', 'postmark', 'sendgrid', 'mailgun', 'api'] as const;
export type TicketSource = (typeof TICKET_SOURCES)[number];

export const TICKET_STATUSES = ['received', 'pending', 'processing', 'decided', 'done', 'ignored', 'failed'] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];

export const OUTCOMES = ['auto_reply', 'review', 'escalate', 'ignore'] as const;
export type Outcome = (typeof OUTCOMES)[number];

export const DELIVERY_KINDS = ['email_reply', 'slack', 'slack_update', 'customer_ack'] as const;
export type DeliveryKind = (typeof DELIVERY_KINDS)[number];

export const DELIVERY_STATUSES = ['queued', 'sending', 'sent', 'failed', 'skipped'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export const FEEDBACK_VERDICTS = ['approved', 'edited', 'rejected', 'taken_over'] as const;
export type FeedbackVerdict = (typeof FEEDBACK_VERDICTS)[number];

/** A reviewer's verdict on a draft (`approved` means unchanged) with the evidence its decision recorded. */
export type Verdict = { decisionId: string; verdict: string; features: Record<string, number>; createdAt: number };
