import { SHIPPED_THRESHOLDS } from '../src/decide/confidence-model';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config';
import { AppError } from '../src/errors';

const base = { SUPPORT_ADDRESS: 'support@example.com' };

function configError(env: Record<string, string>): AppError {
  try {
    parseConfig({ ...base, ...env });
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected parseConfig to refuse');
}

describe('config', () => {
  it('applies documented defaults when vars are unset', () => {
    const config = parseConfig(base);
    expect(config.AUTO_REPLY_THRESHOLD).toBe(SHIPPED_THRESHOLDS.autoReply);
    expect(config.REVIEW_THRESHOLD).toBe(SHIPPED_THRESHOLDS.review);
    expect(config.MAILER).toBe('auto');
    expect(config.SENSITIVE_TOPICS).toContain('refund');
    expect(config.secrets.ANTHROPIC_API_KEY).toBeUndefined();
  });

  it('parses numbers, booleans and lists from strings', () => {
    const config = parseConfig({ ...base, AUTO_REPLY_THRESHOLD: '0.9', CUSTOMER_ACK: 'true', SENSITIVE_TOPICS: 'refund, legal' });
    expect(config.AUTO_REPLY_THRESHOLD).toBe(0.9);
    expect(config.CUSTOMER_ACK).toBe(true);
    expect(config.SENSITIVE_TOPICS).toEqual(['refund', 'legal']);
  });

  it.each([
    ['AUTO_REPLY_THRESHOLD', 'abc'],
    ['AUTO_REPLY_THRESHOLD', '1.5'],
    ['REVIEW_THRESHOLD', '-0.1'],
    ['RETRIEVAL_TOP_K', '50'],
    ['MAILER', 'carrier-pigeon'],
    ['SUPPORT_ADDRESS', 'not an address'],
    ['SENSITIVE_TOPICS', 'refund,astrology'],
    ['CUSTOMER_ACK', 'maybe'],
  ])('refuses %s=%s naming the variable', (name, value) => {
    const error = configError({ [name]: value });
    expect(error.code).toBe('config_invalid');
    expect(error.message).toContain(name);
    expect(error.message).toContain(JSON.stringify(value));
  });

  it('refuses a review threshold above the auto-reply threshold', () => {
    const error = configError({ AUTO_REPLY_THRESHOLD: '0.5', REVIEW_THRESHOLD: '0.6' });
    expect(error.message).toMatch(/REVIEW_THRESHOLD.*AUTO_REPLY_THRESHOLD/);
  });

  it('treats an empty secret as not configured', () => {
    expect(parseConfig({ ...base, ANTHROPIC_API_KEY: '  ' }).secrets.ANTHROPIC_API_KEY).toBeUndefined();
  });
});
