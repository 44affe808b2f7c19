import type { QueueRow } from '../../../db/insight';
import { OUTCOMES } from '../../../db/schema';
import { DecisionRequestType } from '../../../decide/request-types';
import { OutcomeBadge, Reasons, Rows, age, fixed } from '../layout';

export type QueueQuery = { outcome?: string; reason?: string; request_type?: string; from?: string; to?: string };

export function QueuePage(props: { rows: QueueRow[]; query: QueueQuery; reasons: string[]; now: number; limit: number }) {
  const { query } = props;
  return (
    <>
      <h1>Queue</h1>
      <form class="filters" method="get" action="/console">
        <label>
          Outcome
          <select name="outcome">
            <option value="">any</option>
            {OUTCOMES.map((o) => (
              <option value={o} selected={query.outcome === o}>
                {o}
              </option>
            ))}
          </select>
        </label>
        <label>
          Reason
          <select name="reason">
            <option value="">any</option>
            {props.reasons.map((r) => (
              <option value={r} selected={query.reason === r}>
                {r}
              </option>
            ))}
          </select>
        </label>
        <label>
          Request type
          <select name="request_type">
            <option value="">any</option>
            {DecisionRequestType.options.map((t) => (
              <option value={t} selected={query.request_type === t}>
                {t}
              </option>
            ))}
          </select>
        </label>
        <label>
          Received from
          <input type="date" name="from" value={query.from ?? ''} />
        </label>
        <label>
          to
          <input type="date" name="to" value={query.to ?? ''} />
        </label>
        <button type="submit">Filter</button>
        <a href="/console">clear</a>
      </form>
      <p class="muted">
        Waiting for a person first (review, then escalate), newest first. {props.rows.length === props.limit ? `Showing the first ${props.limit}.` : `${props.rows.length} tickets.`}
      </p>
      <table id="queue">
        <thead>
          <tr>
            <th>Outcome</th>
            <th>Subject</th>
            <th>From</th>
            <th>Reasons</th>
            <th class="num">Confidence</th>
            <th class="num">Age</th>
            <th>Human</th>
          </tr>
        </thead>
        <tbody>
          <Rows items={props.rows} columns={7} empty="No tickets match these filters." row={(row) => (
            <tr>
              <td>
                <OutcomeBadge outcome={row.outcome} />
              </td>
              <td>
                <a href={`/console/tickets/${encodeURIComponent(row.ticketId)}`}>{row.subject || '(no subject)'}</a>
              </td>
              <td>{row.fromAddress}</td>
              <td>
                <Reasons reasons={row.reasons} />
              </td>
              <td class="num">{fixed(row.confidence)}</td>
              <td class="num">{age(row.receivedAt, props.now)}</td>
              <td>{row.verdict ?? (row.owner ? `owned by ${row.owner}` : row.outcome === 'review' || row.outcome === 'escalate' ? 'waiting' : '')}</td>
            </tr>
          )} />
        </tbody>
      </table>
    </>
  );
}
