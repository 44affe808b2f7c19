// Workerd side of the Anthropic mock (test/node/anthropic-mock.ts): open a session,
// script its answers, read back what the SDK sent.
import { env } from 'cloudflare:workers';
import type { TicketResponse } from '../../src/respond/schema';

export type MockStep = { model?: string; status?: number; headers?: Record<string, string>; body: unknown; delayMs?: number };
export type RecordedRequest = { path: string; headers: Record<string, string>; body: Record<string, unknown> & { model: string } };
export type MockUsage = { input_tokens: number; output_tokens: number; cache_creation_input_tokens?: number; cache_read_input_tokens?: number };

export type MockClaude = {
  /** baseURL for the SDK: every request of this session lands here. */
  baseURL: string;
  script(...steps: MockStep[]): Promise<void>;
  requests(): Promise<RecordedRequest[]>;
};

export function mockClaude(): MockClaude {
  const baseURL = `${env.ANTHROPIC_MOCK_URL}/s/${crypto.randomUUID()}`;
  return {
    baseURL,
    async script(...steps) {
      const response = await fetch(`${baseURL}/__script`, { method: 'POST', body: JSON.stringify({ steps }) });
      if (response.status !== 204) throw new Error(`mock script: ${response.status}`);
    },
    async requests() {
      return (await fetch(`${baseURL}/__requests`)).json();
    },
  };
}

const DEFAULT_USAGE: MockUsage = { input_tokens: 900, output_tokens: 250, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };

export function message(text: string, options: { model?: string; stop_reason?: string; usage?: MockUsage } = {}) {
  return {
    id: `msg_${crypto.randomUUID().slice(0, 8)}`,
    type: 'message',
    role: 'assistant',
    model: options.model ?? 'claude-haiku-5-5',
    content: [{ type: 'text', text }],
    stop_reason: options.stop_reason ?? 'end_turn',
    stop_sequence: null,
    usage: options.usage ?? DEFAULT_USAGE,
  };
}

export const answer = (response: TicketResponse, options: { model?: string; usage?: MockUsage } = {}): MockStep => ({
  model: options.model,
  body: message(JSON.stringify(response), options),
});

export const apiError = (status: number, type: string): MockStep => ({
  status,
  // retry-after-ms keeps the SDK's backoff to a millisecond in tests.
  headers: { 'retry-after-ms': '1' },
  body: { type: 'error', error: { type, message: `${type} (mock)` } },
});
