// Build the RFC 5322 message for a reply with mimetext (the builder Cloudflare's
// Email Workers docs use): it encodes non-ASCII names and subjects (RFC 2047) and
// lays out the parts, so we never concatenate MIME by hand. It labels bodies but
// does not encode them, so we hand it base64 (RFC 2045 §6.8: UTF-8, CRLF, 76-char lines).
import { createMimeMessage, Mailbox } from 'mimetext/browser';
import { base64Encode, utf8Bytes } from '../security/encoding';
import { threadingIdProblem } from '../ticket';
import type { OutgoingEmail } from './types';

/** Ingest already refused unsafe ids; a row stored before that check must still never add a header line. */
const safeId = (id: string | null): id is string => id !== null && threadingIdProblem(id) === null;

/** Subjects and display names are one header line each: CR, LF and other controls become spaces. */
export const headerText = (value: string) => value.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();

/** RFC 5322 §3.6.4: In-Reply-To names the parent; References is its chain plus the parent. */
export function threadingHeaders(mail: Pick<OutgoingEmail, 'inReplyTo' | 'references'>): Record<string, string> {
  const headers: Record<string, string> = {};
  const inReplyTo = safeId(mail.inReplyTo) ? mail.inReplyTo : null;
  if (inReplyTo) headers['In-Reply-To'] = `<${inReplyTo}>`;
  const references = [...new Set([...mail.references.filter(safeId), ...(inReplyTo ? [inReplyTo] : [])])];
  if (references.length > 0) headers['References'] = references.map((id) => `<${id}>`).join(' ');
  return headers;
}

function base64Body(text: string): string {
  return (base64Encode(utf8Bytes(text.replace(/\r?\n/g, '\r\n'))).match(/.{1,76}/g) ?? ['']).join('\r\n');
}

export function buildMime(mail: OutgoingEmail, messageId: string): string {
  const message = createMimeMessage();
  const fromName = mail.from.name ? headerText(mail.from.name) : '';
  const toName = mail.to.name ? headerText(mail.to.name) : '';
  message.setSender(fromName ? { name: fromName, addr: mail.from.address } : mail.from.address);
  message.setRecipient(toName ? { name: toName, addr: mail.to.address } : mail.to.address);
  if (mail.replyTo) message.setHeader('Reply-To', new Mailbox({ addr: mail.replyTo.address, ...(mail.replyTo.name ? { name: headerText(mail.replyTo.name) } : {}) }));
  message.setSubject(headerText(mail.subject));
  message.setHeader('Message-ID', `<${messageId}>`);
  for (const [name, value] of Object.entries({ ...threadingHeaders(mail), ...mail.headers })) {
    // A long thread's References would pass the 78-char line limit (RFC 5322 §2.1.1): fold between ids.
    message.setHeader(name, name === 'References' ? value.split(' ').join('\r\n ') : headerText(value));
  }
  message.addMessage({ contentType: 'text/plain', data: base64Body(mail.text), encoding: 'base64' });
  message.addMessage({ contentType: 'text/html', data: base64Body(mail.html), encoding: 'base64' });
  return message.asRaw();
}
