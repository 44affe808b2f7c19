// Composition root: the one place that knows which implementation of each port
// runs. Cloud services are used when configured; otherwise a named local one.
import type { Mailer } from './act/types';
import { LogMailer } from './act/log-mailer';
import { configFrom, type Config } from './config';
import { database, type Database } from './db/client';
import { OfflineResponder } from './respond/offline';
import type { Responder } from './respond/types';
import { declaredVectorBindings } from './retrieval/bindings';
import { HybridRetriever } from './retrieval/hybrid';
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

export function buildDeps(env: Env, overrides: Partial<Deps> = {}): Deps {
  const config = configFrom(env);
  const db = database(env.DB);
  return {
    config,
    db,
    retriever: chooseRetriever(env, config, db),
    responder: new OfflineResponder(),
    mailer: new LogMailer(config.SUPPORT_ADDRESS.split('@')[1] ?? 'deflect.local'),
    queues: { tickets: env.TICKETS, outbox: env.OUTBOX },
    clock: systemClock,
    ...overrides,
  };
}

/**
 * Hybrid when asked for, or (auto) when AI + VECTORIZE are bound; it searches
 * vectors only if the active version was vectorized with the configured embedding
 * model, and answers lexically otherwise. Lexical alone is the local default.
 */
function chooseRetriever(env: Env, config: Config, db: Database): Retriever {
  const vectors = declaredVectorBindings(env, config);
  if (config.RETRIEVER === 'lexical' || (config.RETRIEVER === 'auto' && !vectors)) return new LexicalRetriever(db);
  return new HybridRetriever(db, {
    vectors,
    embedding: { model: config.EMBEDDING_MODEL, dimensions: config.EMBEDDING_DIMENSIONS },
    rrfK: config.RRF_K,
    mode: config.RETRIEVER,
    log: (event) => console.warn(JSON.stringify(event)),
  });
}

/** What /health reports: which implementation each port uses. */
export function describePorts(deps: Deps): Record<string, { implementation: string; mode: 'cloud' | 'local' }> {
  return {
    retriever: { implementation: deps.retriever.name, mode: deps.retriever.name === 'hybrid' ? 'cloud' : 'local' },
    responder: { implementation: deps.responder.name, mode: deps.responder.name === 'claude' ? 'cloud' : 'local' },
    mailer: { implementation: deps.mailer.name, mode: deps.mailer.name === 'log' ? 'local' : 'cloud' },
  };
}
