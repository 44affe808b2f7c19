import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../app-env';
import { AppError } from '../errors';

/** The Workers Rate Limiting binding's window (wrangler.toml `simple.period`). */
const WINDOW_SECONDS = 60;

/**
 * Spend one unit of the caller's budget for this group of routes. The key is the
 * client address Cloudflare saw (`cf-connecting-ip`), so one noisy client cannot
 * starve the others. Without the binding (or when disabled) requests pass.
 */
export function rateLimit(group: string): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const limiter = c.env.RATE_LIMITER as RateLimit | undefined;
    if (!limiter || !c.var.deps.config.RATE_LIMIT_ENABLED) return next();
    const client = c.req.header('cf-connecting-ip') ?? 'unknown';
    const { success } = await limiter.limit({ key: `${group}:${client}` });
    if (!success) {
      throw new AppError('rate_limited', 429, 'Too many requests; retry later', undefined, { 'Retry-After': String(WINDOW_SECONDS) });
    }
    await next();
  };
}
