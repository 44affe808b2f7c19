// What a click in Slack does. Approve and Take over go through applyHumanAction
// (the same rows as the console); Edit opens a modal whose submission is an edit.
// Only the action that took effect updates the Slack message, once, through its
// response_url; a second click finds the ticket handled and changes nothing.
import { z } from 'zod';
import { findDecision } from '../db/decisions';
import { planDelivery } from '../db/deliveries';
import { findTicket } from '../db/tickets';
import type { Deps } from '../deps';
import { AppError } from '../errors';
import { applyHumanAction, replyTextFor, type ActionResult, type Actor, type HumanAction } from './actions';
import type { SlackUpdatePlan } from './outbox';
import type { OutboxMessage } from './plan';
import { actionOutcomeMessage, EDIT_VIEW, editReplyView, SLACK_ACTIONS, type ActionOutcome } from './slack-message';
import { openSlackView } from './slack-notifier';
import { RequestType } from '../decide/request-types';
import { recordRequestTypeReview, recordReviewerVerdict } from '../rollout/verdicts';

/**
 * Slack's response_url always points at hooks.slack.com (api.slack.com, "Handling
 * user interaction"). Anything else in a signed payload is refused: the Worker
 * would otherwise POST a ticket summary wherever it says (127.0.0.1, a metadata IP).
 */
export const SlackResponseUrl = z.string().refine((value) => {
  // Not every string is a URL: an unparsable one is a validation error (400), never a 500.
  if (!URL.canParse(value)) return false;
  const url = new URL(value);
  return url.protocol === 'https:' && url.hostname === 'hooks.slack.com' && url.port === '' && url.username === '' && url.password === '';
}, 'response_url must be https://hooks.slack.com/…');

const SlackUser = z.object({ id: z.string().min(1), username: z.string().optional(), name: z.string().optional() });

const BlockActions = z.object({
  type: z.literal('block_actions'),
  user: SlackUser,
  trigger_id: z.string().optional(),
  response_url: SlackResponseUrl.optional(),
  actions: z.array(z.object({ action_id: z.string(), value: z.string().optional(), selected_option: z.object({ value: z.string() }).optional() })).min(1),
});

const EditMetadata = z.object({ ticket_id: z.string().min(1), response_url: SlackResponseUrl.nullable() });

const ViewSubmission = z.object({
  type: z.literal('view_submission'),
  user: SlackUser,
  view: z.object({
    callback_id: z.string(),
    private_metadata: z.string(),
    state: z.object({ values: z.record(z.string(), z.record(z.string(), z.object({ value: z.string().nullable().optional() }))) }),
  }),
});

export const SlackInteraction = z.discriminatedUnion('type', [BlockActions, ViewSubmission]);
export type SlackInteraction = z.infer<typeof SlackInteraction>;

/** The JSON to answer Slack with, or null for an empty 200 (Slack's "received"). */
export type InteractionReply = Record<string, unknown> | null;

const actorOf = (user: z.infer<typeof SlackUser>): Actor => ({ name: user.username ?? user.name ?? user.id, channel: 'slack' });

export async function handleSlackInteraction(interaction: SlackInteraction, deps: Deps): Promise<InteractionReply> {
  return interaction.type === 'block_actions' ? handleClick(interaction, deps) : handleEditSubmission(interaction, deps);
}

async function handleClick(click: z.infer<typeof BlockActions>, deps: Deps): Promise<InteractionReply> {
  const [action] = click.actions;
  if (action!.action_id === SLACK_ACTIONS.requestType) return reviewRequestType(action!.selected_option?.value, click, deps);
  const ticketId = action!.value;
  if (!ticketId) return null;
  switch (action!.action_id) {
    case SLACK_ACTIONS.wouldSend:
      await recordReviewerVerdict(ticketId, 'would_send', actorOf(click.user), deps);
      return null;
    case SLACK_ACTIONS.wouldNotSend:
      await recordReviewerVerdict(ticketId, 'would_not_send', actorOf(click.user), deps);
      return null;
    case SLACK_ACTIONS.approve:
      await act(ticketId, { kind: 'approve' }, 'approved', click, deps);
      return null;
    case SLACK_ACTIONS.takeOver:
      await act(ticketId, { kind: 'take_over' }, 'taken_over', click, deps);
      return null;
    case SLACK_ACTIONS.edit:
      await openEditModal(ticketId, click, deps);
      return null;
    default:
      return null;
  }
}

/** The select's value is `<ticket id>:<type>`; anything else in a signed payload is refused. */
async function reviewRequestType(value: string | undefined, click: z.infer<typeof BlockActions>, deps: Deps): Promise<InteractionReply> {
  const [ticketId, type] = (value ?? '').split(':');
  const parsed = RequestType.safeParse(type);
  if (!ticketId || !parsed.success) throw new AppError('webhook_payload_invalid', 400, 'The request-type selection names no ticket or no known type');
  await recordRequestTypeReview(ticketId, parsed.data, actorOf(click.user), deps);
  return null;
}

async function act(
  ticketId: string,
  action: HumanAction,
  verdict: ActionOutcome['verdict'],
  interaction: { user: z.infer<typeof SlackUser>; response_url?: string | null },
  deps: Deps,
): Promise<ActionResult['status']> {
  const result = await applyHumanAction(ticketId, action, actorOf(interaction.user), deps);
  if (result.status === 'applied' && interaction.response_url) {
    await planSlackUpdate(ticketId, interaction.response_url, { verdict, slackUserId: interaction.user.id }, deps);
  }
  return result.status;
}

/** The update is fixed when the person acts, so a retried delivery posts exactly this. */
async function planSlackUpdate(ticketId: string, responseUrl: string, outcome: ActionOutcome, deps: Deps): Promise<void> {
  const [ticket, decision] = await Promise.all([findTicket(deps.db, ticketId), findDecision(deps.db, ticketId)]);
  if (!ticket || !decision) return;
  const plan: SlackUpdatePlan = { response_url: responseUrl, message: actionOutcomeMessage(ticket, decision, outcome) };
  const { delivery, created } = await planDelivery(deps.db, ticketId, 'slack_update', deps.clock.now(), 'slack', JSON.stringify(plan));
  if (created) await deps.queues.outbox.send({ deliveryId: delivery.id } satisfies OutboxMessage);
}

async function openEditModal(ticketId: string, click: z.infer<typeof BlockActions>, deps: Deps): Promise<void> {
  const botToken = deps.config.secrets.SLACK_BOT_TOKEN;
  if (!botToken || !click.trigger_id) throw new AppError('conflict', 409, 'Editing in Slack needs SLACK_BOT_TOKEN');
  const ticket = await findTicket(deps.db, ticketId);
  if (!ticket) throw new AppError('not_found', 404, 'No such ticket');
  const draft = (await replyTextFor(ticketId, deps)) ?? '';
  const metadata = JSON.stringify({ ticket_id: ticketId, response_url: click.response_url ?? null } satisfies z.infer<typeof EditMetadata>);
  await openSlackView(deps.fetch, botToken, click.trigger_id, editReplyView(ticket, draft, metadata), deps.config.OUTBOUND_TIMEOUT_MS);
}

async function handleEditSubmission(submission: z.infer<typeof ViewSubmission>, deps: Deps): Promise<InteractionReply> {
  if (submission.view.callback_id !== EDIT_VIEW.callbackId) return null;
  const metadata = EditMetadata.safeParse(safeJson(submission.view.private_metadata));
  if (!metadata.success) throw new AppError('webhook_payload_invalid', 400, 'The edit modal carries no ticket');
  const text = submission.view.state.values[EDIT_VIEW.blockId]?.[EDIT_VIEW.actionId]?.value?.trim() ?? '';
  // Slack shows these next to the field and keeps the modal open.
  if (!text) return { response_action: 'errors', errors: { [EDIT_VIEW.blockId]: 'Write a reply before sending.' } };
  const status = await act(metadata.data.ticket_id, { kind: 'edit', text }, 'edited', { user: submission.user, response_url: metadata.data.response_url }, deps);
  // Someone answered while the modal was open: say so rather than drop the text silently.
  if (status === 'already_handled') return { response_action: 'errors', errors: { [EDIT_VIEW.blockId]: 'This ticket was already answered; your text was not sent.' } };
  return null;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
