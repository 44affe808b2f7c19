// The Hono app: routes read like a table of contents; every error renders once,
// in onError, as {error:{code,message}}.
import { OpenAPIHono } from '@hono/zod-openapi';
import { HTTPException } from 'hono/http-exception';
import { provideDeps, type AppEnv } from './app-env';
import { AppError, errorBody, isDomainError, type KnownDomainError } from './errors';
import { errorSummary, logEvent } from './log';
import { api } from './routes/api';
import { admin } from './routes/admin';
import { consoleApp } from './routes/console';
import { consoleErrorPage } from './routes/console/error-page';
import { health } from './routes/health';
import { slack } from './routes/slack';
import { raw } from './routes/raw';
import { reportApi } from './routes/report';
import { replay } from './routes/replay';
import { webhooks } from './routes/webhooks';
import { validationHook } from './routes/validation';
import { rateLimit } from './middleware/rate-limit';

export const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

// Every route reads the ports of this request from c.var.deps, built here once.
app.use('*', provideDeps());

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
app.route('/', reportApi);
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
  // A console form posted by a browser gets a page it can read and leave; every other caller the JSON body.
  if (c.req.path.startsWith('/console') && (c.req.header('accept') ?? '').includes('text/html')) {
    return c.html(consoleErrorPage(appError), appError.status, appError.headers);
  }
  return c.json(errorBody(appError), appError.status, appError.headers);
});

/** The one translation to the wire: an AppError as thrown, a domain failure by its kind, Hono's own exceptions by status. */
function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  if (isDomainError(error)) return domainErrorToHttp(error);
  if (error instanceof HTTPException) return honoExceptionToHttp(error);
  return new AppError('internal_error', 500, 'Internal error');
}

function domainErrorToHttp(error: KnownDomainError): AppError {
  switch (error.kind) {
    case 'not_found':
      return new AppError('not_found', 404, error.message);
    case 'conflict':
      return new AppError('conflict', 409, error.message);
    case 'payload_invalid':
      return new AppError('webhook_payload_invalid', 400, error.message);
    case 'storage_unavailable':
      return new AppError('storage_unavailable', 503, 'Could not store the ticket; retry later', undefined, { 'Retry-After': '30' });
    case 'outbound':
      // A provider failing inside a request is our problem, not the caller's; the details are in the log line.
      return new AppError('internal_error', 500, 'Internal error');
    case 'embedding':
      return error.reason === 'embedding_dimensions_mismatch' || error.reason === 'index_dimensions_mismatch'
        ? new AppError('embedding_mismatch', 409, error.message)
        : new AppError('embedding_unavailable', 503, error.message);
  }
}

/**
 * Hono throws HTTPException only for what it checks itself: zod-openapi's media-type
 * gate (415) and the validator reading a body. JSON bodies are parsed first by
 * middleware/body.ts (a SyntaxError there is `invalid_json`), so any other status is a bug of ours.
 */
function honoExceptionToHttp(error: HTTPException): AppError {
  switch (error.status) {
    case 401:
      return new AppError('unauthorized', 401, error.message);
    case 413:
      return new AppError('payload_too_large', 413, error.message || 'Payload too large');
    case 415:
      return new AppError('unsupported_media_type', 415, error.message);
    default:
      return new AppError('internal_error', 500, 'Internal error');
  }
}
