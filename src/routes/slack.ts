// Slack interactivity: every button click and modal submission arrives here as a
// signed form post (payload=<json>). The signature is checked on the raw body first.
import { Hono, type MiddlewareHandler } from 'hono';
import { SlackInteraction } from '../act/slack-interaction';
import type { AppEnvWith } from '../app-env';
import { AppError } from '../errors';
import { limitBody } from '../middleware/body';
import { handleSlackInteraction } from '../pipeline/slack-actions';
import { authError } from '../security/result';
import { verifySlackSignature } from '../security/slack';

type SlackEnv = AppEnvWith<{ slackBody: string }>;

/** Refuses any request Slack did not sign with SLACK_SIGNING_SECRET; an unset secret closes the route. */
function slackSignature(): MiddlewareHandler<SlackEnv> {
  return async (c, next) => {
    const { config, clock } = c.var.deps;
    // Raw bytes as sent: the signature covers them exactly (form bodies are ASCII after percent-encoding).
    const body = new TextDecoder().decode(await c.req.arrayBuffer());
    const verified = await verifySlackSignature({
      secret: config.secrets.SLACK_SIGNING_SECRET,
      timestamp: c.req.header('x-slack-request-timestamp'),
      signature: c.req.header('x-slack-signature'),
      body,
      nowSeconds: Math.floor(clock.now() / 1000),
    });
    if (!verified.ok) throw authError(verified);
    c.set('slackBody', body);
    await next();
  };
}

function parseInteraction(body: string): SlackInteraction {
  const payload = new URLSearchParams(body).get('payload');
  let json: unknown;
  try {
    json = payload === null ? null : JSON.parse(payload);
  } catch {
    json = null;
  }
  const parsed = SlackInteraction.safeParse(json);
  if (!parsed.success) throw new AppError('webhook_payload_invalid', 400, 'Expected a block_actions or view_submission payload');
  return parsed.data;
}

export const slack = new Hono<SlackEnv>();

slack.post('/slack/actions', limitBody('MAX_API_BODY_BYTES'), slackSignature(), async (c) => {
  const reply = await handleSlackInteraction(parseInteraction(c.get('slackBody')), c.var.deps);
  return reply ? c.json(reply) : c.body(null, 200);
});
