import type { CorpusVersionRow } from '../../../db/corpus';
import type { DeliveryRow } from '../../../db/deliveries';
import type { FailedDelivery } from '../../../db/insight';
import type { TicketRow } from '../../../db/tickets';
import { CsrfForm, Rows, age, isoTime } from '../layout';

const ticketLink = (id: string, subject: string) => <a href={`/console/tickets/${encodeURIComponent(id)}`}>{subject || id}</a>;

export function HealthPage(props: {
  failedDeliveries: FailedDelivery[];
  stuck: TicketRow[];
  stuckDeliveries: DeliveryRow[];
  failedTickets: TicketRow[];
  corpus: CorpusVersionRow[];
  csrf: string;
  now: number;
  notice?: string;
}) {
  return (
    <>
      <h1>Pipeline health</h1>
      {props.notice ? <div class="notice">{props.notice}</div> : null}
      <h2>Dead-lettered deliveries ({props.failedDeliveries.length})</h2>
      <table id="failed-deliveries">
        <thead>
          <tr>
            <th>Ticket</th>
            <th>Kind</th>
            <th class="num">Attempts</th>
            <th>Last error</th>
            <th>Since</th>
            <th></th>
          </tr>
        </thead>
        <tbody>
          <Rows items={props.failedDeliveries} columns={6} empty="None: every delivery was sent or is still being tried." row={(d) => (
            <tr>
              <td>{ticketLink(d.ticketId, d.subject)}</td>
              <td>{d.kind}</td>
              <td class="num">{d.attempts}</td>
              <td>{d.lastError ?? ''}</td>
              <td>{isoTime(d.updatedAt)}</td>
              <td>
                <CsrfForm action={`/console/deliveries/${encodeURIComponent(d.id)}/retry`} csrf={props.csrf}>
                  <button type="submit" class="secondary">
                    Retry
                  </button>
                </CsrfForm>
              </td>
            </tr>
          )} />
        </tbody>
      </table>

      <h2>Stuck deliveries ({props.stuckDeliveries.length})</h2>
      <p class="muted">Queued with no progress, or sending past the stale window; the cron sweep sends them again (a crashed send may go out at most once more).</p>
      <table id="stuck-deliveries">
        <tbody>
          <Rows items={props.stuckDeliveries} columns={5} empty="None." row={(d) => (
            <tr>
              <td>{ticketLink(d.ticketId, d.ticketId)}</td>
              <td>{`${d.kind} ${d.status}`}</td>
              <td class="num">{`${d.attempts} attempts`}</td>
              <td>{`stuck for ${age(d.updatedAt, props.now)}`}</td>
              <td>{d.lastError ?? ''}</td>
            </tr>
          )} />
        </tbody>
      </table>

      <h2>Stuck tickets ({props.stuck.length})</h2>
      <p class="muted">Waiting or processing past their lease; the cron sweep re-enqueues them.</p>
      <table id="stuck">
        <tbody>
          <Rows items={props.stuck} columns={5} empty="None." row={(t) => (
            <tr>
              <td>{ticketLink(t.id, t.subject)}</td>
              <td>{t.status}</td>
              <td class="num">{`${t.attempts} attempts`}</td>
              <td>{`updated ${age(t.updatedAt, props.now)} ago`}</td>
              <td>{t.lastError ?? ''}</td>
            </tr>
          )} />
        </tbody>
      </table>

      <h2>Failed tickets ({props.failedTickets.length})</h2>
      <table id="failed-tickets">
        <tbody>
          <Rows items={props.failedTickets} columns={3} empty="None." row={(t) => (
            <tr>
              <td>{ticketLink(t.id, t.subject)}</td>
              <td>{t.lastError ?? ''}</td>
              <td>{isoTime(t.updatedAt)}</td>
            </tr>
          )} />
        </tbody>
      </table>

      <h2>Corpus versions</h2>
      <table id="corpus">
        <thead>
          <tr>
            <th>Version</th>
            <th>Status</th>
            <th class="num">Docs</th>
            <th class="num">Chunks</th>
            <th>Embedding</th>
            <th>Created</th>
            <th>Activated</th>
          </tr>
        </thead>
        <tbody>
          {props.corpus.map((v) => (
            <tr>
              <td>
                {v.version} {v.active ? <span class="badge o-auto_reply">active</span> : null}
              </td>
              <td>{v.status}</td>
              <td class="num">{v.docCount}</td>
              <td class="num">{v.chunkCount}</td>
              <td>{v.vectorized ? `${v.embeddingModel} (${v.dimensions})` : 'lexical only'}</td>
              <td>{isoTime(v.createdAt)}</td>
              <td>{v.activatedAt ? isoTime(v.activatedAt) : ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
