// The routing vocabulary: what the customer asks for, not the topic
// (../shared/data/intent/request-types.json). Person-needed types go to a person
// whatever the docs say; `unclear` is a decision-only value for a classifier that
// is not sure (it never lets a ticket be auto-replied on the classifier's word).
import { z } from 'zod';

export const REQUEST_TYPES = [
  'how_to',
  'account_specific',
  'refund_request',
  'billing_dispute',
  'security',
  'legal_privacy',
  'complaint',
  'human_request',
  'no_action',
  'spam',
] as const;

export const RequestType = z.enum(REQUEST_TYPES);
export type RequestType = z.infer<typeof RequestType>;

/** A decision's type: one of the ten, or `unclear` when the classifier cannot say. */
export const DecisionRequestType = z.enum([...REQUEST_TYPES, 'unclear']);
export type DecisionRequestType = z.infer<typeof DecisionRequestType>;

export const NEEDS_PERSON: ReadonlySet<RequestType> = new Set([
  'refund_request',
  'billing_dispute',
  'security',
  'legal_privacy',
  'complaint',
  'human_request',
]);

export const needsPerson = (type: DecisionRequestType | null | undefined): boolean =>
  type !== null && type !== undefined && type !== 'unclear' && NEEDS_PERSON.has(type);

/** One line per type: the schema Claude fills and the table in docs/confidence-and-policy.md say the same. */
export const REQUEST_TYPE_DESCRIPTIONS: Record<RequestType, string> = {
  how_to: 'asks how something works, how to do it, or what a policy, price or limit is; the docs can answer it',
  account_specific: "needs a lookup in, or an action on, this customer's own account, order or payment that docs cannot answer",
  refund_request: 'wants money back for themselves',
  billing_dispute: 'disputes a charge: unrecognised, double, wrong amount or rate, chargeback',
  security: 'account or card compromised, lost or stolen card or phone, unauthorised access, leaked credentials, vulnerability reports',
  legal_privacy: 'legal threats, lawyers, courts, law enforcement, GDPR/CCPA requests (access, export, erasure)',
  complaint: 'dissatisfaction or anger that wants to be heard',
  human_request: 'asks for a human, an agent or a manager',
  no_action: "thanks, 'that fixed it', acknowledgements: nothing to answer",
  spam: 'unsolicited marketing, scams, phishing',
};
