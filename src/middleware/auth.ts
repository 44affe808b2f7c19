// Caller verification shared by the API and admin routes. Secrets are compared in
// constant time (hash both, then timingSafeEqual) so response timing leaks nothing.
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../app-env';
import type { Secrets } from '../config';
import { AppError } from '../errors';

const encoder = new TextEncoder();

export async function secretsEqual(given: string, expected: string): Promise<boolean> {
  const [a, b] = await Promise.all([
    crypto.subtle.digest('SHA-256', encoder.encode(given)),
    crypto.subtle.digest('SHA-256', encoder.encode(expected)),
  ]);
  return crypto.subtle.timingSafeEqual(a, b);
}

/** `Authorization: Bearer <secret>`; a route whose secret is not configured is closed, not open. */
export function requireBearer(secret: keyof Secrets): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const expected = c.var.deps.config.secrets[secret];
    if (!expected) throw new AppError('unauthorized', 401, `${secret} is not configured; this route is disabled`);
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer\s+(.+)$/i.exec(header);
    if (!match) throw new AppError('unauthorized', 401, 'Missing bearer token');
    if (!(await secretsEqual(match[1]!.trim(), expected))) throw new AppError('unauthorized', 401, 'Invalid bearer token');
    await next();
  };
}
