// Token and cost estimate per ticket for fast-only, cascade and strong-only, from
// measured prompt sizes. Pure. The constants are stated in BENCHMARKS.md; prices
// are the product's own table (MODEL_PRICES defaults), without cache discounts.
import { callCost, DEFAULT_PRICES, type ModelPrice } from '../../src/respond/pricing';

/** Instructions + output schema + few-shot guidance the Claude responder sends before the ticket. */
export const SYSTEM_PROMPT_TOKENS = 800;
/** A TicketResponse: a reply of ~150-250 words plus intent, confidence, doc_sources and flags. */
export const OUTPUT_TOKENS = 400;

export type PromptSample = { promptTokens: number; inStrongBand: boolean };
export type Plan = { calls_per_ticket: number; tokens_in: number; tokens_out: number; usd_per_ticket: number; usd_per_1000: number };

function price(model: string): ModelPrice {
  const p = DEFAULT_PRICES[model];
  if (!p) throw new Error(`no price for model ${model}; add it to MODEL_PRICES (src/respond/pricing.ts)`);
  return p;
}

function plan(samples: PromptSample[], calls: (s: PromptSample) => string[]): Plan {
  let tokensIn = 0;
  let tokensOut = 0;
  let usd = 0;
  let count = 0;
  for (const s of samples) {
    for (const model of calls(s)) {
      const p = price(model);
      tokensIn += s.promptTokens;
      tokensOut += OUTPUT_TOKENS;
      usd += callCost({ inputTokens: s.promptTokens, outputTokens: OUTPUT_TOKENS, cacheWriteTokens: 0, cacheReadTokens: 0 }, p);
      count += 1;
    }
  }
  const n = Math.max(1, samples.length);
  return { calls_per_ticket: count / n, tokens_in: tokensIn / n, tokens_out: tokensOut / n, usd_per_ticket: usd / n, usd_per_1000: (usd / n) * 1000 };
}

/** Cascade: the fast model drafts every ticket; the strong one redrafts those whose confidence falls in the band. */
export function costPlans(samples: PromptSample[], models: { fast: string; strong: string }) {
  return {
    fast_only: plan(samples, () => [models.fast]),
    cascade: plan(samples, (s) => (s.inStrongBand ? [models.fast, models.strong] : [models.fast])),
    strong_only: plan(samples, () => [models.strong]),
  };
}
