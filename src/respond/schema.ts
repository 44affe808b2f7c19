// TicketResponse: the single source of the model's output format (sent as the JSON
// schema of Claude's structured output) and of its validation.
import { z } from 'zod';
import { REQUEST_TYPE_DESCRIPTIONS, RequestType } from '../decide/request-types';

const requestTypeHelp = Object.entries(REQUEST_TYPE_DESCRIPTIONS)
  .map(([type, description]) => `${type}: ${description}`)
  .join('; ');

export const TicketResponse = z.object({
  intent: z.string().min(1).max(80).describe('Short snake_case label of what the customer wants, e.g. reset_password.'),
  // Optional in validation so a draft without it still parses (the offline responder gives none); the prompt asks for it always.
  request_type: RequestType.optional().describe(`What the customer asks for (not the topic), exactly one of: ${requestTypeHelp}.`),
  suggested_reply: z.string().max(6000).describe("The reply to send, in the customer's language, using only the docs provided."),
  confidence_score: z.number().min(0).max(1).describe('How sure you are that the reply fully and correctly answers the ticket from the docs.'),
  escalate: z.boolean().describe('True when a person must handle this ticket.'),
  escalation_reason: z.string().max(500).nullable().describe('Why a person must handle it, or null.'),
  doc_sources: z.array(z.string()).max(10).describe('Ids of the doc chunks the reply relies on, exactly as given.'),
  language: z.string().min(2).max(12).describe('BCP 47 language code of the customer message, e.g. en, de, fr.'),
});
export type TicketResponse = z.infer<typeof TicketResponse>;
