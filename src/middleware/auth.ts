// Caller verification for the API and admin routes; the check itself is
// security/shared-secret.ts, and its failure becomes an AppError in security/result.ts.
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../app-env';
import type { Secrets } from '../config';
import { authError } from '../security/result';
import { verifyBearer } from '../security/shared-secret';

/** `Authorization: Bearer <secret>`; a route whose secret is not configured is closed, not open. */
export function requireBearer(secret: keyof Secrets): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const verified = await verifyBearer(c.req.header('authorization'), c.var.deps.config.secrets[secret], secret);
    if (!verified.ok) throw authError(verified);
    await next();
  };
}
