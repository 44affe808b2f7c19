// The Block Kit a reviewer sees: pure functions of the stored ticket and decision,
// so the escalation, its update and the edit modal always agree. Customer text is
// escaped (&, <, >) so a subject can never become a link or an @channel.
import type { DecisionRow } from '../db/decisions';
import type { TicketRow } from '../db/tickets';
import { escapeMarkup } from '../security/encoding';
import { REQUEST_TYPES } from '../decide/request-types';
import type { SlackMessage } from './types';

/** action_id of each button; the button's value is the ticket id. */
export const SLACK_ACTIONS = {
  approve: 'deflect_approve',
  edit: 'deflect_edit',
  takeOver: 'deflect_take_over',
  // Verdicts that send nothing (shadow), and the request type a reviewer confirms or corrects (issue 16, issue 14 item 5).
  wouldSend: 'deflect_would_send',
  wouldNotSend: 'deflect_would_not_send',
  requestType: 'deflect_request_type',
} as const;
export const EDIT_VIEW = { callbackId: 'deflect_edit_reply', blockId: 'reply', actionId: 'text' } as const;

// Block Kit limits: header text 150 chars, section text 3000, plain_text_input 3000.
const SECTION_MAX = 3000;
const truncate = (text: string, max: number) => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);
/** Slack mrkdwn reads only these three entities (docs.slack.dev "Formatting text"). */
const escapeMrkdwn = escapeMarkup;
/** A header-borne value (subject, display name) on one line: a CR/LF in it cannot add lines to a field. */
const oneLine = (text: string) => text.replace(/\s+/g, ' ').trim();
const quote = (text: string) =>
  text
    .split('\n')
    .map((line) => `>${escapeMrkdwn(line)}`)
    .join('\n');

export type ActionOutcome = { verdict: 'approved' | 'edited' | 'taken_over'; slackUserId: string };

function citedTitles(decision: DecisionRow): string[] {
  const titles = decision.docSources.map((id) => decision.retrieved.find((chunk) => chunk.chunkId === id)?.title ?? id);
  return [...new Set(titles)];
}

/** The person-needed types together, when they are a real part of the reading (what escalates at 0.25 or holds a how_to at 0.2). */
const personShare = (decision: DecisionRow): string =>
  (decision.classifierPersonProbability ?? 0) >= 0.1 ? `, person-needed ${decision.classifierPersonProbability!.toFixed(2)}` : '';

/** The routed type, and both opinions when the classifier and Claude disagree. */
function requestTypeLine(decision: DecisionRow): string {
  const routed = `\`${escapeMrkdwn(decision.requestType ?? 'unknown')}\``;
  const classifier = decision.classifierType
    ? `classifier ${escapeMrkdwn(decision.classifierType)} ${(decision.classifierProbability ?? 0).toFixed(2)}${personShare(decision)}`
    : null;
  const claude = decision.claudeType ? `Claude ${escapeMrkdwn(decision.claudeType)}` : null;
  const opinions = [classifier, claude].filter(Boolean).join(', ');
  return opinions ? `${routed} (${opinions})` : routed;
}

function summaryBlocks(ticket: TicketRow, decision: DecisionRow): unknown[] {
  const sender = oneLine(ticket.fromName ? `${ticket.fromName} <${ticket.fromAddress}>` : ticket.fromAddress);
  const subject = oneLine(ticket.subject) || '(no subject)';
  const confidence = decision.confidence === null ? 'none' : decision.confidence.toFixed(2);
  const cited = citedTitles(decision);
  const draft = decision.suggestedReply?.trim();
  return [
    { type: 'header', text: { type: 'plain_text', text: truncate(`${decision.outcome === 'review' ? 'Review' : 'Escalated'}: ${subject}`, 150) } },
    {
      type: 'section',
      fields: [
        // Customer-written: plain text, so nothing in it is read as a link, a mention or formatting.
        { type: 'plain_text', text: `From: ${truncate(sender, 500)}`, emoji: false },
        { type: 'mrkdwn', text: `*Intent*\n${escapeMrkdwn(decision.intent ?? 'unknown')}` },
        { type: 'mrkdwn', text: `*Outcome*\n\`${decision.outcome}\` ${decision.reasons.map((r) => `\`${escapeMrkdwn(r)}\``).join(' ')}` },
        { type: 'mrkdwn', text: `*Confidence*\n${confidence} (auto-reply at ${decision.thresholds.autoReply.toFixed(2)})` },
        { type: 'mrkdwn', text: `*Request type*\n${requestTypeLine(decision)}` },
      ],
    },
    { type: 'section', text: { type: 'mrkdwn', text: truncate(`*Customer wrote*\n${quote(truncate(ticket.bodyText, 1200))}`, SECTION_MAX) } },
    { type: 'context', elements: [{ type: 'mrkdwn', text: cited.length > 0 ? `Cited: ${cited.map(escapeMrkdwn).join(' · ')}` : 'Cited: no documents' }] },
    { type: 'section', text: { type: 'mrkdwn', text: draft ? truncate(`*Draft reply*\n${quote(draft)}`, SECTION_MAX) : '*Draft reply*\nNo draft: write the answer yourself.' } },
  ];
}

/** The escalation posted to the channel, with buttons for what a reviewer can do. */
export function escalationMessage(ticket: TicketRow, decision: DecisionRow, options: { editable: boolean }): SlackMessage {
  const hasDraft = Boolean(decision.suggestedReply?.trim());
  const button = (actionId: string, text: string, style?: 'primary' | 'danger') => ({
    type: 'button',
    action_id: actionId,
    text: { type: 'plain_text', text },
    value: ticket.id,
    ...(style ? { style } : {}),
  });
  // Shadow sends nothing: the reviewer says whether they would have sent the draft.
  const buttons =
    decision.mode === 'shadow'
      ? hasDraft
        ? [button(SLACK_ACTIONS.wouldSend, 'Would send', 'primary'), button(SLACK_ACTIONS.wouldNotSend, 'Would not send', 'danger')]
        : []
      : [
          ...(hasDraft ? [button(SLACK_ACTIONS.approve, 'Approve & send', 'primary')] : []),
          ...(hasDraft && options.editable ? [button(SLACK_ACTIONS.edit, 'Edit')] : []),
          button(SLACK_ACTIONS.takeOver, 'Take over'),
        ];
  return {
    text: `${decision.outcome === 'review' ? 'Review' : 'Escalated'}: ${escapeMrkdwn(oneLine(ticket.subject) || '(no subject)')} from ${escapeMrkdwn(ticket.fromAddress)}`,
    blocks: [
      ...summaryBlocks(ticket, decision),
      ...(buttons.length ? [{ type: 'actions', block_id: 'deflect_actions', elements: buttons }] : []),
      requestTypeBlock(ticket, decision),
    ],
  };
}

/** A select of the request types; an option's value is `<ticket id>:<type>` (a select has no value of its own). */
function requestTypeBlock(ticket: TicketRow, decision: DecisionRow) {
  const option = (type: string) => ({ text: { type: 'plain_text', text: type }, value: `${ticket.id}:${type}` });
  const routed = REQUEST_TYPES.find((t) => t === decision.requestType);
  return {
    type: 'actions',
    block_id: 'deflect_type',
    elements: [
      {
        type: 'static_select',
        action_id: SLACK_ACTIONS.requestType,
        placeholder: { type: 'plain_text', text: 'Confirm or correct the request type' },
        options: REQUEST_TYPES.map(option),
        ...(routed ? { initial_option: option(routed) } : {}),
      },
    ],
  };
}

const DONE: Record<ActionOutcome['verdict'], string> = {
  approved: ':white_check_mark: Draft approved and sent by',
  edited: ':pencil2: Edited reply sent by',
  taken_over: ':raising_hand: Taken over by',
};

/** The same message without buttons, saying who did what (sent through response_url). */
export function actionOutcomeMessage(ticket: TicketRow, decision: DecisionRow, outcome: ActionOutcome): SlackMessage {
  const line = `${DONE[outcome.verdict]} <@${outcome.slackUserId}>`;
  return {
    replace_original: true,
    text: `${line}: ${escapeMrkdwn(oneLine(ticket.subject) || '(no subject)')}`,
    blocks: [...summaryBlocks(ticket, decision), { type: 'context', elements: [{ type: 'mrkdwn', text: line }] }],
  };
}

/** The Edit modal: the draft in a text box; private_metadata carries what the submission needs. */
export function editReplyView(ticket: TicketRow, draft: string, privateMetadata: string): Record<string, unknown> {
  return {
    type: 'modal',
    callback_id: EDIT_VIEW.callbackId,
    private_metadata: privateMetadata,
    title: { type: 'plain_text', text: 'Edit reply' },
    submit: { type: 'plain_text', text: 'Send reply' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      {
        type: 'input',
        block_id: EDIT_VIEW.blockId,
        label: { type: 'plain_text', text: truncate(`Reply to ${oneLine(ticket.fromName ?? ticket.fromAddress)}`, 150) },
        element: { type: 'plain_text_input', action_id: EDIT_VIEW.actionId, multiline: true, max_length: 3000, initial_value: truncate(draft, 3000) },
      },
    ],
  };
}
