// The review console (/console): server-rendered pages, no scripts. Every route
// but the login form needs a session (auth.ts); every form carries a CSRF token.
import { Hono, type Context } from 'hono';
import { findReplay } from '../../db/replays';
import type { Child } from 'hono/jsx';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { html } from 'hono/html';
import { z } from 'zod';
import { listCorpusVersions } from '../../db/corpus';
import { findDecision } from '../../db/decisions';
import { findStuckDeliveries, listDeliveries } from '../../db/deliveries';
import { listFeedback } from '../../db/feedback';
import { failedDeliveries, failedTickets, findRawMessage, kbGaps, outcomesByDay, reasonCodesInUse, reviewedDrafts } from '../../db/insight';
import { decodeCursor, listQueuePage } from '../../db/queue';
import { DecisionRequestType } from '../../decide/request-types';
import { OUTCOMES } from '../../db/schema';
import { findStuckTickets, findTicket } from '../../db/tickets';
import { expectedCalibrationError, precisionAt, recommendThreshold, reliabilityBins } from '../../decide/recommend';
import { AppError, ConflictError, NotFoundError } from '../../errors';
import { limitBody } from '../../middleware/body';
import { calibrationInForce, refitCalibration } from '../../pipeline/calibration';
import { retryFailedDelivery } from '../../pipeline/deliver';
import { applyHumanAction, type HumanAction } from '../../pipeline/human-actions';
import { csrfToken, newSessionId, verifyCsrfToken } from '../../security/console-session';
import { authError } from '../../security/result';
import { verifySharedSecret } from '../../security/shared-secret';
import { adminTokenOf, consoleHeaders, endSession, LOGIN_COOKIE, requireSession, safeNext, startSession, type ConsoleEnv } from './auth';
import { streamDecisions, streamTrainingExamples } from './export';
import { isoDay, Page } from './layout';
import { ExportPage } from './pages/export';
import { HealthPage } from './pages/health';
import { InsightPage } from './pages/insight';
import { recentCalibrations } from '../../db/calibrations';
import { LoginPage } from './pages/login';
import { QueuePage } from './pages/queue';
import { TicketPage } from './pages/ticket';
import { registerRolloutRoutes } from './rollout';

const DAY_MS = 86_400_000;
const QUEUE_PAGE = 50;
const BULK_LIMIT = 50;
const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD').refine((d) => !Number.isNaN(Date.parse(d)), 'not a date');
const dayStart = (d: string) => Date.parse(`${d}T00:00:00Z`);

function parseQuery<T extends z.ZodType>(schema: T, c: Context): z.output<T> {
  const result = schema.safeParse(Object.fromEntries(Object.entries(c.req.query()).filter(([, v]) => v !== '')));
  if (!result.success) {
    const fields = result.error.issues.map((i) => ({ field: i.path.join('.'), message: i.message }));
    throw new AppError('validation_failed', 400, 'Invalid query', { fields });
  }
  return result.data;
}

function render(c: Context<ConsoleEnv>, title: string, active: string, body: Child, status: 200 | 401 = 200) {
  const session = c.get('session');
  // Standards mode needs the doctype; the JSX element is already escaped HTML.
  const page = (
    <Page title={title} nonce={c.get('cspNonce')} active={active} actor={session?.actor} csrf={c.get('csrf')}>
      {body}
    </Page>
  );
  return c.html(html`<!doctype html>${page}`, status);
}

const QueueQuery = z.strictObject({
  view: z.enum(['waiting', 'all']).default('waiting'),
  outcome: z.enum(OUTCOMES).optional(),
  reason: z.string().max(100).optional(),
  request_type: DecisionRequestType.optional(),
  from: day.optional(),
  to: day.optional(),
  q: z.string().trim().max(200).optional(),
  owner: z.enum(['mine', 'unassigned']).optional(),
  cursor: z.string().max(500).optional(),
  limit: z.coerce.number().int().min(5).max(200).default(QUEUE_PAGE),
  result: z.string().max(100).optional(),
});
const BulkForm = z.object({
  action: z.enum(['approve', 'reject', 'take_over']),
  ticket: z.union([z.string(), z.array(z.string())]).transform((t) => (Array.isArray(t) ? t : [t])).pipe(z.array(z.string().min(1).max(100)).min(1, 'select at least one ticket').max(BULK_LIMIT)),
  back: z.string().max(2000).optional(),
});
const InsightQuery = z.strictObject({
  days: z.coerce.number().int().min(1).max(365).default(30),
  refit: z.enum(['accepted', 'refused', 'too_few_samples']).optional(),
});
const ExportQuery = z.strictObject({ from: day, to: day, format: z.enum(['csv', 'json']).default('csv') });
const TrainingExportQuery = z.strictObject({ from: day, to: day });
const ActionForm = z.discriminatedUnion('action', [
  z.object({ action: z.literal('approve') }),
  z.object({ action: z.literal('reject') }),
  z.object({ action: z.literal('take_over') }),
  z.object({ action: z.literal('edit'), text: z.string().trim().min(1, 'the edited reply is empty').max(50_000) }),
]);

/** The console routes; Cloudflare Access certs are fetched through deps.fetch (tests inject their own). */
export function consoleRoutes() {
  const app = new Hono<ConsoleEnv>();
  app.use('/console', consoleHeaders());
  app.use('/console/*', consoleHeaders());
  app.post('/console/*', limitBody('MAX_API_BODY_BYTES'));

  // Login: the form's CSRF token is tied to a one-off nonce cookie, since there is no session yet.
  app.get('/console/login', async (c) => {
    const { config } = c.var.deps;
    const nonce = newSessionId();
    setCookie(c, LOGIN_COOKIE, nonce, { path: '/console/login', httpOnly: true, secure: true, sameSite: 'Strict', maxAge: 3600 });
    const csrf = await csrfToken(`login:${nonce}`, adminTokenOf(config));
    const access = Boolean(config.ACCESS_TEAM_DOMAIN && config.ACCESS_AUD);
    return render(c, 'Log in', '', <LoginPage csrf={csrf} next={safeNext(c.req.query('next'))} access={access} />);
  });

  app.post('/console/login', async (c) => {
    const { config } = c.var.deps;
    const adminToken = adminTokenOf(config);
    const body = await c.req.parseBody();
    const nonce = getCookie(c, LOGIN_COOKIE);
    const csrf = typeof body._csrf === 'string' ? body._csrf : undefined;
    const formToken = await verifyCsrfToken(csrf, nonce && `login:${nonce}`, adminToken);
    if (!formToken.ok) throw authError({ ...formToken, message: 'The login form expired or came from elsewhere; reload it and try again' });
    const next = safeNext(typeof body.next === 'string' ? body.next : undefined);
    if (!(await verifySharedSecret(typeof body.token === 'string' ? body.token : null, adminToken)).ok) {
      return render(c, 'Log in', '', <LoginPage csrf={csrf!} next={next} access={false} error="That token is not the admin token." />, 401);
    }
    const name = typeof body.name === 'string' && body.name.trim() ? body.name.trim() : 'admin';
    await startSession(c, name, config);
    deleteCookie(c, LOGIN_COOKIE, { path: '/console/login' });
    return c.redirect(next, 303);
  });

  app.use('/console', requireSession());
  app.use('/console/*', requireSession());

  registerRolloutRoutes(app);

  app.post('/console/logout', async (c) => {
    await endSession(c);
    return c.redirect('/console/login', 303);
  });

  app.get('/console', async (c) => {
    const { cursor, result, limit, ...query } = parseQuery(QueueQuery, c);
    const { db } = c.var.deps;
    const filters = {
      view: query.view,
      outcome: query.outcome,
      reason: query.reason,
      requestType: query.request_type,
      from: query.from ? dayStart(query.from) : undefined,
      to: query.to ? dayStart(query.to) + DAY_MS : undefined,
      search: query.q,
      owner: query.owner,
      actor: c.get('session').actor,
    };
    const position = cursor ? decodeCursor(cursor) : null;
    if (cursor && !position) throw new AppError('validation_failed', 400, 'Invalid query', { fields: [{ field: 'cursor', message: 'not a page of this queue' }] });
    const [page, reasons] = await Promise.all([listQueuePage(db, filters, limit, position), reasonCodesInUse(db)]);
    return render(
      c,
      'Queue',
      '/console',
      <QueuePage rows={page.rows} nextCursor={page.nextCursor} query={{ ...query, limit: limit === QUEUE_PAGE ? undefined : String(limit) }} reasons={reasons} now={Date.now()} csrf={c.get('csrf')} notice={result} />,
    );
  });

  // Bulk actions on selected drafts: each ticket goes through the same action as its own page, one at a time.
  app.post('/console/bulk', async (c) => {
    const form = BulkForm.safeParse(await c.req.parseBody({ all: true }));
    if (!form.success) {
      throw new AppError('validation_failed', 400, 'Invalid bulk action', { fields: form.error.issues.map((i) => ({ field: i.path.join('.'), message: i.message })) });
    }
    const { deps } = c.var;
    const actor = { name: c.get('session').actor, channel: 'console' as const };
    const counts = { applied: 0, already_handled: 0, shadow: 0 };
    for (const id of new Set(form.data.ticket)) {
      const outcome = await applyHumanAction(id, { kind: form.data.action }, actor, deps).catch((error: unknown) => {
        // Gone or not sendable any more (someone else got there first): counted, not an error for the whole batch.
        if (error instanceof NotFoundError || error instanceof ConflictError) return { status: 'already_handled' as const };
        // One shadow ticket in the selection must not stop the batch halfway, after some replies went out.
        if (error instanceof AppError && error.code === 'shadow_sends_nothing') return { status: 'shadow' as const };
        throw error;
      });
      counts[outcome.status] += 1;
    }
    const back = form.data.back?.startsWith('/console') && !form.data.back.startsWith('//') ? form.data.back : '/console';
    const url = new URL(back, 'https://console.invalid');
    url.searchParams.delete('cursor');
    const shadow = counts.shadow ? `, ${counts.shadow} in shadow` : '';
    url.searchParams.set('result', `${counts.applied} applied, ${counts.already_handled} already handled${shadow}`);
    return c.redirect(`${url.pathname}${url.search}`, 303);
  });

  app.get('/console/tickets/:id', async (c) => {
    const { db } = c.var.deps;
    const id = c.req.param('id');
    const ticket = await findTicket(db, id);
    if (!ticket) throw new AppError('not_found', 404, 'No such ticket');
    const [decision, deliveries, feedback, raw, replayed] = await Promise.all([
      findDecision(db, id),
      listDeliveries(db, id),
      listFeedback(db, id),
      findRawMessage(db, id),
      findReplay(db, id),
    ]);
    const notice = c.req.query('result');
    return render(
      c,
      ticket.subject || 'Ticket',
      '/console',
      <TicketPage ticket={ticket} decision={decision} deliveries={deliveries} feedback={feedback} hasRaw={Boolean(raw)} replay={replayed} csrf={c.get('csrf')} notice={notice} />,
    );
  });

  // The message as received, as inert text: never rendered as HTML, sandboxed in case a browser sniffs.
  app.get('/console/tickets/:id/raw', async (c) => {
    const raw = await findRawMessage(c.var.deps.db, c.req.param('id'));
    if (!raw) throw new AppError('not_found', 404, 'No raw message kept for this ticket');
    c.header('content-security-policy', 'sandbox; default-src none');
    c.header('x-content-type-options', 'nosniff');
    const note = raw.truncated ? `\n\n[truncated: the original was ${raw.size} bytes]` : '';
    return c.text(`${raw.body}${note}`, 200, { 'content-type': 'text/plain; charset=utf-8', 'x-original-content-type': raw.contentType });
  });

  app.post('/console/tickets/:id/actions', async (c) => {
    const form = ActionForm.safeParse(await c.req.parseBody());
    if (!form.success) {
      throw new AppError('validation_failed', 400, 'Invalid action', { fields: form.error.issues.map((i) => ({ field: i.path.join('.'), message: i.message })) });
    }
    const action: HumanAction = form.data.action === 'edit' ? { kind: 'edit', text: form.data.text } : { kind: form.data.action };
    const id = c.req.param('id');
    const result = await applyHumanAction(id, action, { name: c.get('session').actor, channel: 'console' }, c.var.deps);
    return c.redirect(`/console/tickets/${encodeURIComponent(id)}?result=${result.status}`, 303);
  });

  app.get('/console/health', async (c) => {
    const { deps } = c.var;
    const now = Date.now();
    const [dead, stuck, stuckDeliveries, failed, corpus] = await Promise.all([
      failedDeliveries(deps.db, 100),
      findStuckTickets(deps.db, now, deps.config.SWEEP_AFTER_SECONDS * 1000, 100),
      findStuckDeliveries(deps.db, now, { queuedOlderThanMs: deps.config.DELIVERY_SWEEP_AFTER_SECONDS * 1000, staleMs: deps.config.SEND_STALE_SECONDS * 1000 }, 100),
      failedTickets(deps.db, 100),
      listCorpusVersions(deps.db),
    ]);
    const retried = c.req.query('retried');
    const notice = retried === 'queued' ? 'Delivery queued again.' : retried === 'not_failed' ? 'That delivery is no longer failed; nothing to retry.' : undefined;
    return render(c, 'Health', '/console/health', <HealthPage failedDeliveries={dead} stuck={stuck} stuckDeliveries={stuckDeliveries} failedTickets={failed} corpus={corpus} csrf={c.get('csrf')} now={now} notice={notice} />);
  });

  app.post('/console/deliveries/:id/retry', async (c) => {
    const delivery = await retryFailedDelivery(c.req.param('id'), c.var.deps);
    return c.redirect(`/console/health?retried=${delivery ? 'queued' : 'not_failed'}`, 303);
  });

  app.get('/console/insight', async (c) => {
    const { days, refit } = parseQuery(InsightQuery, c);
    const { deps } = c.var;
    const { config } = deps;
    const today = dayStart(isoDay(Date.now()));
    const from = today - (days - 1) * DAY_MS;
    const dayList = Array.from({ length: days }, (_, i) => isoDay(from + i * DAY_MS));
    const [outcomes, reviewed, gaps, calibration, refits] = await Promise.all([
      outcomesByDay(deps.db, from, today + DAY_MS),
      reviewedDrafts(deps.db),
      kbGaps(deps.db, from, 15),
      calibrationInForce(deps.db, config),
      recentCalibrations(deps.db, 10),
    ]);
    const drafts = reviewed.map((r) => ({ confidence: r.confidence, approved: r.good }));
    const bins = reliabilityBins(drafts);
    return render(
      c,
      'Insight',
      '/console/insight',
      <InsightPage
        days={dayList}
        outcomes={outcomes}
        bins={bins}
        ece={expectedCalibrationError(bins)}
        recommendation={recommendThreshold(drafts, config.RECOMMEND_TARGET_PRECISION, config.RECOMMEND_MIN_DRAFTS)}
        precisionTable={precisionAt(drafts, [0.5, 0.6, 0.7, 0.8, 0.9])}
        currentThreshold={config.AUTO_REPLY_THRESHOLD}
        gaps={gaps}
        calibration={calibration}
        refits={refits}
        refitNotice={refit ?? null}
        csrf={c.get('csrf')}
      />,
    );
  });

  app.post('/console/insight/refit', async (c) => {
    const { deps } = c.var;
    const result = await refitCalibration(deps.db, deps.config, deps.clock.now());
    return c.redirect(`/console/insight?refit=${result.status}`, 303);
  });

  app.get('/console/export', (c) => {
    const today = Date.now();
    return render(c, 'Export', '/console/export', <ExportPage from={isoDay(today - 29 * DAY_MS)} to={isoDay(today)} />);
  });

  app.get('/console/export/decisions', (c) => {
    const query = parseQuery(ExportQuery, c);
    const range = exportRange(query);
    const type = query.format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json';
    return c.body(streamDecisions(c.var.deps.db, range, query.format), 200, {
      'content-type': type,
      'content-disposition': `attachment; filename="deflect-decisions-${query.from}-to-${query.to}.${query.format}"`,
    });
  });

  app.get('/console/export/training', (c) => {
    const query = parseQuery(TrainingExportQuery, c);
    return c.body(streamTrainingExamples(c.var.deps.db, exportRange(query)), 200, {
      'content-type': 'application/x-ndjson; charset=utf-8',
      'content-disposition': `attachment; filename="deflect-reviewed-types-${query.from}-to-${query.to}.jsonl"`,
    });
  });

  return app;
}

/** [from, to] as UTC days, to inclusive. */
function exportRange(query: { from: string; to: string }): { from: number; to: number } {
  const range = { from: dayStart(query.from), to: dayStart(query.to) + DAY_MS };
  if (range.to <= range.from) throw new AppError('validation_failed', 400, 'to must not be before from', { fields: [{ field: 'to', message: 'before from' }] });
  return range;
}

export const consoleApp = consoleRoutes();
