// What Slack posts when a person clicks or submits: the payloads, as schemas.
// pipeline/slack-actions.ts does what they ask.
import { z } from 'zod';

/**
 * Slack's response_url always points at hooks.slack.com (api.slack.com, "Handling
 * user interaction"). Anything else in a signed payload is refused: the Worker
 * would otherwise POST a ticket summary wherever it says (127.0.0.1, a metadata IP).
 */
const SlackResponseUrl = z.string().refine((value) => {
  // Not every string is a URL: an unparsable one is a validation error (400), never a 500.
  if (!URL.canParse(value)) return false;
  const url = new URL(value);
  return url.protocol === 'https:' && url.hostname === 'hooks.slack.com' && url.port === '' && url.username === '' && url.password === '';
}, 'response_url must be https://hooks.slack.com/…');

export const SlackUser = z.object({ id: z.string().min(1), username: z.string().optional(), name: z.string().optional() });

export const BlockActions = z.object({
  type: z.literal('block_actions'),
  user: SlackUser,
  trigger_id: z.string().optional(),
  response_url: SlackResponseUrl.optional(),
  actions: z.array(z.object({ action_id: z.string(), value: z.string().optional(), selected_option: z.object({ value: z.string() }).optional() })).min(1),
});

export const EditMetadata = z.object({ ticket_id: z.string().min(1), response_url: SlackResponseUrl.nullable() });

export const ViewSubmission = z.object({
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
