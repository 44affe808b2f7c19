// Every error the code throws, in one file. Domain code throws the typed failures
// below, in its own words and without HTTP statuses; app.ts maps each kind to the
// wire exactly once. AppError is that wire form: a stable, documented code (docs/api.md
// "Errors") that clients and audit rows match on; `message` is for humans and may change.
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { errorSummary } from './log';

export const ERROR_CODES = [
  'config_invalid',
  'unauthorized',
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

/** A failure the domain expects and names; `kind` is what app.ts switches on. */
abstract class DomainError extends Error {
  abstract readonly kind: string;
}

/** The ticket (or row) a caller names does not exist. */
export class NotFoundError extends DomainError {
  readonly kind = 'not_found';
  override name = 'NotFoundError';
}

/** The request is sound but the ticket's state does not allow it now (nothing to send, already handled, not set up). */
export class ConflictError extends DomainError {
  readonly kind = 'conflict';
  override name = 'ConflictError';
}

/** An authenticated payload that does not hold what its sender promises (a Slack modal without its ticket). */
export class PayloadInvalidError extends DomainError {
  readonly kind = 'payload_invalid';
  override name = 'PayloadInvalidError';
}

/** D1 could not store or read a ticket: the caller must not acknowledge it (providers retry on 5xx). */
export class StorageUnavailableError extends DomainError {
  readonly kind = 'storage_unavailable';
  override name = 'StorageUnavailableError';
  constructor(cause: unknown) {
    super(`ticket storage unavailable: ${errorSummary(cause)}`, { cause });
  }
}

/** A provider call (mail, Slack) failed; the OUTBOX consumer reads `retryable` and `retryAfterSeconds`. */
export class OutboundError extends DomainError {
  readonly kind = 'outbound';
  override name = 'OutboundError';
  constructor(
    message: string,
    /** false: the request itself is wrong (4xx other than 408/429); retrying cannot help. */
    readonly retryable: boolean,
    /** The provider's Retry-After, in seconds, when it sent one. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

/**
 * Embedding or the vector index failed. The mismatches are permanent (vectors of
 * another size can never be queried with the configured model); the others are outages.
 */
export class EmbeddingError extends DomainError {
  readonly kind = 'embedding';
  override name = 'EmbeddingError';
  constructor(
    readonly reason: 'embedding_failed' | 'embedding_dimensions_mismatch' | 'index_unavailable' | 'index_dimensions_mismatch',
    message: string,
  ) {
    super(message);
  }
}

export type KnownDomainError = NotFoundError | ConflictError | PayloadInvalidError | StorageUnavailableError | OutboundError | EmbeddingError;

export function isDomainError(error: unknown): error is KnownDomainError {
  return error instanceof DomainError;
}
