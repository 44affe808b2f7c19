// The shadow report over a period, read from D1 (decisions, verdicts, modes, the
// knowledge-base gaps of db/insight.ts), for the console page and GET /api/report.
import { kbGaps, type KbGap } from '../db/insight';
import { listModeRules } from '../db/modes';
import { reportDecisions } from '../db/report';
import { DecisionRequestType } from '../decide/request-types';
import type { Deps } from '../deps';
import { ANY, normalizeAddress, resolveMode } from '../rollout/modes';
import { buildReport, type Report } from '../rollout/report';

const GAPS_SHOWN = 15;

export type ShadowReport = Report & { range: { from: number; to: number }; targetPrecision: number; minVerdicts: number; gaps: KbGap[] };

export async function loadReport(deps: Pick<Deps, 'db' | 'config'>, range: { from: number; to: number }): Promise<ShadowReport> {
  const { db, config } = deps;
  const [rows, rules, gaps] = await Promise.all([reportDecisions(db, range), listModeRules(db), kbGaps(db, range.from, GAPS_SHOWN)]);
  const thresholds = { targetPrecision: config.RECOMMEND_TARGET_PRECISION, minVerdicts: config.RECOMMEND_MIN_DRAFTS };
  const typeOf = (type: string) => DecisionRequestType.safeParse(type).data ?? null;
  // At SUPPORT_ADDRESS, as the Modes page reads it; every other address with rules is listed beside it.
  const modeOf = (type: string) => resolveMode(rules, config.SUPPORT_ADDRESS, typeOf(type), config.DEFAULT_MODE);
  const supportAddress = normalizeAddress(config.SUPPORT_ADDRESS);
  const addresses = [...new Set(rules.map((r) => r.address).filter((a) => a !== ANY && a !== supportAddress))].sort();
  const modesElsewhere = (type: string) =>
    addresses.map((address) => ({ address, mode: resolveMode(rules, address, typeOf(type), config.DEFAULT_MODE) })).filter((m) => m.mode !== modeOf(type));
  return { ...buildReport(rows, DecisionRequestType.options, modeOf, thresholds, modesElsewhere), range, targetPrecision: thresholds.targetPrecision, minVerdicts: thresholds.minVerdicts, gaps };
}
