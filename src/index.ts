// Entry points only: each builds the deps once and hands over to the pipeline (pipeline.ts).
import { app } from './app';
import { buildDeps } from './deps';
import type { QueueBody } from './queue-messages';
import { consume } from './queues';
import { receiveEmail } from './pipeline';
import { sweep } from './pipeline/sweep';

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
