// The human-readable eval table. Pure: summary in, text out.
import { OUTCOMES, type EvalSummary } from './metrics';

const pct = (value: number | null) => (value === null ? 'n/a' : `${(value * 100).toFixed(1)}%`);
const num = (value: number | null, digits = 3) => (value === null ? 'n/a' : value.toFixed(digits));

export function formatReport(summary: EvalSummary, title: string): string {
  const { retrieval, outcomes } = summary;
  const actuals = [...OUTCOMES, 'error'] as const;
  const rows = Object.keys(outcomes.confusion);
  const matrix = [
    `  expected \\ actual  ${actuals.map((a) => a.padStart(10)).join('')}`,
    ...[...OUTCOMES, ...rows.filter((r) => !(OUTCOMES as readonly string[]).includes(r))]
      .filter((e) => outcomes.confusion[e])
      .map((e) => `  ${e.padEnd(18)}${actuals.map((a) => String(outcomes.confusion[e]?.[a] ?? 0).padStart(10)).join('')}`),
  ];
  const errors = summary.per_case.filter((c) => c.actual === 'error');
  return [
    `${title}: ${summary.n} cases`,
    '',
    `retrieval (${retrieval.n} cases with gold docs)   recall@1 ${pct(retrieval['recall@1'])}   recall@5 ${pct(retrieval['recall@5'])}   MRR ${num(retrieval.mrr)}`,
    '',
    'outcomes',
    ...(rows.length ? matrix : ['  (no case states an expected outcome)']),
    '',
    `automation rate       ${pct(summary.automation_rate)}   (auto-replied / expected auto_reply)`,
    `auto-reply precision  ${pct(summary.auto_reply_precision)}   (correct / all auto-replies)`,
    `escalation recall     ${pct(summary.escalation_recall)}   (escalated or reviewed / expected escalate)`,
    `ignore recall         ${pct(summary.ignore_recall)}   (ignored / expected ignore)`,
    `ECE                   ${num(summary.ece)}   (10 bins, expected auto_reply cases; confidence vs the draft citing a gold doc)`,
    `model cost            $${summary.cost_usd.toFixed(4)}`,
    ...(errors.length ? ['', `${errors.length} case(s) without a decision:`, ...errors.slice(0, 10).map((c) => `  ${c.id}: ${c.error}`)] : []),
  ].join('\n');
}
