// Sender authentication at ingest, read from what each receiving service wrote:
// the real Postmark and SendGrid captures, and Email Routing's ARC results.
import { describe, expect, it } from 'vitest';
import { configFrom } from '../../src/config';
import { emailRoutingAuthentication, dkimSigningDomains, mailgunAuthentication, sendgridAuthentication } from '../../src/ingest/authentication';
import { parseBinaryForm } from '../../src/ingest/form';
import { draftFromPostmark, PostmarkInbound } from '../../src/ingest/postmark';
import { draftFromSendGrid } from '../../src/ingest/sendgrid';
import { env } from '../helpers';
import { httpCapture, webhookSample } from './samples';

const limits = () => configFrom(env);

describe('sender authentication from the real captures', () => {
  it('Postmark: the Received-SPF pass for an envelope sender aligned with From counts', () => {
    const raw = new TextDecoder().decode(webhookSample('postmark/inbound-capture-2013-valid.json'));
    const draft = draftFromPostmark(PostmarkInbound.parse(JSON.parse(raw)), raw, limits());
    expect(draft!.senderAuthenticated).toBe(true);
  });

  it('SendGrid: SPF=pass with the envelope sender on the From domain counts, dkim=none does not matter', async () => {
    const { headers, body } = httpCapture('sendgrid/inbound-parse-capture-2013-valid.http');
    const contentType = headers.get('content-type')!;
    const draft = await draftFromSendGrid(await parseBinaryForm(body, contentType), body, contentType, limits());
    expect(draft!.senderAuthenticated).toBe(true);
  });
});

describe('the verdict rules', () => {
  const cloudflare = 'mx.cloudflare.net';
  it.each([
    ['i=1; mx.cloudflare.net; dkim=pass header.d=example.com; spf=pass smtp.mailfrom=a@example.com; dmarc=pass header.from=example.com', true],
    ['i=1; mx.cloudflare.net; dkim=none; spf=softfail smtp.mailfrom=a@evil.example; dmarc=fail header.from=example.com', false],
    ['i=1; mx.cloudflare.net; dkim=pass header.d=mail.example.com; spf=none', true],
    ['i=1; mx.cloudflare.net; dkim=pass header.d=evil.example; spf=pass smtp.mailfrom=x@evil.example', false],
    ['i=1; mx.evil.example; dmarc=pass', null],
  ])('Email Routing %s → %s', (value, expected) => {
    expect(emailRoutingAuthentication({ 'arc-authentication-results': value }, 'ada@example.com', cloudflare)).toBe(expected);
  });

  it('SendGrid: an aligned DKIM pass counts; an unaligned one or an SPF pass for another domain does not', () => {
    expect(sendgridAuthentication({ dkim: '{@example.com : pass}', spf: 'fail', envelopeFrom: null }, 'ada@example.com')).toBe(true);
    expect(sendgridAuthentication({ dkim: '{@evil.example : pass}', spf: 'pass', envelopeFrom: 'x@evil.example' }, 'ada@example.com')).toBe(false);
    expect(sendgridAuthentication({ dkim: '', spf: '', envelopeFrom: null }, 'ada@example.com')).toBeNull();
  });

  it('Mailgun: a DKIM pass signed by the From domain only, or an SPF pass for it', () => {
    const mg = (dkim: string, spf: string, sender: string, dkimDomains: string[]) => mailgunAuthentication({ dkim, spf, sender, dkimDomains }, 'ada@example.com');
    expect(mg('Pass', 'Fail', 'x@evil.example', ['example.com'])).toBe(true);
    expect(mg('Pass', 'Fail', 'x@evil.example', ['mail.example.com'])).toBe(true);
    // Mailgun's Pass names no domain: a forged From signed by the sender's own domain, or beside one, is not the From's.
    expect(mg('Pass', 'Fail', 'x@evil.example', ['evil.example'])).toBe(false);
    expect(mg('Pass', 'Fail', 'x@evil.example', ['example.com', 'evil.example'])).toBe(false);
    expect(mg('Pass', 'Fail', 'x@evil.example', [])).toBe(false);
    expect(mg('', 'Pass', 'ada@example.com', [])).toBe(true);
    expect(mg('', 'Pass', 'x@evil.example', [])).toBe(false);
    expect(mg('', '', 'x@evil.example', ['example.com'])).toBeNull();
  });

  it('reads the signing domain from each DKIM-Signature value', () => {
    expect(dkimSigningDomains(['v=1; a=rsa-sha256; d=Example.com; s=s1; h=from:to', ' v=1; s=k; d=evil.example;', 'v=1; s=k'])).toEqual(['example.com', 'evil.example', '']);
  });
});
