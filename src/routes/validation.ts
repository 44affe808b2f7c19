import { z, type Hook } from '@hono/zod-openapi';
import { AppError } from '../errors';
import { MAX_THREADING_ID_CHARS, stripAngleBrackets, threadingIdProblem } from '../ticket';

type Issue = { path: PropertyKey[]; message: string; code?: string; keys?: string[]; params?: Record<string, unknown> };

/** Field-level detail for a 400: `[{field: "from", message: "Invalid email address"}]`. */
function fieldErrors(issues: readonly Issue[]): { field: string; message: string }[] {
  return issues.flatMap((issue) => {
    const base = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys' && issue.keys) {
      return issue.keys.map((key) => ({ field: base ? `${base}.${key}` : key, message: 'Unknown field' }));
    }
    return [{ field: base || '(body)', message: issue.message }];
  });
}

const THREADING_ID_INVALID = 'threading_id_invalid';

/**
 * A Message-ID given to the API (`message_id`, `in_reply_to`, `references`): it is
 * written into our reply's headers, so CR/LF, non-ASCII and inner angle brackets
 * are refused with `threading_id_invalid`, never stored.
 */
export const ThreadingId = z
  .string()
  .min(1)
  .max(MAX_THREADING_ID_CHARS + 2)
  .superRefine((value, ctx) => {
    const problem = threadingIdProblem(stripAngleBrackets(value) ?? '');
    if (problem) {
      ctx.addIssue({
        code: 'custom',
        message: `Not a usable Message-ID (${problem}): visible ASCII only, no CR/LF, spaces or angle brackets inside`,
        params: { code: THREADING_ID_INVALID },
      });
    }
  });

// Every route's validation failure renders through onError with one shape.
export const validationHook: Hook<unknown, any, any, unknown> = (result) => {
  if (result.success) return;
  const fields = fieldErrors(result.error.issues);
  const threading = result.error.issues.some((issue) => (issue as Issue).params?.code === THREADING_ID_INVALID);
  throw new AppError(threading ? THREADING_ID_INVALID : 'validation_failed', 400, `Invalid request: ${fields.map((f) => `${f.field}: ${f.message}`).join('; ')}`, {
    fields,
  });
};
