import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { AppEnv } from '../app-env';
import type { Config } from '../config';
import { AppError } from '../errors';

type LimitName = { [K in keyof Config]: Config[K] extends number ? K : never }[keyof Config];

/** Refuse bodies over the configured limit with 413 before reading them whole. */
export function limitBody(limit: LimitName): MiddlewareHandler<AppEnv> {
  return (c, next) => {
    const maxSize = c.var.deps.config[limit] as number;
    return bodyLimit({
      maxSize,
      onError: () => {
        throw new AppError('payload_too_large', 413, `Request body exceeds ${maxSize} bytes (${limit})`);
      },
    })(c, next);
  };
}

/** JSON routes take JSON only: anything else is a 415, not a confusing validation error. */
export function requireJson(): MiddlewareHandler {
  return async (c, next) => {
    const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    if (!/^application\/([\w.-]+\+)?json$/.test(type)) {
      throw new AppError('unsupported_media_type', 415, 'Content-Type must be application/json');
    }
    await next();
  };
}
