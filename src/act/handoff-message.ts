// What a hand-off says, the same on every channel: deflect's decision, the request
// type, the confidence and the console link, as X-Deflect-* headers (a forward or
// an email) or as signed JSON (the webhook). The draft is always a suggestion.
import type { Config } from '../config';
import type { DecisionRow } from '../db/decisions';
import type { TicketRow } from '../db/tickets';
import { headerText } from './mime';
import type { OutgoingEmail } from './types';

type LinkConfig = Pick<Config, 'PUBLIC_URL'>;

/** The console page of a ticket; a path when PUBLIC_URL is not set (set it in production). */
export function consoleTicketUrl(ticketId: string, config: LinkConfig): string {
  return `${config.PUBLIC_URL}/console/tickets/${encodeURIComponent(ticketId)}`;
}

/** The headers a helpdesk rule can match on. Only X-* headers: forward() refuses any other. */
export function handoffHeaders(ticket: Pick<TicketRow, 'id'>, decision: Pick<DecisionRow, 'outcome' | 'requestType' | 'confidence'>, config: LinkConfig): Record<string, string> {
  return {
    'X-Deflect-Decision': decision.outcome,
    'X-Deflect-Request-Type': headerText(decision.requestType ?? 'unknown'),
    'X-Deflect-Confidence': decision.confidence === null ? 'none' : decision.confidence.toFixed(2),
    'X-Deflect-Ticket': consoleTicketUrl(ticket.id, config),
  };
}

const SUGGESTION_NOTE = 'Suggested reply from deflect (NOT sent to the customer; check it before you use it):';

/**
 * The hand-off email for tickets that cannot be forwarded (webhook and API tickets,
 * or an Email Routing ticket decided after its email() ended): to the helpdesk, from
 * our support address, with the customer as Reply-To so the helpdesk's reply reaches them.
 */
export function handoffEmail(ticket: TicketRow, decision: DecisionRow, config: Pick<Config, 'SUPPORT_ADDRESS' | 'HANDOFF_ADDRESS' | 'PUBLIC_URL'>): OutgoingEmail {
  const link = consoleTicketUrl(ticket.id, config);
  const customer = ticket.fromName ? `${ticket.fromName} <${ticket.fromAddress}>` : ticket.fromAddress;
  const sections = [
    `${customer} wrote:`,
    ticket.bodyText,
    ...(decision.suggestedReply ? ['---', SUGGESTION_NOTE, decision.suggestedReply] : []),
    '---',
    `deflect decided: ${decision.outcome} (request type ${decision.requestType ?? 'unknown'}, confidence ${decision.confidence?.toFixed(2) ?? 'none'}).`,
    `The ticket in deflect's console: ${link}`,
  ];
  const text = sections.join('\n\n');
  return {
    from: { address: config.SUPPORT_ADDRESS, name: ticket.fromName ? `${headerText(ticket.fromName)} via deflect` : 'deflect' },
    to: { address: config.HANDOFF_ADDRESS, name: null },
    replyTo: { address: ticket.fromAddress, name: ticket.fromName },
    subject: ticket.subject || '(no subject)',
    text,
    html: `<!doctype html><html><body>${sections.map((p) => `<p>${escapeHtml(p).replace(/\n/g, '<br>')}</p>`).join('\n')}</body></html>`,
    // Threaded under the customer's own message, so later mail of the thread lands on the same helpdesk ticket.
    inReplyTo: ticket.messageId,
    references: ticket.references,
    headers: handoffHeaders(ticket, decision, config),
  };
}

const escapeHtml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The webhook's JSON body (docs/HANDOFF.md "Webhook"). */
export function handoffPayload(ticket: TicketRow, decision: DecisionRow, config: LinkConfig) {
  return {
    type: 'deflect.handoff',
    ticket: {
      id: ticket.id,
      url: consoleTicketUrl(ticket.id, config),
      source: ticket.source,
      message_id: ticket.messageId,
      from: ticket.fromAddress,
      from_name: ticket.fromName,
      subject: ticket.subject,
      text: ticket.bodyText,
      received_at: new Date(ticket.receivedAt).toISOString(),
    },
    decision: {
      outcome: decision.outcome,
      request_type: decision.requestType,
      confidence: decision.confidence,
      reasons: decision.reasons,
    },
    // A suggestion only: deflect did not send it.
    suggested_reply: decision.suggestedReply,
  };
}

/** HMAC-SHA256 over `${timestamp}.${body}`, hex, prefixed `v1=`: the X-Deflect-Signature header. */
export async function handoffSignature(secret: string, timestamp: string, body: string): Promise<string> {
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const mac = await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(`${timestamp}.${body}`));
  return `v1=${[...new Uint8Array(mac)].map((b) => b.toString(16).padStart(2, '0')).join('')}`;
}
