import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config';
import { AppError } from '../../src/errors';
import { callCost, DEFAULT_PRICES } from '../../src/respond/pricing';

const base = { SUPPORT_ADDRESS: 'support@example.com' };

function configError(env: Record<string, string>): string {
  try {
    parseConfig({ ...base, ...env });
  } catch (error) {
    if (error instanceof AppError && error.code === 'config_invalid') return error.message;
    throw error;
  }
  throw new Error('expected config_invalid');
}

describe('callCost', () => {
  it('bills input, output, cache writes and cache reads each at their own rate', () => {
    // Sonnet 5.5: 1M input $2, 1M output $10, 1M cache write $2.50, 1M cache read $0.10.
    const million = { inputTokens: 1_000_000, outputTokens: 1_000_000, cacheWriteTokens: 1_000_000, cacheReadTokens: 1_000_000 };
    expect(callCost(million, DEFAULT_PRICES['claude-sonnet-5-5']!)).toBeCloseTo(14.6, 10);
    expect(callCost({ inputTokens: 0, outputTokens: 0, cacheWriteTokens: 0, cacheReadTokens: 10_000 }, DEFAULT_PRICES['claude-haiku-5-5']!)).toBeCloseTo(0.0001, 12);
  });
});

describe('model and price config', () => {
  it('prices both default models out of the box', () => {
    const config = parseConfig(base);
    expect(config.MODEL_PRICES[config.MODEL_FAST]).toBeDefined();
    expect(config.MODEL_PRICES[config.MODEL_STRONG]).toBeDefined();
  });

  it('refuses a model with no price, so no call goes unbilled in the audit', () => {
    expect(configError({ MODEL_STRONG: 'claude-opus-4-8' })).toContain('MODEL_PRICES has no price for claude-opus-4-8');
  });

  it('accepts a price table set as JSON', () => {
    const config = parseConfig({ ...base, MODEL_STRONG: 'claude-opus-4-8', MODEL_PRICES: JSON.stringify({ ...DEFAULT_PRICES, 'claude-opus-4-8': { input: 5, output: 25, cacheWrite: 6.25, cacheRead: 0.5 } }) });
    expect(config.MODEL_PRICES['claude-opus-4-8']).toEqual({ input: 5, output: 25, cacheWrite: 6.25, cacheRead: 0.5 });
  });

  it.each([
    ['MODEL_PRICES', '{not json', 'expected JSON'],
    ['MODEL_PRICES', '{"claude-haiku-5-5":{"input":1}}', 'MODEL_PRICES'],
    ['CALIBRATION', '{"bias":0}', 'CALIBRATION'],
  ])('refuses a malformed %s', (name, value, message) => {
    expect(configError({ [name]: value })).toContain(message);
  });

  it('refuses a borderline band whose minimum exceeds its maximum', () => {
    expect(configError({ STRONG_BAND_MIN: '0.9', STRONG_BAND_MAX: '0.5' })).toContain('STRONG_BAND_MIN');
  });
});
