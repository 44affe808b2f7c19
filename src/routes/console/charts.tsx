// Server-rendered SVG charts: no script, readable without colour (labels and tables beside them).
import type { DailyOutcomes } from '../../db/insight';
import { OUTCOMES } from '../../db/schema';
import type { ReliabilityBin } from '../../decide/recommend';

const OUTCOME_COLOURS: Record<string, string> = { auto_reply: '#2e9e5b', review: '#e0a800', escalate: '#d24a3a', ignore: '#9aa4b5' };

/** Calibrated confidence (x) against the share of drafts a person judged good (y): approved unchanged, "would send" in shadow, or right after sending; the diagonal is perfect calibration. */
export function ReliabilityDiagram(props: { bins: ReliabilityBin[]; threshold: number }) {
  const size = 300;
  const pad = 40;
  const x = (v: number) => pad + v * size;
  const y = (v: number) => pad + (1 - v) * size;
  const maxCount = Math.max(1, ...props.bins.map((b) => b.count));
  return (
    <svg id="reliability-diagram" role="img" aria-label="Reliability diagram" width={size + pad * 2} height={size + pad * 2} viewBox={`0 0 ${size + pad * 2} ${size + pad * 2}`}>
      <rect x={pad} y={pad} width={size} height={size} fill="#fff" stroke="#c5ccd8" />
      {[0, 0.25, 0.5, 0.75, 1].map((t) => (
        <>
          <line x1={x(t)} y1={y(0)} x2={x(t)} y2={y(1)} stroke="#eef1f6" />
          <line x1={x(0)} y1={y(t)} x2={x(1)} y2={y(t)} stroke="#eef1f6" />
          <text x={x(t)} y={y(0) + 16} text-anchor="middle">
            {t.toFixed(2)}
          </text>
          <text x={x(0) - 6} y={y(t) + 4} text-anchor="end">
            {t.toFixed(2)}
          </text>
        </>
      ))}
      <line x1={x(0)} y1={y(0)} x2={x(1)} y2={y(1)} stroke="#9aa4b5" stroke-dasharray="4 4" />
      <line x1={x(props.threshold)} y1={y(0)} x2={x(props.threshold)} y2={y(1)} stroke="#2457c5" stroke-dasharray="2 3" />
      <text x={x(props.threshold) + 4} y={y(1) + 12} fill="#2457c5">
        auto-reply threshold
      </text>
      {props.bins.map((bin) =>
        bin.count > 0 && bin.approvedRate !== null ? (
          <g>
            <rect
              class="bin"
              x={x(bin.lower) + 2}
              y={y(bin.approvedRate)}
              width={x(bin.upper) - x(bin.lower) - 4}
              height={y(0) - y(bin.approvedRate)}
              fill="#2457c5"
              fill-opacity={0.25 + 0.6 * (bin.count / maxCount)}
            >
              <title>{`${bin.lower.toFixed(1)}–${bin.upper.toFixed(1)}: ${bin.count} drafts, ${Math.round(bin.approvedRate * 100)}% judged good, mean confidence ${(bin.meanConfidence ?? 0).toFixed(2)}`}</title>
            </rect>
            <circle cx={x(bin.meanConfidence ?? 0)} cy={y(bin.approvedRate)} r={3.5} fill="#1f2430" />
            <text x={x((bin.lower + bin.upper) / 2)} y={y(bin.approvedRate) - 4} text-anchor="middle">
              {String(bin.count)}
            </text>
          </g>
        ) : null,
      )}
      <text x={pad + size / 2} y={size + pad * 2 - 4} text-anchor="middle">
        calibrated confidence
      </text>
      <text x={12} y={pad + size / 2} text-anchor="middle" transform={`rotate(-90 12 ${pad + size / 2})`}>
        judged good
      </text>
    </svg>
  );
}

/** Decisions per day, stacked by outcome. */
export function OutcomesChart(props: { days: string[]; rows: DailyOutcomes[] }) {
  const width = 720;
  const height = 180;
  const pad = 30;
  const byDay = new Map(props.days.map((d) => [d, new Map<string, number>()]));
  for (const row of props.rows) byDay.get(row.day)?.set(row.outcome, row.count);
  const max = Math.max(1, ...[...byDay.values()].map((m) => [...m.values()].reduce((a, b) => a + b, 0)));
  const step = (width - pad * 2) / Math.max(1, props.days.length);
  return (
    <svg id="outcomes-chart" role="img" aria-label="Outcomes per day" width={width} height={height + pad + 10} viewBox={`0 0 ${width} ${height + pad + 10}`}>
      <line x1={pad} y1={height} x2={width - pad} y2={height} stroke="#c5ccd8" />
      <text x={pad - 4} y={pad} text-anchor="end">
        {String(max)}
      </text>
      <text x={pad - 4} y={height} text-anchor="end">
        0
      </text>
      {props.days.map((day, i) => {
        let top = height;
        const counts = byDay.get(day)!;
        return (
          <g>
            {OUTCOMES.map((outcome) => {
              const n = counts.get(outcome) ?? 0;
              if (n === 0) return null;
              const h = (n / max) * (height - pad);
              top -= h;
              return (
                <rect x={pad + i * step + 1} y={top} width={Math.max(1, step - 2)} height={h} fill={OUTCOME_COLOURS[outcome]}>
                  <title>{`${day} ${outcome}: ${n}`}</title>
                </rect>
              );
            })}
            {i % Math.ceil(props.days.length / 8) === 0 ? (
              <text x={pad + i * step + step / 2} y={height + 14} text-anchor="middle">
                {day.slice(5)}
              </text>
            ) : null}
          </g>
        );
      })}
      {OUTCOMES.map((outcome, i) => (
        <>
          <rect x={pad + i * 110} y={height + 20} width={10} height={10} fill={OUTCOME_COLOURS[outcome]} />
          <text x={pad + i * 110 + 14} y={height + 29}>
            {outcome}
          </text>
        </>
      ))}
    </svg>
  );
}
