// The rollout pages (issue 16): modes per address and request type with the audit
// of every change, and the shadow report with its one-click recommendations.
import type { KbGap } from '../../../db/insight';
import type { ModeChangeRow, ModeRuleRow } from '../../../db/modes';
import { ROLLOUT_MODES, type RolloutMode } from '../../../db/schema';
import { DecisionRequestType, needsPerson } from '../../../decide/request-types';
import { ANY } from '../../../rollout/modes';
import type { Precision, TypeReport } from '../../../rollout/report';
import { CsrfForm, Rows, fixed, isoDay, isoTime, percent } from '../layout';

const scope = (value: string) => (value === ANY ? 'any' : value);

export function ModesPage(props: {
  rules: ModeRuleRow[];
  changes: ModeChangeRow[];
  defaultMode: RolloutMode;
  effective: { requestType: string; mode: RolloutMode }[];
  csrf: string;
  notice?: string;
}) {
  return (
    <>
      <h1>Modes</h1>
      {props.notice ? <div class="notice" id="notice">{props.notice}</div> : null}
      <p class="muted">
        off: decide nothing, a person has it · shadow: decide and draft, send nothing to the customer · review: drafts wait for one click · auto: the threshold decides.
        The most specific rule wins: address and type, then type, then address, then the default (<code id="default-mode">{props.defaultMode}</code>, the <code>DEFAULT_MODE</code> variable: wrangler.toml, or <code>.dev.vars</code> when run locally).
        Person-needed types never run in auto.
      </p>
      <h2>Set a mode</h2>
      <CsrfForm action="/console/modes" csrf={props.csrf} class="filters">
        <label>
          Support address
          <input name="address" type="email" placeholder="any address" />
        </label>
        <label>
          Request type
          <select name="request_type">
            <option value={ANY}>any type</option>
            {DecisionRequestType.options.map((t) => (
              <option value={t}>{needsPerson(t) ? `${t} (needs a person)` : t}</option>
            ))}
          </select>
        </label>
        <label>
          Mode
          <select name="mode">
            {ROLLOUT_MODES.map((m) => (
              <option value={m}>{m}</option>
            ))}
            <option value="default">clear (use the next rule)</option>
          </select>
        </label>
        <button type="submit" id="set-mode">
          Set
        </button>
      </CsrfForm>
      <div class="grid">
        <div>
          <h2>Rules</h2>
          <table id="mode-rules">
            <thead>
              <tr>
                <th>Address</th>
                <th>Request type</th>
                <th>Mode</th>
                <th>Set by</th>
              </tr>
            </thead>
            <tbody>
              <Rows
                items={props.rules}
                columns={4}
                empty="No rules: every ticket runs in the default mode."
                row={(r) => (
                  <tr>
                    <td>{scope(r.address)}</td>
                    <td>{scope(r.requestType)}</td>
                    <td class="mode">{r.mode}</td>
                    <td>{`${r.updatedBy}, ${isoTime(r.updatedAt)}`}</td>
                  </tr>
                )}
              />
            </tbody>
          </table>
        </div>
        <div>
          <h2>In force for the support address</h2>
          <table id="effective-modes">
            <tbody>
              {props.effective.map((e) => (
                <tr>
                  <td>{e.requestType}</td>
                  <td class="mode">{e.mode}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </div>
      <h2>Changes</h2>
      <table id="mode-changes">
        <thead>
          <tr>
            <th>When</th>
            <th>Who</th>
            <th>Address</th>
            <th>Request type</th>
            <th>From → to</th>
          </tr>
        </thead>
        <tbody>
          <Rows
            items={props.changes}
            columns={5}
            empty="No mode changed yet."
            row={(c) => (
              <tr>
                <td>{isoTime(c.changedAt)}</td>
                <td>{c.actor}</td>
                <td>{scope(c.address)}</td>
                <td>{scope(c.requestType)}</td>
                <td>{`${c.fromMode ?? 'default'} → ${c.toMode ?? 'default'}`}</td>
              </tr>
            )}
          />
        </tbody>
      </table>
    </>
  );
}

const interval = (p: Precision) => (p.verdicts ? `${percent(p.interval.lower, 1)}–${percent(p.interval.upper, 1)}` : '–');
const verdictCount = (p: Precision) => `${p.good} of ${p.verdicts}`;

function TypeRow(props: { row: TypeReport; csrf: string; from: string; to: string }) {
  const { row } = props;
  return (
    <tr data-type={row.requestType} class={row.recommendation === 'review' ? 'flagged' : undefined}>
      <td>{row.requestType}</td>
      <td class="mode">
        {row.mode}
        {row.modeAt.length ? <span class="muted">{` · ${row.modeAt.map((m) => `${m.mode} at ${m.address}`).join(', ')}`}</span> : null}
      </td>
      <td class="num">{row.tickets}</td>
      <td class="num">{`${percent(row.wouldBeAutomation)} (${row.wouldAutoReply})`}</td>
      <td class="num">{verdictCount(row.drafts)}</td>
      <td class="num precision">{percent(row.drafts.precision, 1)}</td>
      <td class="num">{interval(row.drafts)}</td>
      <td class="num">{fixed(row.medianConfidence)}</td>
      <td class="num live">{row.live.verdicts ? `${percent(row.live.precision, 1)} (${verdictCount(row.live)}; ${interval(row.live)})` : '–'}</td>
      <td>
        {row.recommendation ? (
          <CsrfForm action="/console/report/apply" csrf={props.csrf}>
            <input type="hidden" name="request_type" value={row.requestType} />
            <input type="hidden" name="mode" value={row.recommendation} />
            <input type="hidden" name="from" value={props.from} />
            <input type="hidden" name="to" value={props.to} />
            <button type="submit" class={row.recommendation === 'review' ? 'danger' : undefined} id={`apply-${row.requestType}`}>
              {row.recommendation === 'auto' ? 'Recommended: switch to auto' : 'Degrading: back to review'}
            </button>
          </CsrfForm>
        ) : null}
      </td>
    </tr>
  );
}

export function ReportPage(props: {
  from: string;
  to: string;
  overall: TypeReport | (Omit<TypeReport, 'mode' | 'recommendation'> & { mode: null; recommendation: null });
  perType: TypeReport[];
  gaps: KbGap[];
  targetPrecision: number;
  minVerdicts: number;
  csrf: string;
  notice?: string;
}) {
  const o = props.overall;
  return (
    <>
      <h1>Shadow report</h1>
      {props.notice ? <div class="notice" id="notice">{props.notice}</div> : null}
      <form class="filters" method="get" action="/console/report">
        <label>
          From
          <input type="date" name="from" value={props.from} />
        </label>
        <label>
          To
          <input type="date" name="to" value={props.to} />
        </label>
        <button type="submit">Show</button>
      </form>
      <div class="grid">
        <div class="card">
          <div class="muted">Would-be automation</div>
          <div class="big" id="overall-automation">{percent(o.wouldBeAutomation)}</div>
          <div class="muted">{`${o.wouldAutoReply} of the ${o.tickets - o.ignored} tickets not ignored would have been answered on their own (${o.ignored} ignored)`}</div>
        </div>
        <div class="card">
          <div class="muted">Precision of would-be auto-replies</div>
          <div class="big" id="overall-precision">{percent(o.drafts.precision, 1)}</div>
          <div class="muted">{`${verdictCount(o.drafts)} verdicts "would send"; Wilson 95% ${interval(o.drafts)}`}</div>
        </div>
      </div>
      <p class="muted">
        {`A type is recommended for auto when the lower bound of its Wilson 95% interval reaches ${percent(props.targetPrecision, 0)} (RECOMMEND_TARGET_PRECISION) on at least ${props.minVerdicts} verdicts (RECOMMEND_MIN_DRAFTS). A type on auto is flagged when its live replies' upper bound is below the target.`}
      </p>
      <table id="report">
        <thead>
          <tr>
            <th>Request type</th>
            <th>Mode</th>
            <th class="num">Tickets</th>
            <th class="num">Would auto-reply</th>
            <th class="num">Would send</th>
            <th class="num">Precision</th>
            <th class="num">Wilson 95%</th>
            <th class="num">Median confidence</th>
            <th class="num">Live precision</th>
            <th>Next step</th>
          </tr>
        </thead>
        <tbody>
          <Rows items={props.perType} columns={10} empty="No decisions in this period." row={(row) => <TypeRow row={row} csrf={props.csrf} from={props.from} to={props.to} />} />
        </tbody>
      </table>
      <h2>Knowledge-base gaps</h2>
      <table id="kb-gaps">
        <tbody>
          <Rows
            items={props.gaps}
            columns={3}
            empty="No escalations for want of a document in this period."
            row={(g) => (
              <tr>
                <td>{g.intent}</td>
                <td class="num">{g.count}</td>
                <td>
                  <a href={`/console/tickets/${encodeURIComponent(g.exampleTicketId)}`}>{g.exampleSubject || '(no subject)'}</a>
                  <span class="muted">{` last ${isoDay(g.lastSeen)}`}</span>
                </td>
              </tr>
            )}
          />
        </tbody>
      </table>
    </>
  );
}
