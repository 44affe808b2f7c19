// The shadow report, pure (issue 16 item 2): per request type and overall, the
// would-be automation, the verdicts on would-be auto-replies with their precision
// and Wilson 95% interval, the median confidence, and what to do next: a type whose
// lower bound reaches the target on enough verdicts is recommended for auto; a type
// on auto whose live replies are, with 95% confidence, below the target is flagged.
import type { ReportDecision } from '../db/report';
import { GOOD_DRAFT_VERDICTS, type FeedbackVerdict, type RolloutMode } from '../domain';
import { needsPerson, type DecisionRequestType } from '../decide/request-types';
import { wilsonInterval, type Interval } from './wilson';

export type Precision = { verdicts: number; good: number; precision: number | null; interval: Interval };

export type TypeReport = {
  requestType: string;
  /** The mode at the default address, and the addresses whose rules run the type otherwise. */
  mode: RolloutMode;
  modeAt: readonly AddressMode[];
  tickets: number;
  /** Tickets the policy would have ignored (spam, thanks, automated mail): not in would-be automation's denominator. */
  ignored: number;
  /** Tickets the policy would have answered on its own (before the mode), and their share of the tickets not ignored. */
  wouldAutoReply: number;
  wouldBeAutomation: number | null;
  /** Verdicts on would-be auto-replies, in any mode: "would send" / approved / right against the rest. */
  drafts: Precision;
  /** Verdicts on auto-replies that went out (post-hoc reviews and customers' follow-ups). */
  live: Precision;
  medianConfidence: number | null;
  recommendation: 'auto' | 'review' | null;
};

export type AddressMode = { address: string; mode: RolloutMode };

export const UNCLASSIFIED = 'unclassified';

export type ReportThresholds = { targetPrecision: number; minVerdicts: number };

const GOOD: ReadonlySet<FeedbackVerdict> = new Set(GOOD_DRAFT_VERDICTS);

function precisionOf(verdicts: readonly FeedbackVerdict[]): Precision {
  const good = verdicts.filter((v) => GOOD.has(v)).length;
  return { verdicts: verdicts.length, good, precision: verdicts.length ? good / verdicts.length : null, interval: wilsonInterval(good, verdicts.length) };
}

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Back to review for a type whose live replies are proven below target, whatever the
 * default address's mode (an address of its own may run the type in auto); auto for a
 * type the drafts prove good enough.
 */
function recommendFor(type: string, mode: RolloutMode, drafts: Precision, live: Precision, thresholds: ReportThresholds): TypeReport['recommendation'] {
  if (live.verdicts > 0 && live.interval.upper < thresholds.targetPrecision) return 'review';
  if (mode === 'auto') return null;
  if (needsPerson(type as DecisionRequestType) || type === 'unclear' || type === UNCLASSIFIED || mode === 'off') return null;
  return drafts.verdicts >= thresholds.minVerdicts && drafts.interval.lower >= thresholds.targetPrecision ? 'auto' : null;
}

function summarise(requestType: string, mode: RolloutMode, modeAt: readonly AddressMode[], rows: readonly ReportDecision[], thresholds: ReportThresholds): TypeReport {
  const answerable = rows.filter((r) => r.policyOutcome !== 'ignore');
  const wouldAuto = rows.filter((r) => r.policyOutcome === 'auto_reply');
  const drafts = precisionOf(wouldAuto.flatMap((r) => (r.verdict ? [r.verdict] : [])));
  const sent = rows.filter((r) => r.outcome === 'auto_reply' && (r.mode === 'auto' || r.mode === null));
  const live = precisionOf(sent.flatMap((r) => (r.verdict ? [r.verdict] : [])));
  return {
    requestType,
    mode,
    modeAt,
    tickets: rows.length,
    ignored: rows.length - answerable.length,
    wouldAutoReply: wouldAuto.length,
    wouldBeAutomation: answerable.length ? wouldAuto.length / answerable.length : null,
    drafts,
    live,
    medianConfidence: median(rows.flatMap((r) => (r.confidence === null ? [] : [r.confidence]))),
    recommendation: recommendFor(requestType, mode, drafts, live, thresholds),
  };
}

/**
 * One row per request type seen in the period (in `types` order, then any other), and
 * the overall row. `modeOf` says the mode each type runs in now (at the default address).
 */
export function buildReport(
  rows: readonly ReportDecision[],
  types: readonly string[],
  modeOf: (type: string) => RolloutMode,
  thresholds: ReportThresholds,
  modesElsewhere: (type: string) => readonly AddressMode[] = () => [],
) {
  const byType = new Map<string, ReportDecision[]>();
  for (const row of rows) {
    // No type: mail the guard set aside before classification (bounces, auto-replies, oversize),
    // or a decision from before request types. Not `unclear`, which is the classifier being unsure.
    const type = row.requestType ?? UNCLASSIFIED;
    const list = byType.get(type);
    if (list) list.push(row);
    else byType.set(type, [row]);
  }
  const order = [...types.filter((t) => byType.has(t)), ...[...byType.keys()].filter((t) => !types.includes(t))];
  const perType = order.map((type) => summarise(type, modeOf(type), modesElsewhere(type), byType.get(type)!, thresholds));
  const overall = { ...summarise('all', 'auto', [], rows, thresholds), mode: null, recommendation: null };
  return { perType, overall };
}

export type Report = ReturnType<typeof buildReport>;
