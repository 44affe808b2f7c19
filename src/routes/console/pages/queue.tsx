import type { QueueRow, QueueView } from '../../../db/queue';
import { OUTCOMES } from '../../../db/schema';
import { DecisionRequestType } from '../../../decide/request-types';
import { CsrfForm, OutcomeBadge, Reasons, Rows, age, fixed } from '../layout';

export type QueueQuery = {
  view: QueueView;
  outcome?: string;
  reason?: string;
  request_type?: string;
  from?: string;
  to?: string;
  q?: string;
  owner?: 'mine' | 'unassigned';
  limit?: string;
};

const BULK_NOTICE = /^(\d+) applied, (\d+) already handled(?:, (\d+) in shadow)?$/;

/** The queue's URL with some parameters changed (a tab, the next page), the rest kept. */
function queueHref(query: QueueQuery, change: Record<string, string | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries({ ...query, ...change })) if (value) params.set(key, value);
  const text = params.toString();
  return text ? `/console?${text}` : '/console';
}

const TABS: { label: string; change: Partial<Record<'view' | 'owner', string | undefined>> }[] = [
  { label: 'Waiting for a person', change: { view: 'waiting', owner: undefined } },
  { label: 'Mine', change: { view: 'all', owner: 'mine' } },
  { label: 'Unassigned', change: { view: 'waiting', owner: 'unassigned' } },
  { label: 'All', change: { view: 'all', owner: undefined } },
];

/** Only a draft nobody has acted on can be approved, rejected or taken over in bulk. */
const selectable = (row: QueueRow) => row.outcome === 'review' && !row.verdict && !row.owner;

export function QueuePage(props: { rows: QueueRow[]; query: QueueQuery; reasons: string[]; now: number; nextCursor: string | null; csrf: string; notice?: string }) {
  const { query } = props;
  const activeTab = TABS.find((t) => (t.change.view ?? 'all') === query.view && t.change.owner === query.owner)?.label;
  const bulk = props.notice ? BULK_NOTICE.exec(props.notice) : null;
  return (
    <>
      <h1>Queue</h1>
      {bulk ? (
        <div class="notice" id="notice">
          {`${bulk[1]} done; ${bulk[2]} had already been handled (here or in Slack).`}
          {bulk[3] ? ` ${bulk[3]} ran in shadow, so nothing was sent for them: record "Would send" on their pages instead.` : null}
        </div>
      ) : null}
      <nav class="tabs">
        {TABS.map((tab) => (
          <a href={queueHref({ ...query, q: query.q }, { ...tab.change, cursor: undefined })} class={tab.label === activeTab ? 'active' : undefined}>
            {tab.label}
          </a>
        ))}
      </nav>
      <form class="filters" method="get" action="/console">
        <input type="hidden" name="view" value={query.view} />
        {query.owner ? <input type="hidden" name="owner" value={query.owner} /> : null}
        {query.limit ? <input type="hidden" name="limit" value={query.limit} /> : null}
        <label>
          Search <span class="muted">(press <kbd>/</kbd>)</span>
          <input type="search" id="search" name="q" value={query.q ?? ''} placeholder="subject, sender, text, ticket id, Message-ID" size={36} />
        </label>
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
        <a href={queueHref({ view: query.view, owner: query.owner }, {})}>clear</a>
      </form>
      <p class="muted">
        {query.view === 'waiting'
          ? 'Tickets no person has acted on yet: drafts to review first, then escalations; newest first.'
          : 'Every ticket: drafts to review first, then escalations, then the rest; newest first.'}{' '}
        <kbd>j</kbd>/<kbd>k</kbd> move, <kbd>Enter</kbd> opens, <kbd>x</kbd> selects.
      </p>
      <CsrfForm action="/console/bulk" csrf={props.csrf}>
        <input type="hidden" name="back" value={queueHref(query, {})} />
        <div class="bulk">
          <span class="muted">Selected drafts:</span>
          <button type="submit" name="action" value="approve" id="bulk-approve">
            Approve &amp; send
          </button>
          <button type="submit" name="action" value="reject" class="danger" id="bulk-reject">
            Reject
          </button>
          <button type="submit" name="action" value="take_over" class="secondary" id="bulk-take-over">
            Take over
          </button>
        </div>
        <table id="queue">
          <thead>
            <tr>
              <th></th>
              <th>Outcome</th>
              <th>Ticket</th>
              <th class="hide-narrow">From</th>
              <th class="hide-narrow">Reasons</th>
              <th class="num hide-narrow">Confidence</th>
              <th class="num">Age</th>
              <th>Person</th>
            </tr>
          </thead>
          <tbody>
            <Rows items={props.rows} columns={8} empty="No tickets match these filters." row={(row) => {
              const href = `/console/tickets/${encodeURIComponent(row.ticketId)}`;
              return (
                <tr data-href={href}>
                  <td>{selectable(row) ? <input type="checkbox" name="ticket" value={row.ticketId} aria-label="select" /> : null}</td>
                  <td>
                    <OutcomeBadge outcome={row.outcome} />
                  </td>
                  <td>
                    <a href={href}>{row.subject || '(no subject)'}</a>
                    <div class="preview">{row.preview}</div>
                  </td>
                  <td class="hide-narrow">{row.fromAddress}</td>
                  <td class="hide-narrow">
                    <Reasons reasons={row.reasons} />
                  </td>
                  <td class="num hide-narrow">{fixed(row.confidence)}</td>
                  <td class="num">{age(row.receivedAt, props.now)}</td>
                  <td>{row.owner ? `owned by ${row.owner}` : (row.verdict ?? (row.outcome === 'review' || row.outcome === 'escalate' ? 'waiting' : ''))}</td>
                </tr>
              );
            }} />
          </tbody>
        </table>
      </CsrfForm>
      <div class="pager">
        <a href={queueHref(query, {})}>First page</a>
        {props.nextCursor ? (
          <a href={queueHref(query, { cursor: props.nextCursor })} id="next-page" rel="next">
            Next page →
          </a>
        ) : (
          <span class="muted">End of the list.</span>
        )}
      </div>
    </>
  );
}
