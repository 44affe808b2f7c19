// The Hono app: routes read like a table of contents; every error renders once,
// in onError, as {error:{code,message}}.
import { OpenAPIHono } from '@hono/zod-openapi';
import { HTTPException } from 'hono/http-exception';
import { StorageUnavailableError } from './db/tickets';
import { AppError, errorBody } from './errors';
import { errorSummary, logEvent } from './log';
import { api } from './routes/api';
import { admin } from './routes/admin';
import { consoleApp } from './routes/console';
import { health } from './routes/health';
import { slack } from './routes/slack';
import { raw } from './routes/raw';
import { replay } from './routes/replay';
import { webhooks } from './routes/webhooks';
import { validationHook } from './routes/validation';
import { rateLimit } from './middleware/rate-limit';

export const app = new OpenAPIHono<{ Bindings: Env }>({ defaultHook: validationHook });

// Public endpoints spend a per-client budget before anything else runs.
for (const [group, path] of [
  ['api', '/api/*'],
  ['webhooks', '/webhooks/*'],
  ['slack', '/slack/*'],
  ['console_login', '/console/login'],
] as const) {
  app.use(path, rateLimit(group));
}

// People who open the Worker's URL want the console; machines use /health and /api.
app.get('/', (c) => c.redirect('/console', 302));
app.route('/', health);
app.route('/', webhooks);
app.route('/', raw);
app.route('/', api);
app.route('/', replay);
app.route('/', admin);
app.route('/', slack);
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
  if (appError.status >= 500) logEvent('error', 'request_failed', { path: c.req.path, code: appError.code, error: errorSummary(error) });
  return c.json(errorBody(appError), appError.status, appError.headers);
});

function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  if (error instanceof StorageUnavailableError) return new AppError('storage_unavailable', 503, 'Could not store the ticket; retry later', undefined, { 'Retry-After': '30' });
  if (error instanceof HTTPException) {
    if (error.status === 400 && /Malformed JSON/i.test(error.message)) return new AppError('invalid_json', 400, 'Request body is not valid JSON');
    if (error.status === 413) return new AppError('payload_too_large', 413, error.message || 'Payload too large');
    return new AppError(error.status === 401 ? 'unauthorized' : 'validation_failed', error.status as 400, error.message);
  }
  return new AppError('internal_error', 500, 'Internal error');
}
