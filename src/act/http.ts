// The HTTP port every outbound call goes through: one timeout, and one verdict
// on a provider's answer (sent, retry later, or give up) so the OUTBOX consumer
// can retry a 429 after its Retry-After and stop retrying a request that can never succeed.
import { OutboundError } from '../errors';

/** The one outbound HTTP port (`fetch` narrowed to URL strings); deps pass the global one, tests a recording double or a local server. */
export type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

/** POST with a deadline; a stalled provider becomes a retryable OutboundError, never a hung consumer. */
export async function fetchWithDeadline(fetch: Fetch, url: string, init: RequestInit, timeoutMs: number, service: string): Promise<Response> {
  try {
    return await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    const name = error instanceof Error ? error.name : '';
    if (name === 'TimeoutError' || name === 'AbortError') throw new OutboundError(`${service} did not answer within ${timeoutMs} ms`, true);
    throw new OutboundError(`${service} unreachable: ${error instanceof Error ? error.message : String(error)}`, true);
  }
}

/** Turn a non-2xx answer into the error the retry policy reads. */
export async function failureFrom(response: Response, service: string): Promise<OutboundError> {
  const detail = (await response.text().catch(() => '')).slice(0, 200);
  const message = `${service} answered ${response.status}${detail ? `: ${detail}` : ''}`;
  const retryable = response.status === 408 || response.status === 429 || response.status >= 500;
  return new OutboundError(message, retryable, retryAfterSeconds(response.headers.get('retry-after')));
}

/** RFC 9110 §10.2.3: Retry-After is delay-seconds or an HTTP-date. */
export function retryAfterSeconds(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - now) / 1000));
}
