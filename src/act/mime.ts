// Build the RFC 5322 message for a reply with mimetext (the builder Cloudflare's
// Email Workers docs use): it encodes non-ASCII names and subjects (RFC 2047) and
// bodies (base64) so we never concatenate MIME by hand.
import { createMimeMessage } from 'mimetext/browser';
import type { OutgoingEmail } from './types';

export function buildMime(mail: OutgoingEmail, messageId: string): string {
  const message = createMimeMessage();
  message.setSender(mail.from.name ? { name: mail.from.name, addr: mail.from.address } : mail.from.address);
  message.setRecipient(mail.to.name ? { name: mail.to.name, addr: mail.to.address } : mail.to.address);
  message.setSubject(mail.subject);
  message.setHeader('Message-ID', `<${messageId}>`);
  if (mail.inReplyTo) message.setHeader('In-Reply-To', `<${mail.inReplyTo}>`);
  const references = [...mail.references, ...(mail.inReplyTo ? [mail.inReplyTo] : [])];
  if (references.length > 0) message.setHeader('References', [...new Set(references)].map((id) => `<${id}>`).join(' '));
  for (const [name, value] of Object.entries(mail.headers)) message.setHeader(name, value);
  message.addMessage({ contentType: 'text/plain', data: mail.text });
  message.addMessage({ contentType: 'text/html', data: mail.html });
  return message.asRaw();
}
