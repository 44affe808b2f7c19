import type { DecisionRow } from '../../../db/decisions';
import type { DeliveryRow } from '../../../db/deliveries';
import type { FeedbackRow } from '../../../db/feedback';
import type { ReplayRow } from '../../../db/replays';
import type { TicketRow } from '../../../db/tickets';
import { CsrfForm, OutcomeBadge, Reasons, fixed, isoTime } from '../layout';
import { ticketState, type ConsoleAction } from '../ticket-state';
import { verdictsFor } from '../../../rollout/verdicts';
import { VerdictPanel } from './verdicts';

const NOTICES: Record<string, string> = {
  applied: 'Done.',
  verdict_recorded: 'Verdict recorded. Nothing was sent.',
  type_confirmed: 'Request type confirmed: kept as a training example.',
  type_corrected: 'Request type corrected: kept as a training example.',
  already_handled: 'Nothing changed: an earlier action (here or in Slack) already handled this ticket.',
};

/** Only http(s) links from the corpus become anchors; anything else is shown as text. */
const safeUrl = (url: string | null) => (url && /^https?:\/\//i.test(url) ? url : null);

export function TicketPage(props: {
  ticket: TicketRow;
  decision: DecisionRow | undefined;
  deliveries: DeliveryRow[];
  feedback: FeedbackRow[];
  hasRaw: boolean;
  /** A ticket replayed from the team's history: the reply a person actually sent. */
  replay?: ReplayRow;
  csrf: string;
  notice?: string;
}) {
  const { ticket, decision, csrf } = props;
  const action = `/console/tickets/${encodeURIComponent(ticket.id)}/actions`;
  const cited = new Set(decision?.docSources ?? []);
  const state = ticketState({ ticket, decision, deliveries: props.deliveries, feedback: props.feedback });
  // Nothing is ever sent for a replayed ticket: no button that would send.
  const can = (a: ConsoleAction) => !props.replay && state.actions.includes(a);
  return (
    <>
      <p>
        <a href="/console" id="back">
          ← Queue
        </a>
      </p>
      {props.notice && NOTICES[props.notice] ? <div class="notice" id="notice">{NOTICES[props.notice]}</div> : null}
      <h1>{ticket.subject || '(no subject)'}</h1>
      <div class="grid">
        <div class="card">
          <dl class="kv">
            <dt>From</dt>
            <dd>{ticket.fromName ? `${ticket.fromName} <${ticket.fromAddress}>` : ticket.fromAddress}</dd>
            <dt>Received</dt>
            <dd>{`${isoTime(ticket.receivedAt)} via ${ticket.source}`}</dd>
            <dt>Status</dt>
            <dd>{ticket.status}{ticket.owner ? ` · owned by ${ticket.owner}` : ''}{ticket.lastError ? ` · ${ticket.lastError}` : ''}</dd>
            <dt>Message-ID</dt>
            <dd>{ticket.messageId}</dd>
            <dt>Raw message</dt>
            <dd>{props.hasRaw ? <a href={`/console/tickets/${encodeURIComponent(ticket.id)}/raw`}>view as text</a> : 'not kept'}</dd>
          </dl>
        </div>
        <div class="card">
          {decision ? (
            <dl class="kv">
              <dt>Outcome</dt>
              <dd>
                <OutcomeBadge outcome={decision.outcome} />
              </dd>
              <dt>Reasons</dt>
              <dd>
                <Reasons reasons={decision.reasons} />
              </dd>
              <dt>Mode</dt>
              <dd id="mode">{`${decision.mode ?? 'auto'}${decision.policyOutcome && decision.policyOutcome !== decision.outcome ? ` · would have been ${decision.policyOutcome}` : ''}`}</dd>
              <dt>Request type</dt>
              <dd>{decision.requestType ?? '–'}</dd>
              <dt>Confidence</dt>
              <dd>{`${fixed(decision.confidence)} calibrated · ${fixed(decision.modelConfidence)} model · thresholds auto ${decision.thresholds.autoReply} / review ${decision.thresholds.review}`}</dd>
              <dt>Intent</dt>
              <dd>{decision.intent ?? '–'}</dd>
              <dt>Retrieval</dt>
              <dd>{`${decision.retriever ?? '–'} · corpus ${decision.corpusVersion ?? '–'}`}</dd>
              <dt>Responder</dt>
              <dd>{`${decision.responder ?? '–'} · ${decision.tokensIn} tokens in / ${decision.tokensOut} out · $${decision.costUsd.toFixed(4)}`}</dd>
              <dt>Decided</dt>
              <dd>{isoTime(decision.decidedAt)}</dd>
            </dl>
          ) : (
            <p class="muted">Not decided yet.</p>
          )}
        </div>
      </div>

      <h2>Ticket text</h2>
      <pre id="ticket-text">{ticket.bodyText}</pre>

      {decision ? (
        <>
          {props.replay ? (
            <>
              <p class="notice" id="replay-notice">
                {`Replayed from the team's history (${props.replay.historyId}${props.replay.labelledType ? `, labelled ${props.replay.labelledType}` : ''}): deflect decided and drafted it, and sent nothing to anyone.`}
              </p>
              <div class="grid">
                <div>
                  <h2>deflect's draft (not sent)</h2>
                  <pre id="draft">{decision.suggestedReply || '(no draft)'}</pre>
                </div>
                <div>
                  <h2>What a person replied</h2>
                  <pre id="human-reply">{props.replay.humanReply}</pre>
                </div>
              </div>
            </>
          ) : (
            <>
              <h2>Draft</h2>
              <pre id="draft">{decision.suggestedReply || '(no draft)'}</pre>
            </>
          )}
          {state.sent ? (
            <>
              <h2>Sent reply</h2>
              <p class="muted" id="sent-by">{state.sent.by}</p>
              <pre id="sent-reply">{state.sent.text}</pre>
            </>
          ) : null}
          <p class="notice" id="state" data-state={state.kind}>
            {state.message}
          </p>
          <div class="actions">
            {can('approve') ? (
              <CsrfForm action={action} csrf={csrf}>
                <input type="hidden" name="action" value="approve" />
                <button type="submit" id="approve" data-key="a">
                  Approve &amp; send
                </button>
              </CsrfForm>
            ) : null}
            {can('reject') ? (
              <CsrfForm action={action} csrf={csrf}>
                <input type="hidden" name="action" value="reject" />
                <button type="submit" class="danger" id="reject">
                  Reject
                </button>
              </CsrfForm>
            ) : null}
            {can('take_over') ? (
              <CsrfForm action={action} csrf={csrf}>
                <input type="hidden" name="action" value="take_over" />
                <button type="submit" class="secondary" id="take-over" data-key="t">
                  Take over
                </button>
              </CsrfForm>
            ) : null}
          </div>
          <VerdictPanel
            ticketId={ticket.id}
            decision={decision}
            verdicts={verdictsFor(decision, props.deliveries.some((d) => d.kind === 'email_reply' && d.status === 'sent'))}
            csrf={csrf}
          />
          {can('edit') ? (
            <details id="edit">
              <summary data-key="e">Edit &amp; send</summary>
              <CsrfForm action={action} csrf={csrf}>
                <input type="hidden" name="action" value="edit" />
                <textarea name="text" required>
                  {decision.suggestedReply ?? ''}
                </textarea>
                <div class="actions">
                  <button type="submit">Send edited reply</button>
                </div>
              </CsrfForm>
            </details>
          ) : null}

          <h2>Retrieved chunks</h2>
          <table id="retrieved">
            <thead>
              <tr>
                <th class="num">#</th>
                <th>Chunk</th>
                <th class="num">Fused score</th>
                <th class="num">Lexical rank</th>
                <th class="num">Lexical score</th>
                <th class="num">Vector rank</th>
                <th class="num">Vector score</th>
                <th>Cited</th>
              </tr>
            </thead>
            <tbody>
              {decision.retrieved.map((chunk, i) => (
                <tr>
                  <td class="num">{String(i + 1)}</td>
                  <td>
                    {safeUrl(chunk.url) ? <a href={safeUrl(chunk.url)!}>{chunk.title}</a> : chunk.title}
                    <div class="muted">{chunk.chunkId}</div>
                  </td>
                  <td class="num">{fixed(chunk.score, 3)}</td>
                  <td class="num">{chunk.lexicalRank ?? '–'}</td>
                  <td class="num">{fixed(chunk.lexicalScore, 3)}</td>
                  <td class="num">{chunk.vectorRank ?? '–'}</td>
                  <td class="num">{fixed(chunk.vectorScore, 3)}</td>
                  <td>{cited.has(chunk.chunkId) ? 'yes' : ''}</td>
                </tr>
              ))}
            </tbody>
          </table>

          <div class="grid">
            <div>
              <h2>Model calls</h2>
              <table>
                <thead>
                  <tr>
                    <th>Model</th>
                    <th>Role</th>
                    <th class="num">In</th>
                    <th class="num">Out</th>
                    <th class="num">Cache read</th>
                    <th class="num">Cost</th>
                    <th class="num">ms</th>
                    <th>Outcome</th>
                  </tr>
                </thead>
                <tbody>
                  {decision.modelCalls.map((call) => (
                    <tr>
                      <td>{call.model}</td>
                      <td>{call.role}</td>
                      <td class="num">{call.inputTokens}</td>
                      <td class="num">{call.outputTokens}</td>
                      <td class="num">{call.cacheReadTokens}</td>
                      <td class="num">{`$${call.costUsd.toFixed(4)}`}</td>
                      <td class="num">{call.latencyMs}</td>
                      <td>{call.outcome}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <div>
              <h2>Latency by stage</h2>
              <table id="latency">
                <tbody>
                  {Object.entries(decision.latencyMs).map(([stage, ms]) => (
                    <tr>
                      <td>{stage}</td>
                      <td class="num">{`${ms} ms`}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </div>
        </>
      ) : null}

      <div class="grid">
        <div>
          <h2>Human actions</h2>
          <table id="feedback">
            <tbody>
              {state.kind === 'replied' && state.sent?.by.startsWith('sent automatically') ? (
                <tr>
                  <td>auto-replied</td>
                  <td>deflect</td>
                  <td>{decision ? isoTime(decision.decidedAt) : ''}</td>
                </tr>
              ) : null}
              {props.feedback.length === 0 && state.kind !== 'replied' ? (
                <tr>
                  <td class="muted">none yet</td>
                </tr>
              ) : (
                props.feedback.map((f) => (
                  <tr>
                    <td>{f.verdict}</td>
                    <td>{`${f.actor} via ${f.channel}`}</td>
                    <td>{isoTime(f.createdAt)}</td>
                  </tr>
                ))
              )}
            </tbody>
          </table>
        </div>
        <div>
          <h2>Deliveries</h2>
          <table id="deliveries">
            <tbody>
              {props.deliveries.length === 0 ? (
                <tr>
                  <td class="muted">none</td>
                </tr>
              ) : (
                props.deliveries.map((d) => (
                  <tr>
                    <td>{d.kind}</td>
                    <td class="delivery-status">{d.status}</td>
                    <td class="num">{`${d.attempts} attempts`}</td>
                    <td>{d.lastError ?? ''}</td>
                  </tr>
                ))
              )}
            </tbody>
          </table>
        </div>
      </div>
    </>
  );
}
