// The Hono app: routes read like a table of contents; every error renders once,
// in onError, as {error:{code,message}}.
import { OpenAPIHono } from '@hono/zod-openapi';
import { HTTPException } from 'hono/http-exception';
import { AppError, errorBody } from './errors';
import { api } from './routes/api';
import { admin } from './routes/admin';
import { consoleApp } from './routes/console';
import { health } from './routes/health';
import { validationHook } from './routes/validation';

export const app = new OpenAPIHono<{ Bindings: Env }>({ defaultHook: validationHook });

app.route('/', health);
app.route('/', api);
app.route('/', admin);
app.route('/', consoleApp);

app.doc31('/openapi.json', {
  openapi: '3.1.0',
  info: { title: 'deflect', version: '0.1.0', description: 'Support auto-responder: tickets in, decisions out.' },
});

app.notFound(() => {
  throw new AppError('not_found', 404, 'No such route');
});

app.onError((error, c) => {
  const appError = toAppError(error);
  if (appError.status >= 500) console.error(JSON.stringify({ event: 'request_failed', path: c.req.path, code: appError.code, error: String(error) }));
  return c.json(errorBody(appError), appError.status);
});

function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  if (error instanceof HTTPException) {
    if (error.status === 400 && /Malformed JSON/i.test(error.message)) return new AppError('invalid_json', 400, 'Request body is not valid JSON');
    if (error.status === 413) return new AppError('payload_too_large', 413, error.message || 'Payload too large');
    return new AppError(error.status === 401 ? 'unauthorized' : 'validation_failed', error.status as 400, error.message);
  }
  return new AppError('internal_error', 500, 'Internal error');
}
