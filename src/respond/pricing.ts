// What a model call cost, from the usage the API reports and the price table in
// config (USD per million tokens). Anthropic bills cache writes and cache reads
// at their own rates, and `input_tokens` excludes both, so the four add up.
import { z } from 'zod';

export const ModelPrice = z.strictObject({
  input: z.number().min(0),
  output: z.number().min(0),
  cacheWrite: z.number().min(0),
  cacheRead: z.number().min(0),
});
export type ModelPrice = z.infer<typeof ModelPrice>;

export const PriceTable = z.record(z.string().min(1), ModelPrice);
export type PriceTable = z.infer<typeof PriceTable>;

export type TokenUsage = { inputTokens: number; outputTokens: number; cacheWriteTokens: number; cacheReadTokens: number };

/**
 * Published list prices (platform.claude.com, checked 2026-11-25; 5-minute cache
 * writes). claude-haiku-5-5 costs 5× more for prompts over 100k tokens; ours stay
 * far below (MAX_TICKET_CHARS + RETRIEVAL_TOP_K chunks), so the lower band applies.
 */
export const DEFAULT_PRICES: PriceTable = {
  'claude-haiku-5-5': { input: 0.1, output: 0.5, cacheWrite: 0.125, cacheRead: 0.01 },
  'claude-sonnet-5-5': { input: 2, output: 10, cacheWrite: 2.5, cacheRead: 0.1 },
  'claude-haiku-4-5': { input: 1, output: 5, cacheWrite: 1.25, cacheRead: 0.1 },
  'claude-sonnet-4-6': { input: 3, output: 15, cacheWrite: 3.75, cacheRead: 0.3 },
};

const PER_TOKEN = 1 / 1_000_000;

export function callCost(usage: TokenUsage, price: ModelPrice): number {
  return (
    (usage.inputTokens * price.input +
      usage.outputTokens * price.output +
      usage.cacheWriteTokens * price.cacheWrite +
      usage.cacheReadTokens * price.cacheRead) *
    PER_TOKEN
  );
}
