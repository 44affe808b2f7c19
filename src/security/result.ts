// One result type for every verifier, and the one place a failed check becomes
// an HTTP error. Expected failures are values; only the route decides to throw.
import { AppError } from '../errors';

export type AuthFailureReason = 'not_configured' | 'missing' | 'invalid' | 'stale';
/**
 * What was checked, which fixes the wire code: a shared secret (`unauthorized`),
 * a provider's request signature (`webhook_*`), a console session, a form's CSRF token.
 */
export type AuthKind = 'credential' | 'signature' | 'session' | 'csrf';
export type AuthFailure = { ok: false; kind: AuthKind; reason: AuthFailureReason; message: string };
export type AuthResult<Verified extends object = object> = ({ ok: true } & Verified) | AuthFailure;

export const VERIFIED = { ok: true } as const;

export function refused(kind: AuthKind, reason: AuthFailureReason, message: string): AuthFailure {
  return { ok: false, kind, reason, message };
}

/** A route whose secret is not set is closed, not open. */
export function unconfigured(secretName: string, disabled: string): AuthFailure {
  return refused('credential', 'not_configured', `${secretName} is not configured; ${disabled} is disabled`);
}

export function authError(failure: AuthFailure): AppError {
  if (failure.reason === 'not_configured') return new AppError('unauthorized', 401, failure.message);
  switch (failure.kind) {
    case 'credential':
    case 'session':
      return new AppError('unauthorized', 401, failure.message);
    case 'signature':
      return new AppError(failure.reason === 'stale' ? 'webhook_timestamp_stale' : 'webhook_signature_invalid', 401, failure.message);
    case 'csrf':
      return new AppError('csrf_invalid', 403, failure.message);
  }
}
