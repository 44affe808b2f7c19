// On the ticket page: verdicts that send nothing (would send / would not send on an
// unsent draft, right / wrong on a sent reply) and the request type a reviewer
// confirms or corrects.
import type { DecisionRow } from '../../../db/decisions';
import { REQUEST_TYPES } from '../../../decide/request-types';
import type { ReviewerVerdict } from '../../../rollout/verdicts';
import { CsrfForm } from '../layout';

const LABELS: Record<ReviewerVerdict, string> = { would_send: 'Would send', would_not_send: 'Would not send', right: 'Reply was right', wrong: 'Reply was wrong' };

export function VerdictPanel(props: { ticketId: string; decision: DecisionRow; verdicts: readonly ReviewerVerdict[]; csrf: string }) {
  const base = `/console/tickets/${encodeURIComponent(props.ticketId)}`;
  return (
    <div class="actions" id="verdicts">
      {props.verdicts.map((v) => (
        <CsrfForm action={`${base}/verdict`} csrf={props.csrf}>
          <input type="hidden" name="verdict" value={v} />
          <button type="submit" class={v === 'wrong' || v === 'would_not_send' ? 'danger' : 'secondary'} id={`verdict-${v}`}>
            {LABELS[v]}
          </button>
        </CsrfForm>
      ))}
      <CsrfForm action={`${base}/request-type`} csrf={props.csrf}>
        <label>
          Request type{' '}
          <select name="request_type" id="request-type">
            {REQUEST_TYPES.map((t) => (
              <option value={t} selected={props.decision.requestType === t}>
                {t}
              </option>
            ))}
          </select>
        </label>{' '}
        <button type="submit" class="secondary" id="confirm-type">
          Confirm type
        </button>
      </CsrfForm>
    </div>
  );
}
