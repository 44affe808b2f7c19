// GET /api/report?from=YYYY-MM-DD&to=YYYY-MM-DD: the shadow report as JSON (issue 16),
// behind the API token like every /api route. Days are UTC and `to` is inclusive.
import { Hono } from 'hono';
import { z } from 'zod';
import { buildDeps } from '../deps';
import { AppError } from '../errors';
import { requireBearer } from '../middleware/auth';
import { loadReport, reportJson } from '../rollout/load-report';

const DAY_MS = 86_400_000;
/** One row per decision is read: a quarter keeps the answer well inside D1's result limits. */
export const MAX_REPORT_DAYS = 92;
const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD').refine((d) => !Number.isNaN(Date.parse(d)), 'not a date');
const ReportQuery = z.strictObject({ from: day.optional(), to: day.optional() });

/** [from, to + 1 day) in ms; defaults to the last 30 days; refused when reversed or longer than MAX_REPORT_DAYS. */
export function reportRange(query: Record<string, string>, now: number): { from: number; to: number } {
  const parsed = ReportQuery.safeParse(Object.fromEntries(Object.entries(query).filter(([, v]) => v !== '')));
  if (!parsed.success) {
    throw new AppError('validation_failed', 400, 'Invalid query', { fields: parsed.error.issues.map((i) => ({ field: i.path.join('.'), message: i.message })) });
  }
  const today = Date.parse(`${new Date(now).toISOString().slice(0, 10)}T00:00:00Z`);
  const to = (parsed.data.to ? Date.parse(`${parsed.data.to}T00:00:00Z`) : today) + DAY_MS;
  const from = parsed.data.from ? Date.parse(`${parsed.data.from}T00:00:00Z`) : to - 30 * DAY_MS;
  if (to <= from) throw new AppError('validation_failed', 400, 'to must not be before from', { fields: [{ field: 'to', message: 'before from' }] });
  if (to - from > MAX_REPORT_DAYS * DAY_MS) {
    throw new AppError('validation_failed', 400, `A report covers at most ${MAX_REPORT_DAYS} days`, { fields: [{ field: 'from', message: `more than ${MAX_REPORT_DAYS} days before to` }] });
  }
  return { from, to };
}

export const reportApi = new Hono<{ Bindings: Env }>();

reportApi.get('/api/report', requireBearer('API_TOKEN'), async (c) => {
  const deps = buildDeps(c.env);
  const report = await loadReport(deps, reportRange(c.req.query(), deps.clock.now()));
  return c.json(reportJson(report), 200);
});
