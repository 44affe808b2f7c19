import type { ModelCall } from '../db/schema';
import type { Selection } from '../decide/answer-selection';
import type { ConfidenceFeatures } from '../decide/confidence-features';
import type { RetrievedChunk } from '../retrieval/types';
import type { TicketResponse } from './schema';

/** The exchange a follow-up continues: what the customer asked before and the reply they got. */
export type EarlierExchange = { subject: string; customer: string; reply: string };

export type ResponderInput = {
  ticket: { subject: string; text: string; fromName: string | null };
  chunks: RetrievedChunk[];
  /** The terms retrieval searched for (subject + text), so a responder need not tokenise the ticket again. */
  queryTerms?: readonly string[];
  /** Answer selection over these chunks and terms, when the caller already ran it (the pipeline's confidence features read it too). */
  selection?: Selection | null;
  /** Retrieval's confidence features (no self-score) for this selection, when the caller already computed them. */
  evidence?: ConfidenceFeatures;
  /** Set when the ticket is a follow-up in a thread we answered (issue 16). */
  earlier?: EarlierExchange | null;
};

/** Why no usable response came back; each is a reason code and forces escalation. */
export type ResponderFailure = 'model_refused' | 'schema_invalid' | 'llm_unavailable';

export type ResponderResult = {
  response: TicketResponse | null;
  failure: ResponderFailure | null;
  calls: ModelCall[];
};

export interface Responder {
  readonly name: 'claude' | 'offline';
  respond(input: ResponderInput): Promise<ResponderResult>;
}
