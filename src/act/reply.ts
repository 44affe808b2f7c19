// Turn a decision's draft into the email a customer receives.
import type { Config } from '../config';
import type { FeedbackRow } from '../db/feedback';
import type { TicketRow } from '../db/tickets';
import { escapeHtml } from '../security/encoding';
import type { OutgoingEmail } from './types';

/** "Re: " once, however many the customer's subject already has. */
function replySubject(subject: string): string {
  const base = subject.replace(/^(\s*(re|aw|sv|antw|réf|rif)\s*(\[\d+\])?\s*:\s*)+/i, '').trim();
  return `Re: ${base || 'your message'}`;
}

/**
 * What people did to the draft, from the ticket's feedback rows (newest first): the
 * text of the newest edit, if any, and whether the reply still goes out unread by a
 * person (`automated`: no approval and no edit).
 */
export function replyDraft(feedback: readonly Pick<FeedbackRow, 'verdict' | 'editedText'>[]): { editedText: string | null; automated: boolean } {
  const edited = feedback.find((f) => f.verdict === 'edited' && f.editedText);
  return { editedText: edited?.editedText || null, automated: !feedback.some((f) => f.verdict === 'approved' || f.verdict === 'edited') };
}

type ReplyConfig = Pick<Config, 'SUPPORT_ADDRESS' | 'SUPPORT_NAME' | 'REPLY_FOOTER'>;

/**
 * `automated`: nobody read this reply before it left. Only then does it carry the
 * footer and RFC 3834 `Auto-Submitted: auto-replied`; a reply a person approved
 * or edited is theirs and does not claim to be automatic.
 */
export function replyEmail(ticket: TicketRow, body: string, config: ReplyConfig, options: { automated: boolean } = { automated: true }): OutgoingEmail {
  const text = options.automated && config.REPLY_FOOTER ? `${body}\n\n--\n${config.REPLY_FOOTER}` : body;
  return threadedEmail(ticket, text, config, options.automated ? { 'Auto-Submitted': 'auto-replied' } : {});
}

/** The short "a person will follow up" note sent on escalation (CUSTOMER_ACK). */
export function acknowledgementEmail(ticket: TicketRow, config: ReplyConfig & Pick<Config, 'CUSTOMER_ACK_TEXT'>): OutgoingEmail {
  // RFC 3834: marks it automatic so other responders do not answer it.
  return threadedEmail(ticket, config.CUSTOMER_ACK_TEXT, config, { 'Auto-Submitted': 'auto-replied' });
}

function threadedEmail(ticket: TicketRow, text: string, config: ReplyConfig, headers: Record<string, string>): OutgoingEmail {
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
    headers,
  };
}
