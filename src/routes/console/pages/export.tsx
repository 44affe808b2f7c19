/** The UTC days an export covers, `to` included. */
function DateRange(props: { from: string; to: string }) {
  return (
    <>
      <label>
        From (UTC day)
        <input type="date" name="from" value={props.from} required />
      </label>
      <label>
        To (inclusive)
        <input type="date" name="to" value={props.to} required />
      </label>
    </>
  );
}

export function ExportPage(props: { from: string; to: string }) {
  return (
    <>
      <h1>Export decisions</h1>
      <form class="filters" method="get" action="/console/export/decisions">
        <DateRange from={props.from} to={props.to} />
        <label>
          Format
          <select name="format">
            <option value="csv">CSV</option>
            <option value="json">JSON</option>
          </select>
        </label>
        <button type="submit">Download</button>
      </form>
      <p class="muted">One row per decision: ticket, outcome, reason codes, confidences, intent, request type, corpus version, tokens, cost and the latest human verdict.</p>
      <h2>Reviewed request types</h2>
      <form class="filters" method="get" action="/console/export/training">
        <DateRange from={props.from} to={props.to} />
        <button type="submit">Download JSONL</button>
      </form>
      <p class="muted">
        Each ticket whose request type a reviewer confirmed or corrected (its latest review), as <code>{'{ticket_id, subject, text, request_type}'}</code> a line: retrain the
        classifier on them with <code>npm run train -- --feedback deflect-reviewed-types-….jsonl</code>.
      </p>
    </>
  );
}
