// The replay's summary: per request type (deflect's own), how many past tickets it
// would have answered on its own, and how often its type matched the history's label.
// It counts what the policy decided (`policy_outcome`), not what the rollout mode then did:
// a deployment in `shadow`, the default, turns every would-be auto-reply into a review.
export type ReplayOutcome = { request_type: string | null; outcome: string | null; policy_outcome?: string | null; labelled_type: string | null };

export type TypeRow = { type: string; tickets: number; autoReply: number; review: number; escalate: number; ignore: number; undecided: number; labelled: number; labelAgrees: number };

export function summarize(results: ReplayOutcome[]): { rows: TypeRow[]; total: TypeRow } {
  const rows = new Map<string, TypeRow>();
  const empty = (type: string): TypeRow => ({ type, tickets: 0, autoReply: 0, review: 0, escalate: 0, ignore: 0, undecided: 0, labelled: 0, labelAgrees: 0 });
  const total = empty('all');
  for (const result of results) {
    const type = result.request_type ?? '(none)';
    const outcome = result.policy_outcome ?? result.outcome;
    const row = rows.get(type) ?? empty(type);
    rows.set(type, row);
    for (const r of [row, total]) {
      r.tickets++;
      if (outcome === 'auto_reply') r.autoReply++;
      else if (outcome === 'review') r.review++;
      else if (outcome === 'escalate') r.escalate++;
      else if (outcome === 'ignore') r.ignore++;
      else r.undecided++;
      if (result.labelled_type) {
        r.labelled++;
        if (result.labelled_type === result.request_type) r.labelAgrees++;
      }
    }
  }
  return { rows: [...rows.values()].sort((a, b) => b.tickets - a.tickets || a.type.localeCompare(b.type)), total };
}

const pct = (n: number, d: number) => (d === 0 ? '–' : `${((100 * n) / d).toFixed(0)}%`);

export function formatSummary(summary: ReturnType<typeof summarize>): string {
  const header = ['request type', 'tickets', 'would auto-reply', 'review', 'escalate', 'ignore', 'label agrees'];
  const line = (r: TypeRow) => [r.type, String(r.tickets), `${r.autoReply} (${pct(r.autoReply, r.tickets)})`, String(r.review), String(r.escalate), String(r.ignore), r.labelled ? `${r.labelAgrees}/${r.labelled}` : '–'];
  const table = [header, ...summary.rows.map(line), line(summary.total)];
  const widths = header.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
  return table.map((row) => `${row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ')}`).join('\n');
}
