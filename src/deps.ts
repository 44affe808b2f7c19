// Composition root: the one place that knows which implementation of each port
// runs. Cloud services are used when configured; otherwise a named local one.
import type { Mailer } from './act/types';
import { LogMailer } from './act/log-mailer';
import { configFrom, type Config } from './config';
import { database, type Database } from './db/client';
import { ClaudeResponder, claudeOptionsFrom } from './respond/claude';
import { OfflineResponder } from './respond/offline';
import type { Responder } from './respond/types';
import { LexicalRetriever } from './retrieval/lexical';
import type { Retriever } from './retrieval/types';

export type Clock = { now(): number };

export type Deps = {
  config: Config;
  db: Database;
  retriever: Retriever;
  responder: Responder;
  mailer: Mailer;
  queues: { tickets: Queue; outbox: Queue };
  clock: Clock;
};

export const systemClock: Clock = { now: () => Date.now() };

/** Claude when a key is configured; otherwise the offline responder, named as such in /health. */
function responderFor(config: Config): Responder {
  const apiKey = config.secrets.ANTHROPIC_API_KEY;
  return apiKey ? new ClaudeResponder(claudeOptionsFrom(config, apiKey)) : new OfflineResponder();
}

export function buildDeps(env: Env, overrides: Partial<Deps> = {}): Deps {
  const config = configFrom(env);
  const db = database(env.DB);
  return {
    config,
    db,
    retriever: new LexicalRetriever(db),
    responder: overrides.responder ?? responderFor(config),
    mailer: new LogMailer(config.SUPPORT_ADDRESS.split('@')[1] ?? 'deflect.local'),
    queues: { tickets: env.TICKETS, outbox: env.OUTBOX },
    clock: systemClock,
    ...overrides,
  };
}

/** What /health reports: which implementation each port uses. */
export function describePorts(deps: Deps): Record<string, { implementation: string; mode: 'cloud' | 'local' }> {
  return {
    retriever: { implementation: deps.retriever.name, mode: deps.retriever.name === 'hybrid' ? 'cloud' : 'local' },
    responder: { implementation: deps.responder.name, mode: deps.responder.name === 'claude' ? 'cloud' : 'local' },
    mailer: { implementation: deps.mailer.name, mode: deps.mailer.name === 'log' ? 'local' : 'cloud' },
  };
}
