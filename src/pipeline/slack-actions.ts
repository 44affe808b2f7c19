// What a click in Slack does. Approve and Take over go through applyHumanAction
// (the same rows as the console); Edit opens a modal whose submission is an edit.
// Only the action that took effect updates the Slack message, once, through its
// response_url; a second click finds the ticket handled and changes nothing.
import type { z } from 'zod';
import { BlockActions, EditMetadata, SlackUser, ViewSubmission, type InteractionReply, type SlackInteraction } from '../act/slack-interaction';
import { actionOutcomeMessage, EDIT_VIEW, editReplyView, SLACK_ACTIONS, type ActionOutcome } from '../act/slack-message';
import { openSlackView } from '../act/slack-notifier';
import type { SlackUpdatePlan } from '../act/types';
import { findDecision } from '../db/decisions';
import { planDelivery } from '../db/deliveries';
import { findTicket } from '../db/tickets';
import type { Deps } from '../deps';
import { ConflictError, NotFoundError, PayloadInvalidError } from '../errors';
import { enqueueDelivery } from './deliver';
import { applyHumanAction, currentReplyText, type ActionResult, type Actor, type HumanAction } from './human-actions';
import { RequestType } from '../decide/request-types';
import { recordRequestTypeReview, recordReviewerVerdict } from './verdicts';

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
  if (!ticketId || !parsed.success) throw new PayloadInvalidError('The request-type selection names no ticket or no known type');
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
  if (created) await enqueueDelivery(delivery.id, deps);
}

async function openEditModal(ticketId: string, click: z.infer<typeof BlockActions>, deps: Deps): Promise<void> {
  const botToken = deps.config.secrets.SLACK_BOT_TOKEN;
  if (!botToken || !click.trigger_id) throw new ConflictError('Editing in Slack needs SLACK_BOT_TOKEN');
  const ticket = await findTicket(deps.db, ticketId);
  if (!ticket) throw new NotFoundError('No such ticket');
  const draft = (await currentReplyText(ticketId, deps)) ?? '';
  const metadata = JSON.stringify({ ticket_id: ticketId, response_url: click.response_url ?? null } satisfies z.infer<typeof EditMetadata>);
  await openSlackView(deps.fetch, botToken, click.trigger_id, editReplyView(ticket, draft, metadata), deps.config.OUTBOUND_TIMEOUT_MS);
}

async function handleEditSubmission(submission: z.infer<typeof ViewSubmission>, deps: Deps): Promise<InteractionReply> {
  if (submission.view.callback_id !== EDIT_VIEW.callbackId) return null;
  const metadata = EditMetadata.safeParse(safeJson(submission.view.private_metadata));
  if (!metadata.success) throw new PayloadInvalidError('The edit modal carries no ticket');
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
