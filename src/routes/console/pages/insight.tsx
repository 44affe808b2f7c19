import type { CalibrationRow } from '../../../db/calibrations';
import type { DailyOutcomes, KbGap } from '../../../db/insight';
import type { CalibrationParams } from '../../../decide/calibration';
import type { ReliabilityBin, ThresholdRecommendation } from '../../../decide/recommend';
import { OutcomesChart, ReliabilityDiagram } from '../charts';
import { CsrfForm, Rows, fixed, isoTime, percent } from '../layout';

const REFIT_NOTICES = {
  accepted: 'Refit accepted: the new calibration is in force.',
  refused: 'Refit refused: it did worse on held-out verdicts than the calibration in force, which stays. See the table below.',
  too_few_samples: 'Not enough reviewed drafts with recorded evidence to refit yet.',
} as const;

const REFUSAL_REASONS: Record<string, string> = { held_out_precision_lower: 'lower held-out precision at the auto-reply threshold' };

function heldOutSummary(row: CalibrationRow): string {
  const h = row.heldOut;
  if (!h) return '';
  return `${percent(h.current_precision ?? null, 1)} → ${percent(h.candidate_precision ?? null, 1)} (${h.current_replied ?? 0} → ${h.candidate_replied ?? 0} of ${h.held_out ?? 0} held-out drafts ≥ ${h.threshold})`;
}

export function InsightPage(props: {
  days: string[];
  outcomes: DailyOutcomes[];
  bins: ReliabilityBin[];
  ece: number | null;
  recommendation: ThresholdRecommendation;
  precisionTable: { threshold: number; count: number; precision: number | null }[];
  currentThreshold: number;
  gaps: KbGap[];
  calibration: CalibrationParams;
  refits: CalibrationRow[];
  refitNotice: keyof typeof REFIT_NOTICES | null;
  csrf: string;
}) {
  const totals = new Map<string, number>();
  for (const row of props.outcomes) totals.set(row.outcome, (totals.get(row.outcome) ?? 0) + row.count);
  const answered = [...totals.entries()].filter(([o]) => o !== 'ignore').reduce((n, [, c]) => n + c, 0);
  const automation = answered ? (totals.get('auto_reply') ?? 0) / answered : null;
  const rec = props.recommendation;
  return (
    <>
      <h1>Insight</h1>
      <form class="filters" method="get" action="/console/insight">
        <label>
          Last
          <select name="days">
            {[7, 30, 90].map((d) => (
              <option value={String(d)} selected={props.days.length === d}>{`${d} days`}</option>
            ))}
          </select>
        </label>
        <button type="submit">Show</button>
      </form>
      <div class="grid">
        <div class="card">
          <div class="muted">Automation rate</div>
          <div class="big" id="automation-rate">{percent(automation)}</div>
          <div class="muted">{`${totals.get('auto_reply') ?? 0} auto-replies of ${answered} tickets (ignored mail excluded)`}</div>
        </div>
        <div class="card">
          <div class="muted">Expected calibration error</div>
          <div class="big" id="ece">{fixed(props.ece, 3)}</div>
          <div class="muted">{`over ${rec.reviewed} reviewed drafts; 0 is perfect`}</div>
        </div>
        <div class="card" id="recommendation">
          <div class="muted">{`Recommended auto-reply threshold (precision ≥ ${rec.target})`}</div>
          <div class="big">{rec.threshold === null ? 'not enough evidence' : fixed(rec.threshold)}</div>
          <div class="muted">
            {rec.threshold === null
              ? `No threshold's precision is at least ${percent(rec.target)} at its 95% lower bound on ${rec.minCount} or more reviewed drafts yet (${rec.reviewed} reviewed; ${rec.fewestNeeded === null ? 'no number of drafts proves that target' : `with none wrong that takes ${rec.fewestNeeded} drafts at or above it`}).${
                  rec.closest ? ` Closest: ${fixed(rec.closest.threshold)}, ${rec.closest.count - Math.round(rec.closest.precision * rec.closest.count)} of ${rec.closest.count} drafts not good, lower bound ${percent(rec.closest.lowerBound, 1)}.` : ''
                } Current AUTO_REPLY_THRESHOLD: ${props.currentThreshold}.`
              : `${percent(rec.precision, 1)} of the ${rec.count} reviewed drafts at or above it were judged good (95% lower bound ${percent(rec.lowerBound, 1)}). Current AUTO_REPLY_THRESHOLD: ${props.currentThreshold}.`}
          </div>
        </div>
      </div>

      <h2>Outcomes per day</h2>
      <div class="card">
        <OutcomesChart days={props.days} rows={props.outcomes} />
      </div>

      <div class="grid">
        <div>
          <h2>Reliability diagram</h2>
          <div class="card">
            <ReliabilityDiagram bins={props.bins} threshold={props.currentThreshold} />
            <p class="muted">
              Bars: share of reviewed drafts in each confidence bin that a person judged good: approved unchanged, "would send" in shadow, or marked right after it was sent (edits, rejections, "would not send" and "wrong" count against). Dots: the
              bin's mean confidence. Numbers: drafts per bin. On the dashed diagonal, confidence means what it says.
            </p>
          </div>
        </div>
        <div>
          <h2>Precision by threshold</h2>
          <table id="precision-table">
            <thead>
              <tr>
                <th class="num">Threshold</th>
                <th class="num">Reviewed drafts ≥</th>
                <th class="num">Approved unchanged</th>
              </tr>
            </thead>
            <tbody>
              {props.precisionTable.map((row) => (
                <tr>
                  <td class="num">{row.threshold.toFixed(2)}</td>
                  <td class="num">{row.count}</td>
                  <td class="num">{percent(row.precision, 1)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </div>

      <h2>Calibration</h2>
      {props.refitNotice ? <p class="notice" id="refit-notice">{REFIT_NOTICES[props.refitNotice]}</p> : null}
      <div class="card" id="calibration">
        <p>
          {`In force: ${props.calibration.version}. Reviewers' verdicts refit it daily (cron) or now; a refit is judged on verdicts it was not fitted on and refused if its precision at the auto-reply threshold (${props.currentThreshold}) is lower.`}
        </p>
        <CsrfForm action="/console/insight/refit" csrf={props.csrf}>
          <button type="submit">Refit from verdicts now</button>
        </CsrfForm>
      </div>
      <table id="refits">
        <thead>
          <tr>
            <th>Fitted</th>
            <th>Version</th>
            <th>Status</th>
            <th class="num">Verdicts</th>
            <th>Held-out precision: in force → refit</th>
          </tr>
        </thead>
        <tbody>
          <Rows items={props.refits} columns={5} empty="No refit yet: the shipped model is in force." row={(row) => (
            <tr>
              <td>{isoTime(row.fittedAt)}</td>
              <td>{`refit-${row.id}`}</td>
              <td>{row.status === 'refused' ? `refused: ${REFUSAL_REASONS[row.reason ?? ''] ?? row.reason}` : 'accepted'}</td>
              <td class="num">{row.sampleSize}</td>
              <td>{heldOutSummary(row)}</td>
            </tr>
          )} />
        </tbody>
      </table>

      <h2>Knowledge-base gaps</h2>
      <p class="muted">Intents most often escalated with weak retrieval (nothing retrieved, nothing cited, or too little evidence for a draft): the docs to write next.</p>
      <table id="kb-gaps">
        <thead>
          <tr>
            <th>Intent</th>
            <th class="num">Escalations</th>
            <th>Example</th>
            <th>Last seen</th>
          </tr>
        </thead>
        <tbody>
          <Rows items={props.gaps} columns={4} empty="No escalations with weak retrieval in this period." row={(gap) => (
            <tr>
              <td>{gap.intent}</td>
              <td class="num">{gap.count}</td>
              <td>
                <a href={`/console/tickets/${encodeURIComponent(gap.exampleTicketId)}`}>{gap.exampleSubject || gap.exampleTicketId}</a>
              </td>
              <td>{isoTime(gap.lastSeen)}</td>
            </tr>
          )} />
        </tbody>
      </table>
    </>
  );
}
