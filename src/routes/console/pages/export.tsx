export function ExportPage(props: { from: string; to: string }) {
  return (
    <>
      <h1>Export decisions</h1>
      <form class="filters" method="get" action="/console/export/decisions">
        <label>
          From (UTC day)
          <input type="date" name="from" value={props.from} required />
        </label>
        <label>
          To (inclusive)
          <input type="date" name="to" value={props.to} required />
        </label>
        <label>
          Format
          <select name="format">
            <option value="csv">CSV</option>
            <option value="json">JSON</option>
          </select>
        </label>
        <button type="submit">Download</button>
      </form>
      <p class="muted">One row per decision: ticket, outcome, reason codes, confidences, intent, corpus version, tokens, cost and the latest human verdict.</p>
    </>
  );
}
