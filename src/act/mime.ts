// Build the RFC 5322 message for a reply with mimetext (the builder Cloudflare's
// Email Workers docs use): it encodes non-ASCII names and subjects (RFC 2047) and
// bodies (base64) so we never concatenate MIME by hand.
import { createMimeMessage } from 'mimetext/browser';
import type { OutgoingEmail } from './types';

/** RFC 5322 §3.6.4: In-Reply-To names the parent; References is its chain plus the parent. */
export function threadingHeaders(mail: Pick<OutgoingEmail, 'inReplyTo' | 'references'>): Record<string, string> {
  const headers: Record<string, string> = {};
  if (mail.inReplyTo) headers['In-Reply-To'] = `<${mail.inReplyTo}>`;
  const references = [...new Set([...mail.references, ...(mail.inReplyTo ? [mail.inReplyTo] : [])])];
  if (references.length > 0) headers['References'] = references.map((id) => `<${id}>`).join(' ');
  return headers;
}

export function buildMime(mail: OutgoingEmail, messageId: string): string {
  const message = createMimeMessage();
  message.setSender(mail.from.name ? { name: mail.from.name, addr: mail.from.address } : mail.from.address);
  message.setRecipient(mail.to.name ? { name: mail.to.name, addr: mail.to.address } : mail.to.address);
  message.setSubject(mail.subject);
  message.setHeader('Message-ID', `<${messageId}>`);
  for (const [name, value] of Object.entries({ ...threadingHeaders(mail), ...mail.headers })) message.setHeader(name, value);
  message.addMessage({ contentType: 'text/plain', data: mail.text });
  message.addMessage({ contentType: 'text/html', data: mail.html });
  return message.asRaw();
}
