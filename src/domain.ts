// The domain's vocabularies, with no storage attached: decide/, ingest/ and db/
// all read them from here (db/schema.ts builds its column enums from them).

// `replay`: a past ticket run through the pipeline by `npm run replay`; nothing is ever sent for it.
export const TICKET_SOURCES = ['email', 'postmark', 'sendgrid', 'mailgun', 'api', 'replay'] as const;
export type TicketSource = (typeof TICKET_SOURCES)[number];

export const TICKET_STATUSES = ['received', 'pending', 'processing', 'decided', 'done', 'ignored', 'failed'] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];

export const OUTCOMES = ['auto_reply', 'review', 'escalate', 'ignore'] as const;
export type Outcome = (typeof OUTCOMES)[number];

// handoff: the ticket to the team's helpdesk (HANDOFF_ADDRESS, forwarded or mailed); handoff_webhook: HANDOFF_WEBHOOK_URL.
export const DELIVERY_KINDS = ['email_reply', 'slack', 'slack_update', 'customer_ack', 'handoff', 'handoff_webhook'] as const;
export type DeliveryKind = (typeof DELIVERY_KINDS)[number];

export const DELIVERY_STATUSES = ['queued', 'sending', 'sent', 'failed', 'skipped'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/**
 * `would_send`/`would_not_send`: a reviewer's verdict on a draft that was not sent (shadow);
 * `right`/`wrong`: a verdict on a reply already sent, from a reviewer or the customer's follow-up;
 * `type_confirmed`/`type_corrected`: only the request type (in `request_type`), no verdict on the draft.
 */
export const FEEDBACK_VERDICTS = [
  'approved',
  'edited',
  'rejected',
  'taken_over',
  'would_send',
  'would_not_send',
  'right',
  'wrong',
  'type_confirmed',
  'type_corrected',
] as const;
export type FeedbackVerdict = (typeof FEEDBACK_VERDICTS)[number];

/** Verdicts that say a draft was good (or bad) to send as it was: precision, the report and refits read these. */
export const GOOD_DRAFT_VERDICTS = ['approved', 'would_send', 'right'] as const satisfies readonly FeedbackVerdict[];
export const BAD_DRAFT_VERDICTS = ['edited', 'rejected', 'would_not_send', 'wrong'] as const satisfies readonly FeedbackVerdict[];

/** Rollout modes (issue 16): off hands off undecided, shadow decides and sends nothing, review waits for a click, auto lets the threshold decide. */
export const ROLLOUT_MODES = ['off', 'shadow', 'review', 'auto'] as const;
export type RolloutMode = (typeof ROLLOUT_MODES)[number];

/** A reviewer's verdict on a draft (`approved` means unchanged) with the evidence its decision recorded. */
export type Verdict = { decisionId: string; verdict: string; features: Record<string, number>; createdAt: number };
