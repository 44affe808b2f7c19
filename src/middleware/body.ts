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

const isJson = (contentType: string | undefined) => /^application\/([\w.-]+\+)?json$/.test((contentType ?? '').split(';')[0]!.trim().toLowerCase());

/**
 * A JSON body is parsed here, before Hono's validator, so that a body that is not
 * JSON is told apart by its type (the parser's SyntaxError), not by the wording of
 * Hono's message. The validator then reads the parsed body from Hono's cache.
 */
export function parseJson(): MiddlewareHandler {
  return async (c, next) => {
    if (isJson(c.req.header('content-type'))) {
      try {
        await c.req.json();
      } catch (error) {
        if (error instanceof SyntaxError) throw new AppError('invalid_json', 400, 'Request body is not valid JSON');
        throw error;
      }
    }
    await next();
  };
}

/** JSON routes take JSON only: anything else is a 415, not a confusing validation error. */
export function requireJson(): MiddlewareHandler {
  const parse = parseJson();
  return async (c, next) => {
    if (!isJson(c.req.header('content-type'))) {
      throw new AppError('unsupported_media_type', 415, 'Content-Type must be application/json');
    }
    await parse(c, next);
  };
}
