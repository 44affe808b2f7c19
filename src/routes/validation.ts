import type { Hook } from '@hono/zod-openapi';
import { AppError } from '../errors';

type Issue = { path: PropertyKey[]; message: string; code?: string; keys?: string[] };

/** Field-level detail for a 400: `[{field: "from", message: "Invalid email address"}]`. */
export function fieldErrors(issues: readonly Issue[]): { field: string; message: string }[] {
  return issues.flatMap((issue) => {
    const base = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys' && issue.keys) {
      return issue.keys.map((key) => ({ field: base ? `${base}.${key}` : key, message: 'Unknown field' }));
    }
    return [{ field: base || '(body)', message: issue.message }];
  });
}

// Every route's validation failure renders through onError with one shape.
export const validationHook: Hook<unknown, any, any, unknown> = (result) => {
  if (result.success) return;
  const fields = fieldErrors(result.error.issues);
  throw new AppError('validation_failed', 400, `Invalid request: ${fields.map((f) => `${f.field}: ${f.message}`).join('; ')}`, {
    fields,
  });
};
