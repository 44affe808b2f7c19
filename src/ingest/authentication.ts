// Did the sender pass authentication? Recorded at ingest so that a reply is never
// sent to a forged From through a mailer other than Email Routing's reply() (no
// backscatter). Each receiving service states its own verdict; we read only the
// one it wrote. true: passed, false: failed, null: no verdict to read.

/** The domain of an address or an RFC 8601 property value (`user@d`, `@d`, `d`), lower case. */
const domainOf = (value: string) => value.trim().replace(/^<|>$/g, '').split('@').pop()!.toLowerCase();

/**
 * Relaxed alignment (RFC 7489 §3.1), without a public-suffix list: the authenticated
 * domain and the From domain are equal, or one is a subdomain of the other.
 */
function aligned(authenticated: string, fromDomain: string): boolean {
  const domain = domainOf(authenticated);
  if (!domain.includes('.') || !fromDomain.includes('.')) return false;
  return fromDomain === domain || fromDomain.endsWith(`.${domain}`) || domain.endsWith(`.${fromDomain}`);
}

type Verdicts = { dmarc?: string; spf?: string; dkim?: string; mailfrom?: string; dkimDomain?: string };

/** `i=1; mx.cloudflare.net; dkim=pass header.d=example.com; spf=pass smtp.mailfrom=a@example.com; dmarc=pass …` */
function parseResults(value: string): { authservId: string; verdicts: Verdicts } {
  const parts = value.slice(0, 2000).split(';').map((part) => part.trim());
  // ARC-Authentication-Results starts with the instance tag (RFC 8617 §4.1.1).
  if (/^i=\d+$/.test(parts[0] ?? '')) parts.shift();
  const authservId = (parts.shift() ?? '').split(/\s/)[0]!.toLowerCase();
  const verdicts: Verdicts = {};
  for (const part of parts) {
    const [method, ...properties] = part.split(/\s+/);
    const [name, result] = (method ?? '').toLowerCase().split('=');
    if (!result || (name !== 'dmarc' && name !== 'spf' && name !== 'dkim') || verdicts[name]) continue;
    verdicts[name] = result;
    for (const property of properties) {
      const [key, propertyValue] = property.split('=');
      if (name === 'spf' && key === 'smtp.mailfrom' && propertyValue) verdicts.mailfrom = propertyValue;
      if (name === 'dkim' && key === 'header.d' && propertyValue) verdicts.dkimDomain = propertyValue;
    }
  }
  return { authservId, verdicts };
}

/** DMARC's verdict when there is one; else an aligned DKIM or SPF pass. */
function verdictOf(verdicts: Verdicts, fromDomain: string): boolean | null {
  if (verdicts.dmarc === 'pass') return true;
  if (verdicts.dmarc === 'fail') return false;
  if (verdicts.dkim === 'pass' && verdicts.dkimDomain && aligned(verdicts.dkimDomain, fromDomain)) return true;
  if (verdicts.spf === 'pass' && verdicts.mailfrom && aligned(verdicts.mailfrom, fromDomain)) return true;
  return verdicts.dmarc || verdicts.dkim || verdicts.spf ? false : null;
}

/**
 * Email Routing: the topmost (ARC-)Authentication-Results, which Cloudflare adds
 * on receipt, and only when its authserv-id is Cloudflare's (RFC 8601 §5: a field
 * written by the sender proves nothing). Header records keep the first, topmost, value.
 */
export function emailRoutingAuthentication(headers: Record<string, string>, from: string, authservId: string): boolean | null {
  for (const name of ['arc-authentication-results', 'authentication-results']) {
    const value = headers[name];
    if (!value) continue;
    const results = parseResults(value);
    if (results.authservId === authservId) return verdictOf(results.verdicts, domainOf(from));
  }
  return null;
}

/** Postmark adds `Received-SPF` for the envelope sender: a pass counts when that sender aligns with From. */
export function postmarkAuthentication(headers: Record<string, string>, from: string): boolean | null {
  const spf = headers['received-spf']?.trim();
  if (!spf) return null;
  const result = spf.split(/\s/)[0]!.toLowerCase();
  const envelopeFrom = /envelope-from=([^\s;]+)/i.exec(spf.slice(0, 2000))?.[1];
  return result === 'pass' && envelopeFrom !== undefined && aligned(envelopeFrom, domainOf(from));
}

/** SendGrid Inbound Parse: `dkim` is `{@example.com : pass}` (or `none`), `SPF` is `pass`/`fail`/… for the envelope sender. */
export function sendgridAuthentication(fields: { dkim: string; spf: string; envelopeFrom: string | null }, from: string): boolean | null {
  if (!fields.dkim.trim() && !fields.spf.trim()) return null;
  const fromDomain = domainOf(from);
  for (const match of fields.dkim.slice(0, 2000).matchAll(/@([\w.-]+)\s*:\s*(\w+)/g)) {
    if (match[2]!.toLowerCase() === 'pass' && aligned(match[1]!, fromDomain)) return true;
  }
  return fields.spf.trim().toLowerCase() === 'pass' && fields.envelopeFrom !== null && aligned(fields.envelopeFrom, fromDomain);
}

/** The `d=` tag of each DKIM-Signature header value: the domains that signed the message. */
export function dkimSigningDomains(signatures: readonly string[]): string[] {
  return signatures.map((value) => /(?:^|;)\s*d\s*=\s*([^;\s]+)/i.exec(value)?.[1]?.toLowerCase() ?? '');
}

/**
 * Mailgun: `X-Mailgun-Dkim-Check-Result` and `X-Mailgun-Spf` (Pass/Fail/…). Mailgun's
 * DKIM "Pass" says some signature verified, not whose: anyone can sign a forged From
 * with their own domain. So it counts only when every signature is by the From domain
 * (`dkimDomains`, the `d=` of each DKIM-Signature header), and SPF when the envelope
 * sender aligns with From.
 */
export function mailgunAuthentication(fields: { dkim: string; spf: string; sender: string; dkimDomains: readonly string[] }, from: string): boolean | null {
  if (!fields.dkim.trim() && !fields.spf.trim()) return null;
  const fromDomain = domainOf(from);
  const signedByFrom = fields.dkimDomains.length > 0 && fields.dkimDomains.every((d) => aligned(d, fromDomain));
  if (fields.dkim.trim().toLowerCase() === 'pass' && signedByFrom) return true;
  return fields.spf.trim().toLowerCase() === 'pass' && aligned(fields.sender, fromDomain);
}
