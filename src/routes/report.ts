// GET /api/report?from=YYYY-MM-DD&to=YYYY-MM-DD: the shadow report as JSON (issue 16),
// behind the API token like every /api route. Days are UTC and `to` is inclusive.
import { Hono } from 'hono';
import type { AppEnv } from '../app-env';
import { z } from 'zod';
import { AppError } from '../errors';
import { requireBearer } from '../middleware/auth';
import { loadReport, type ShadowReport } from '../pipeline/report';
import type { Precision, TypeReport } from '../rollout/report';

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

/** The report on the wire: snake_case, ISO dates, each precision with its Wilson interval. */
const precisionJson = (p: Precision) => ({ verdicts: p.verdicts, good: p.good, precision: p.precision, wilson_95: { lower: p.interval.lower, upper: p.interval.upper } });

const typeJson = (t: Omit<TypeReport, 'mode' | 'recommendation'> & { mode: string | null; recommendation: string | null }) => ({
  request_type: t.requestType,
  mode: t.mode,
  mode_at: t.modeAt,
  tickets: t.tickets,
  ignored: t.ignored,
  would_auto_reply: t.wouldAutoReply,
  would_be_automation: t.wouldBeAutomation,
  drafts: precisionJson(t.drafts),
  live: precisionJson(t.live),
  median_confidence: t.medianConfidence,
  recommendation: t.recommendation,
});

function reportJson(report: ShadowReport) {
  return {
    from: new Date(report.range.from).toISOString(),
    to: new Date(report.range.to).toISOString(),
    target_precision: report.targetPrecision,
    min_verdicts: report.minVerdicts,
    overall: typeJson(report.overall),
    per_type: report.perType.map(typeJson),
    kb_gaps: report.gaps.map((g) => ({ intent: g.intent, count: g.count, last_seen: new Date(g.lastSeen).toISOString(), example_ticket_id: g.exampleTicketId, example_subject: g.exampleSubject })),
  };
}

export const reportApi = new Hono<AppEnv>();

reportApi.get('/api/report', requireBearer('API_TOKEN'), async (c) => {
  const { deps } = c.var;
  const report = await loadReport(deps, reportRange(c.req.query(), deps.clock.now()));
  return c.json(reportJson(report), 200);
});
