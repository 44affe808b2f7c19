// ClaudeResponder: Claude drafts a TicketResponse through structured outputs
// (`output_config.format` = the zod schema's JSON schema). A cheap model drafts
// every ticket; only a borderline draft goes to the strong model (the cascade).
// `messages.create` rather than `messages.parse`: parse throws on a refusal or a
// truncated answer before stop_reason can be read, and each is its own reason code.
import { Anthropic, APIError } from './anthropic-client';
import { zodOutputFormat } from '@anthropic-ai/sdk/helpers/zod';
import type { Message } from '@anthropic-ai/sdk/resources/messages';
import type { Config } from '../config';
import type { ModelCall } from '../db/schema';
import { callCost, type ModelPrice, type PriceTable, type TokenUsage } from './pricing';
import { logEvent } from '../log';
import { buildPrompt } from './prompt';
import { TicketResponse } from './schema';
import type { Responder, ResponderFailure, ResponderInput, ResponderResult } from './types';

export type ClaudeResponderOptions = {
  apiKey: string;
  /** Where the Messages API lives; unset means api.anthropic.com (tests point it at a local mock). */
  baseURL?: string;
  fastModel: string;
  strongModel: string;
  /** Fast drafts whose confidence falls in [min, max] are redrafted by the strong model. */
  strongBand: { min: number; max: number };
  /** Per attempt; the SDK aborts and retries (408/409/429/5xx/529, connection errors, timeouts). */
  timeoutMs: number;
  maxRetries: number;
  maxOutputTokens: number;
  /** output_config.effort; `default` leaves it to the model. */
  effort: 'default' | 'low' | 'medium' | 'high';
  prices: PriceTable;
  supportName: string;
};

export function claudeOptionsFrom(config: Config, apiKey: string): ClaudeResponderOptions {
  return {
    apiKey,
    baseURL: config.secrets.ANTHROPIC_BASE_URL,
    fastModel: config.MODEL_FAST,
    strongModel: config.MODEL_STRONG,
    strongBand: { min: config.STRONG_BAND_MIN, max: config.STRONG_BAND_MAX },
    timeoutMs: config.LLM_TIMEOUT_MS,
    maxRetries: config.LLM_MAX_RETRIES,
    maxOutputTokens: config.MAX_OUTPUT_TOKENS,
    effort: config.LLM_EFFORT,
    prices: config.MODEL_PRICES,
    supportName: config.SUPPORT_NAME,
  };
}

const OUTPUT_FORMAT = zodOutputFormat(TicketResponse);

type Draft = { response: TicketResponse | null; failure: ResponderFailure | null; call: ModelCall };

function usageOf(message: Message): TokenUsage {
  return {
    inputTokens: message.usage.input_tokens,
    outputTokens: message.usage.output_tokens,
    cacheWriteTokens: message.usage.cache_creation_input_tokens ?? 0,
    cacheReadTokens: message.usage.cache_read_input_tokens ?? 0,
  };
}

/** The answer text, or why there is no usable one. Thinking blocks, if any, are skipped. */
function readAnswer(message: Message): TicketResponse | 'model_refused' | 'schema_invalid' {
  if (message.stop_reason === 'refusal') return 'model_refused';
  // Truncated JSON is never valid, and a reply cut short must not go out either.
  if (message.stop_reason === 'max_tokens') return 'schema_invalid';
  const text = message.content.flatMap((block) => (block.type === 'text' ? [block.text] : [])).join('');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return 'schema_invalid';
  }
  const parsed = TicketResponse.safeParse(json);
  return parsed.success ? parsed.data : 'schema_invalid';
}

const CALL_OUTCOME = { model_refused: 'refused', schema_invalid: 'schema_invalid', llm_unavailable: 'error' } as const;

export class ClaudeResponder implements Responder {
  readonly name = 'claude' as const;
  private readonly client: Anthropic;

  constructor(private readonly options: ClaudeResponderOptions) {
    this.client = new Anthropic({
      apiKey: options.apiKey,
      baseURL: options.baseURL ?? null,
      timeout: options.timeoutMs,
      maxRetries: options.maxRetries,
    });
  }

  async respond(input: ResponderInput): Promise<ResponderResult> {
    const prompt = buildPrompt(input, this.options.supportName);
    const fast = await this.draft('fast', this.options.fastModel, prompt);
    if (!fast.response) return { response: null, failure: fast.failure, calls: [fast.call] };
    const { min, max } = this.options.strongBand;
    const score = fast.response.confidence_score;
    if (score < min || score > max) return { response: fast.response, failure: null, calls: [fast.call] };

    const strong = await this.draft('strong', this.options.strongModel, prompt);
    const calls = [fast.call, strong.call];
    if (strong.response) return { response: strong.response, failure: null, calls };
    // Strong model unreachable: keep the fast draft; the policy holds it for review (second_opinion_unavailable).
    if (strong.failure === 'llm_unavailable') return { response: fast.response, failure: null, calls };
    return { response: null, failure: strong.failure, calls };
  }

  private price(model: string): ModelPrice {
    const price = this.options.prices[model];
    if (!price) throw new Error(`no price for model ${model} (config MODEL_PRICES)`);
    return price;
  }

  private async draft(role: 'fast' | 'strong', model: string, prompt: ReturnType<typeof buildPrompt>): Promise<Draft> {
    const price = this.price(model);
    const started = Date.now();
    let message: Message;
    try {
      message = await this.client.messages.create({
        model,
        max_tokens: this.options.maxOutputTokens,
        system: prompt.system,
        messages: [{ role: 'user', content: prompt.user }],
        output_config: this.options.effort === 'default' ? { format: OUTPUT_FORMAT } : { format: OUTPUT_FORMAT, effort: this.options.effort },
      });
    } catch (error) {
      // APIError covers every HTTP error and connection failure/timeout, after the SDK's retries.
      if (!(error instanceof APIError)) throw error;
      logEvent('warn', 'llm_unavailable', { model, status: error.status ?? null, type: error.type ?? error.name, requestId: error.requestID ?? null });
      const none = { inputTokens: 0, outputTokens: 0, cacheWriteTokens: 0, cacheReadTokens: 0 };
      return { response: null, failure: 'llm_unavailable', call: { model, role, ...none, costUsd: 0, latencyMs: Date.now() - started, outcome: 'error' } };
    }
    const usage = usageOf(message);
    const answer = readAnswer(message);
    const call: ModelCall = {
      model,
      role,
      ...usage,
      costUsd: callCost(usage, price),
      latencyMs: Date.now() - started,
      outcome: typeof answer === 'string' ? CALL_OUTCOME[answer] : 'ok',
      confidence: typeof answer === 'string' ? null : answer.confidence_score,
    };
    return typeof answer === 'string' ? { response: null, failure: answer, call } : { response: answer, failure: null, call };
  }
}
