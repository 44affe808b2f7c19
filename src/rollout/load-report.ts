// The shadow report over a period, read from D1 (decisions, verdicts, modes, the
// knowledge-base gaps of db/insight.ts), for the console page and GET /api/report.
import { kbGaps, type KbGap } from '../db/insight';
import { listModeRules } from '../db/modes';
import { reportDecisions } from '../db/report';
import { DecisionRequestType } from '../decide/request-types';
import type { Deps } from '../deps';
import { resolveMode } from './modes';
import { buildReport, type Precision, type Report, type TypeReport } from './report';

const GAPS_SHOWN = 15;

export type ShadowReport = Report & { range: { from: number; to: number }; targetPrecision: number; minVerdicts: number; gaps: KbGap[] };

export async function loadReport(deps: Pick<Deps, 'db' | 'config'>, range: { from: number; to: number }): Promise<ShadowReport> {
  const { db, config } = deps;
  const [rows, rules, gaps] = await Promise.all([reportDecisions(db, range), listModeRules(db), kbGaps(db, range.from, GAPS_SHOWN)]);
  const thresholds = { targetPrecision: config.RECOMMEND_TARGET_PRECISION, minVerdicts: config.RECOMMEND_MIN_DRAFTS };
  const modeOf = (type: string) => resolveMode(rules, null, DecisionRequestType.safeParse(type).data ?? null, config.DEFAULT_MODE);
  return { ...buildReport(rows, DecisionRequestType.options, modeOf, thresholds), range, targetPrecision: thresholds.targetPrecision, minVerdicts: thresholds.minVerdicts, gaps };
}

const precisionJson = (p: Precision) => ({ verdicts: p.verdicts, good: p.good, precision: p.precision, wilson_95: { lower: p.interval.lower, upper: p.interval.upper } });

const typeJson = (t: Omit<TypeReport, 'mode' | 'recommendation'> & { mode: string | null; recommendation: string | null }) => ({
  request_type: t.requestType,
  mode: t.mode,
  tickets: t.tickets,
  would_auto_reply: t.wouldAutoReply,
  would_be_automation: t.wouldBeAutomation,
  drafts: precisionJson(t.drafts),
  live: precisionJson(t.live),
  median_confidence: t.medianConfidence,
  recommendation: t.recommendation,
});

export function reportJson(report: ShadowReport) {
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
