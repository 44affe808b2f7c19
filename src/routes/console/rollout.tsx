// Console routes of the rollout (issue 16): the modes page, the shadow report with
// its one-click apply, and verdicts and request types on a ticket. Registered inside
// consoleRoutes, after the session and CSRF middleware.
import type { Context, Hono } from 'hono';
import type { Child } from 'hono/jsx';
import { html } from 'hono/html';
import { z } from 'zod';
import { listModeChanges, listModeRules } from '../../db/modes';
import { ROLLOUT_MODES } from '../../db/schema';
import { DecisionRequestType, RequestType } from '../../decide/request-types';
import { AppError } from '../../errors';
import { changeMode } from '../../pipeline/change-mode';
import { loadReport } from '../../pipeline/report';
import { ANY, resolveMode } from '../../rollout/modes';
import { recordRequestTypeReview, recordReviewerVerdict } from '../../pipeline/verdicts';
import { reportRange } from '../report';
import type { ConsoleEnv } from './auth';
import { isoDay, Page } from './layout';
import { ModesPage, ReportPage } from './pages/rollout';

const DAY_MS = 86_400_000;
const CHANGES_SHOWN = 50;

const scopeType = z.union([z.literal(ANY), DecisionRequestType]);
const ModeForm = z.object({
  address: z.union([z.literal(''), z.email()]).optional(),
  request_type: scopeType,
  mode: z.union([z.enum(ROLLOUT_MODES), z.literal('default')]),
});
const ApplyForm = z.object({
  request_type: DecisionRequestType,
  mode: z.enum(['auto', 'review']),
  from: z.string().max(10).optional(),
  to: z.string().max(10).optional(),
});
const VerdictForm = z.object({ verdict: z.enum(['would_send', 'would_not_send', 'right', 'wrong']) });
const TypeForm = z.object({ request_type: RequestType });

function parseForm<T extends z.ZodType>(schema: T, body: unknown): z.output<T> {
  const form = schema.safeParse(body);
  if (!form.success) throw new AppError('validation_failed', 400, 'Invalid form', { fields: form.error.issues.map((i) => ({ field: i.path.join('.'), message: i.message })) });
  return form.data;
}

function render(c: Context<ConsoleEnv>, title: string, active: string, body: Child) {
  const page = (
    <Page title={title} nonce={c.get('cspNonce')} active={active} actor={c.get('session')?.actor} csrf={c.get('csrf')}>
      {body}
    </Page>
  );
  return c.html(html`<!doctype html>${page}`);
}

const NOTICES: Record<string, string> = { changed: 'Mode changed.', unchanged: 'That scope already had this mode: nothing changed.' };

export function registerRolloutRoutes(app: Hono<ConsoleEnv>): void {
  app.get('/console/modes', async (c) => {
    const { deps } = c.var;
    const [rules, changes] = await Promise.all([listModeRules(deps.db), listModeChanges(deps.db, CHANGES_SHOWN)]);
    const effective = DecisionRequestType.options.map((t) => ({ requestType: t, mode: resolveMode(rules, deps.config.SUPPORT_ADDRESS, t, deps.config.DEFAULT_MODE) }));
    const notice = NOTICES[c.req.query('result') ?? ''];
    return render(c, 'Modes', '/console/modes', <ModesPage rules={rules} changes={changes} defaultMode={deps.config.DEFAULT_MODE} effective={effective} csrf={c.get('csrf')} notice={notice} />);
  });

  app.post('/console/modes', async (c) => {
    const form = parseForm(ModeForm, await c.req.parseBody());
    const result = await changeMode({ address: form.address || null, requestType: form.request_type }, form.mode === 'default' ? null : form.mode, c.get('session').actor, c.var.deps);
    return c.redirect(`/console/modes?result=${result.changed ? 'changed' : 'unchanged'}`, 303);
  });

  app.get('/console/report', async (c) => {
    const { deps } = c.var;
    const range = reportRange(c.req.query(), deps.clock.now());
    const report = await loadReport(deps, range);
    const notice = c.req.query('applied');
    return render(
      c,
      'Shadow report',
      '/console/report',
      <ReportPage
        from={isoDay(range.from)}
        to={isoDay(range.to - DAY_MS)}
        overall={report.overall}
        perType={report.perType}
        gaps={report.gaps}
        targetPrecision={report.targetPrecision}
        minVerdicts={report.minVerdicts}
        csrf={c.get('csrf')}
        notice={notice ? `${notice.replace(':', ' is now ')} for every address.` : undefined}
      />,
    );
  });

  // One click from the report: the recommended mode for the type at every address.
  app.post('/console/report/apply', async (c) => {
    const form = parseForm(ApplyForm, await c.req.parseBody());
    const actor = c.get('session').actor;
    await changeMode({ address: null, requestType: form.request_type }, form.mode, actor, c.var.deps);
    // An address of its own that runs the type in auto wins over the default: degrading takes it back too.
    if (form.mode === 'review') {
      const live = (await listModeRules(c.var.deps.db)).filter((r) => r.requestType === form.request_type && r.address !== ANY && r.mode === 'auto');
      for (const rule of live) await changeMode({ address: rule.address, requestType: form.request_type }, 'review', actor, c.var.deps);
    }
    const back = new URLSearchParams({ ...(form.from ? { from: form.from } : {}), ...(form.to ? { to: form.to } : {}), applied: `${form.request_type}:${form.mode}` });
    return c.redirect(`/console/report?${back}`, 303);
  });

  app.post('/console/tickets/:id/verdict', async (c) => {
    const form = parseForm(VerdictForm, await c.req.parseBody());
    const id = c.req.param('id');
    await recordReviewerVerdict(id, form.verdict, { name: c.get('session').actor, channel: 'console' }, c.var.deps);
    return c.redirect(`/console/tickets/${encodeURIComponent(id)}?result=verdict_recorded`, 303);
  });

  app.post('/console/tickets/:id/request-type', async (c) => {
    const form = parseForm(TypeForm, await c.req.parseBody());
    const id = c.req.param('id');
    const result = await recordRequestTypeReview(id, form.request_type, { name: c.get('session').actor, channel: 'console' }, c.var.deps);
    return c.redirect(`/console/tickets/${encodeURIComponent(id)}?result=${result}`, 303);
  });
}
