// Composition root: the one place that knows which implementation of each port
// runs. Cloud services are used when configured; otherwise a named local one.
import type { Fetch } from './act/http';
import { LogMailer } from './act/log-mailer';
import { MailChannelsMailer } from './act/mailchannels-mailer';
import { SendEmailMailer } from './act/send-email-mailer';
import { SlackNotifier } from './act/slack-notifier';
import { UnconfiguredMailer } from './act/unconfigured-mailer';
import type { Mailer, Notifier } from './act/types';
import { configFrom, type Config } from './config';
import { AppError } from './errors';
import { logEvent } from './log';
import { database, type Database } from './db/client';
import { ClaudeResponder, claudeOptionsFrom } from './respond/claude';
import { OfflineResponder } from './respond/offline';
import type { Responder } from './respond/types';
import { declaredVectorBindings, usableVectorBindings, type VectorBindings } from './retrieval/bindings';
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
  /** Slack when SLACK_WEBHOOK_URL is set; null: escalations wait in the console only. */
  notifier: Notifier | null;
  /** Every outbound HTTP call (Slack, MailChannels) goes through this. */
  fetch: Fetch;
  queues: { tickets: Queue; outbox: Queue };
  clock: Clock;
  /** The embedder and vector store corpus uploads write to, once Vectorize answered; null: lexical only. */
  corpusVectors: () => Promise<VectorBindings | null>;
};

const systemClock: Clock = { now: () => Date.now() };

const responders = new WeakMap<Config, Responder>();

/**
 * Claude when a key is configured; otherwise the offline responder, named as such in /health.
 * One per config (itself one per env): the SDK client is built per isolate, not per request.
 */
function responderFor(config: Config): Responder {
  let responder = responders.get(config);
  if (!responder) {
    const apiKey = config.secrets.ANTHROPIC_API_KEY;
    responder = apiKey ? new ClaudeResponder(claudeOptionsFrom(config, apiKey)) : new OfflineResponder();
    responders.set(config, responder);
  }
  return responder;
}

export function buildDeps(env: Env, overrides: Partial<Deps> = {}): Deps {
  const config = configFrom(env);
  const db = database(env.DB);
  const fetcher = overrides.fetch ?? ((input, init) => fetch(input, init));
  return {
    config,
    db,
    retriever: chooseRetriever(env, config, db),
    responder: overrides.responder ?? responderFor(config),
    mailer: chooseMailer(env, config, fetcher),
    notifier: config.secrets.SLACK_WEBHOOK_URL ? new SlackNotifier(config.secrets.SLACK_WEBHOOK_URL, fetcher, config.OUTBOUND_TIMEOUT_MS) : null,
    fetch: fetcher,
    queues: { tickets: env.TICKETS, outbox: env.OUTBOX },
    clock: systemClock,
    corpusVectors: () => usableVectorBindings(env, config),
    ...overrides,
  };
}

function chooseMailer(env: Env, config: Config, fetcher: Fetch): Mailer {
  const domain = config.SUPPORT_ADDRESS.split('@')[1] ?? 'deflect.local';
  const mailchannels = () => {
    if (!config.secrets.MAILCHANNELS_API_KEY) throw new AppError('config_invalid', 500, 'MAILER=mailchannels needs the MAILCHANNELS_API_KEY secret');
    return new MailChannelsMailer(config.secrets.MAILCHANNELS_API_KEY, fetcher, config.OUTBOUND_TIMEOUT_MS);
  };
  switch (config.MAILER) {
    case 'log':
      return new LogMailer(domain);
    case 'send_email':
      return new SendEmailMailer(env.EMAIL, domain, config.OUTBOUND_TIMEOUT_MS);
    case 'mailchannels':
      return mailchannels();
    case 'auto':
      // Never a silent LogMailer in production: an unsent reply is a visible failure.
      return config.secrets.MAILCHANNELS_API_KEY ? mailchannels() : new UnconfiguredMailer();
  }
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
    log: (event) => logEvent('warn', 'retrieval_degraded', event),
  });
}

/** What /health reports: which implementation each port uses. */
export function describePorts(deps: Deps): Record<string, { implementation: string; mode: 'cloud' | 'local' | 'unconfigured' }> {
  return {
    retriever: { implementation: deps.retriever.name, mode: deps.retriever.name === 'hybrid' ? 'cloud' : 'local' },
    responder: { implementation: deps.responder.name, mode: deps.responder.name === 'claude' ? 'cloud' : 'local' },
    mailer: { implementation: deps.mailer.name, mode: deps.mailer.name === 'log' ? 'local' : deps.mailer.name === 'none' ? 'unconfigured' : 'cloud' },
    notifier: deps.notifier ? { implementation: deps.notifier.name, mode: 'cloud' } : { implementation: 'console', mode: 'local' },
  };
}
