// Stable, documented error codes (README "Errors"). Clients and audit rows match on
// `code`; `message` is for humans and may change.
import type { ContentfulStatusCode } from 'hono/utils/http-status';

export const ERROR_CODES = [
  'config_invalid',
  'unauthorized',
  'forbidden',
  'csrf_invalid',
  'not_found',
  'validation_failed',
  'threading_id_invalid',
  'invalid_json',
  'payload_too_large',
  'unsupported_media_type',
  'webhook_signature_invalid',
  'webhook_timestamp_stale',
  'webhook_replayed',
  'webhook_payload_invalid',
  'rate_limited',
  'conflict',
  'corpus_would_shrink',
  'storage_unavailable',
  'embedding_mismatch',
  'embedding_unavailable',
  // Rollout (issue 16): a person-needed type set to auto; a verdict that does not fit the ticket; sending from shadow.
  'mode_not_allowed',
  'verdict_not_applicable',
  'shadow_sends_nothing',
  'internal_error',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly status: ContentfulStatusCode,
    message: string,
    readonly details?: Record<string, unknown>,
    /** Response headers that go with the error, e.g. Retry-After on 429. */
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export type ErrorBody = { error: { code: ErrorCode; message: string } & Record<string, unknown> };

export function errorBody(error: AppError): ErrorBody {
  return { error: { code: error.code, message: error.message, ...error.details } };
}
