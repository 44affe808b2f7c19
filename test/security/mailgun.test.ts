// Mailgun webhook signatures (security/mailgun.ts) on the published vectors in
// shared/data/webhooks/mailgun: Mailgun's recipe hex(HMAC-SHA256(key, timestamp + token)).
import { describe, expect, it } from 'vitest';
import { authError } from '../../src/security/result';
import { verifyMailgunSignature } from '../../src/security/mailgun';
import { webhookSample } from '../ingest/samples';

const decoder = new TextDecoder();

describe('Mailgun signatures (published vectors)', () => {
  const vectors = JSON.parse(decoder.decode(webhookSample('mailgun/signature-vectors.json'))).vectors as {
    key: string;
    timestamp: string;
    token: string;
    signature_in_payload: string | null;
    computed_signature: string;
    valid: boolean;
  }[];

  it('accepts every valid vector at its own time and refuses the invalid one', async () => {
    for (const v of vectors) {
      const at = Number(v.timestamp) * 1000;
      const signature = v.signature_in_payload ?? v.computed_signature;
      expect(await verifyMailgunSignature({ timestamp: v.timestamp, token: v.token, signature }, v.key, at, 900)).toMatchObject(v.valid ? { ok: true } : { ok: false, reason: 'invalid' });
    }
  });

  it('refuses a valid signature outside the tolerance window as stale, either side', async () => {
    const v = vectors.find((x) => x.key === 'deflect-test-mailgun-signing-key')!;
    const fields = { timestamp: v.timestamp, token: v.token, signature: v.computed_signature };
    const at = Number(v.timestamp) * 1000;
    expect(await verifyMailgunSignature(fields, v.key, at + 901_000, 900)).toMatchObject({ ok: false, reason: 'stale' });
    expect(await verifyMailgunSignature(fields, v.key, at - 901_000, 900)).toMatchObject({ ok: false, reason: 'stale' });
    expect(await verifyMailgunSignature(fields, 'another-key', at, 900)).toMatchObject({ ok: false, reason: 'invalid' });
  });
});

describe('Mailgun refusals at the wire', () => {
  const key = 'deflect-test-mailgun-signing-key';
  const timestamp = '1700000000';
  const token = 'a-fresh-token';
  const at = Number(timestamp) * 1000;
  // Mailgun's recipe, written out here with crypto.subtle so the test does not lean on the module under test.
  const recipe = async () => {
    const hmac = await crypto.subtle.importKey('raw', new TextEncoder().encode(key), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    const mac = new Uint8Array(await crypto.subtle.sign('HMAC', hmac, new TextEncoder().encode(timestamp + token)));
    return Array.from(mac, (b) => b.toString(16).padStart(2, '0')).join('');
  };

  it('accepts the recipe in either hex case', async () => {
    const signature = await recipe();
    expect(await verifyMailgunSignature({ timestamp, token, signature }, key, at, 900)).toEqual({ ok: true });
    expect(await verifyMailgunSignature({ timestamp, token, signature: signature.toUpperCase() }, key, at, 900)).toEqual({ ok: true });
  });

  it('maps a missing or wrong signature to webhook_signature_invalid and an old one to webhook_timestamp_stale', async () => {
    const signature = await recipe();
    const codeOf = async (fields: { timestamp: string; token: string; signature: string }, now = at) => {
      const result = await verifyMailgunSignature(fields, key, now, 900);
      return result.ok ? 'verified' : `${authError(result).status} ${authError(result).code}`;
    };
    expect(await codeOf({ timestamp, token: '', signature })).toBe('401 webhook_signature_invalid');
    expect(await codeOf({ timestamp: 'soon', token, signature })).toBe('401 webhook_signature_invalid');
    expect(await codeOf({ timestamp, token: 'another-token', signature })).toBe('401 webhook_signature_invalid');
    expect(await codeOf({ timestamp, token, signature: signature.slice(0, 63) })).toBe('401 webhook_signature_invalid');
    expect(await codeOf({ timestamp, token, signature }, at + 901_000)).toBe('401 webhook_timestamp_stale');
  });
});
