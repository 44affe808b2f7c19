// Turn a decision's draft into the email a customer receives.
import type { Config } from '../config';
import type { TicketRow } from '../db/tickets';
import type { OutgoingEmail } from './types';

const escapeHtml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** "Re: " once, however many the customer's subject already has. */
export function replySubject(subject: string): string {
  const base = subject.replace(/^(\s*(re|aw|sv|antw|réf|rif)\s*(\[\d+\])?\s*:\s*)+/i, '').trim();
  return `Re: ${base || 'your message'}`;
}

export function replyEmail(ticket: TicketRow, body: string, config: Pick<Config, 'SUPPORT_ADDRESS' | 'SUPPORT_NAME' | 'REPLY_FOOTER'>): OutgoingEmail {
  const text = config.REPLY_FOOTER ? `${body}\n\n--\n${config.REPLY_FOOTER}` : body;
  const html = text
    .split(/\n{2,}/)
    .map((p) => `<p>${escapeHtml(p).replace(/\n/g, '<br>')}</p>`)
    .join('\n');
  return {
    from: { address: config.SUPPORT_ADDRESS, name: config.SUPPORT_NAME },
    to: { address: ticket.fromAddress, name: ticket.fromName },
    subject: replySubject(ticket.subject),
    text,
    html: `<!doctype html><html><body>${html}</body></html>`,
    inReplyTo: ticket.messageId,
    references: ticket.references,
    // RFC 3834: marks the reply as automatic so other responders do not answer it.
    headers: { 'Auto-Submitted': 'auto-replied' },
  };
}
