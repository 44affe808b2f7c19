// Entry points only (DESIGN §1).
import { app } from './app';
import { buildDeps } from './deps';
import { receiveEmail } from './ingest/email';
import type { QueueBody } from './queue-messages';
import { consume } from './queues';
import { sweep } from './scheduled';

export default {
  fetch: app.fetch,

  async email(message, env) {
    await receiveEmail(message, buildDeps(env));
  },

  async queue(batch, env) {
    await consume(batch, buildDeps(env));
  },

  async scheduled(_controller, env, ctx) {
    ctx.waitUntil(sweep(buildDeps(env)));
  },
} satisfies ExportedHandler<Env, QueueBody>;
