// Config is data: every threshold, model id, limit and topic list lives here with
// a default and the reason for it, overridable in wrangler.toml [vars]. A bad value
// is refused with the variable's name, at the first request that reads it.
import { z } from 'zod';
import { AppError } from './errors';

const number = (min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^-?\d+(\.\d+)?$/, 'expected a number')
    .transform(Number)
    .pipe(z.number().min(min).max(max));

const integer = (min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, 'expected a whole number')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));

const boolean = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.enum(['true', 'false', '1', '0', 'yes', 'no']))
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const list = z
  .string()
  .transform((v) =>
    v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  );

/** An unset secret and an empty one mean the same: not configured. */
const optionalSecret = z
  .string()
  .optional()
  .transform((v) => (v && v.trim() ? v.trim() : undefined));

export const SENSITIVE_TOPICS = [
  'billing_dispute',
  'refund',
  'legal',
  'security_incident',
  'data_deletion',
  'threat',
  'human_requested',
  'account_specific_billing',
] as const;
export type SensitiveTopic = (typeof SENSITIVE_TOPICS)[number];

const varsSchema = z.object({
  // Who we are: replies come from here, and mail from here is never answered (loops).
  SUPPORT_ADDRESS: z.string().trim().pipe(z.email()).default('support@deflect.local'),
  SUPPORT_NAME: z.string().trim().min(1).default('Support'),
  // 0.72: the calibrated score at which the sample corpus's eval reaches ≥ 0.95 auto-reply precision.
  AUTO_REPLY_THRESHOLD: number(0, 1).default(0.72),
  // Below this a draft is not worth a human's review time: escalate instead.
  REVIEW_THRESHOLD: number(0, 1).default(0.45),
  // Cheap model drafts every ticket; the strong one only sees the borderline band.
  MODEL_FAST: z.string().trim().min(1).default('claude-haiku-4-5'),
  MODEL_STRONG: z.string().trim().min(1).default('claude-sonnet-4-5'),
  STRONG_BAND_MIN: number(0, 1).default(0.5),
  STRONG_BAND_MAX: number(0, 1).default(0.85),
  // Output budget per model call; a reply longer than this is a truncated (schema_invalid) answer.
  MAX_OUTPUT_TOKENS: integer(256, 8192).default(1500),
  LLM_TIMEOUT_MS: integer(1000, 120_000).default(25_000),
  LLM_MAX_RETRIES: integer(0, 5).default(2),
  // Embeddings: changing either without re-uploading the corpus is detected (corpus version hash).
  EMBEDDING_MODEL: z.string().trim().min(1).default('@cf/baai/bge-base-en-v1.5'),
  EMBEDDING_DIMENSIONS: integer(8, 4096).default(768),
  // auto: hybrid when AI + VECTORIZE are bound and the active corpus is vectorized, else lexical.
  RETRIEVER: z.enum(['auto', 'lexical', 'hybrid']).default('auto'),
  // Vectorize returns at most 20 matches with metadata; 8 chunks fit the prompt comfortably.
  RETRIEVAL_TOP_K: integer(1, 20).default(8),
  // Reciprocal rank fusion constant; 60 is the value from Cormack et al. (2009).
  RRF_K: integer(1, 1000).default(60),
  // Chunker: ~350 tokens keeps one procedure per chunk; overlap keeps steps that straddle a cut.
  CHUNK_TARGET_TOKENS: integer(50, 2000).default(350),
  CHUNK_OVERLAP_TOKENS: integer(0, 500).default(50),
  // Auto-replies per sender per rolling day: beyond it a human looks (loops, abuse). 0 turns the cap off.
  SENDER_DAILY_CAP: integer(0, 10_000).default(5),
  // Refund requests up to this amount are not sensitive on their own; above it, escalate.
  REFUND_AUTO_LIMIT_USD: number(0, 1_000_000).default(0),
  SENSITIVE_TOPICS: list.pipe(z.array(z.enum(SENSITIVE_TOPICS))).default([...SENSITIVE_TOPICS]),
  // auto: reply() for Email Routing, else send_email if bound and verified, MailChannels if keyed, else log.
  MAILER: z.enum(['auto', 'log', 'send_email', 'mailchannels']).default('auto'),
  REPLY_FOOTER: z
    .string()
    .default('This answer was sent automatically from our help center. Reply to this email to reach a person.'),
  // Tell the customer a person will follow up when we escalate.
  CUSTOMER_ACK: boolean.default(false),
  // Inbound size limits (bytes): JSON API bodies and raw email.
  MAX_API_BODY_BYTES: integer(1024, 10_000_000).default(262_144),
  MAX_EMAIL_BYTES: integer(1024, 25_000_000).default(10_000_000),
  // Corpus uploads send one document (with its chunks) per request.
  MAX_ADMIN_BODY_BYTES: integer(1024, 50_000_000).default(4_000_000),
  // D1 caps a row at 2 MB; the raw message kept for audit is cut there.
  MAX_RAW_BYTES: integer(1024, 1_900_000).default(1_000_000),
  // Ticket text passed to retrieval and the model.
  MAX_TICKET_CHARS: integer(200, 100_000).default(20_000),
  // How long a pipeline run owns a ticket before the cron sweep may take it back.
  LEASE_SECONDS: integer(10, 3600).default(300),
  OUTBOUND_TIMEOUT_MS: integer(100, 60_000).default(10_000),
  PUBLIC_URL: z.string().trim().default(''),
  // Console: the threshold recommendation targets this auto-reply precision on reviewed drafts…
  RECOMMEND_TARGET_PRECISION: number(0.5, 1).default(0.95),
  // …and needs at least this many reviewed drafts at or above the threshold it recommends.
  RECOMMEND_MIN_DRAFTS: integer(1, 100_000).default(20),
  // Console sessions expire after this many hours; a new login is needed then.
  CONSOLE_SESSION_HOURS: integer(1, 720).default(12),
  // Cloudflare Access in front of /console: team name (or <team>.cloudflareaccess.com) and the app's AUD tag. Empty: token login only.
  ACCESS_TEAM_DOMAIN: z.string().trim().default(''),
  ACCESS_AUD: z.string().trim().default(''),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
});

const secretsSchema = z.object({
  API_TOKEN: optionalSecret,
  ADMIN_TOKEN: optionalSecret,
  ANTHROPIC_API_KEY: optionalSecret,
  ANTHROPIC_BASE_URL: optionalSecret,
  SLACK_WEBHOOK_URL: optionalSecret,
  SLACK_SIGNING_SECRET: optionalSecret,
  POSTMARK_WEBHOOK_TOKEN: optionalSecret,
  SENDGRID_BASIC_AUTH: optionalSecret,
  MAILGUN_SIGNING_KEY: optionalSecret,
  MAILCHANNELS_API_KEY: optionalSecret,
});

export type Vars = z.output<typeof varsSchema>;
export type Secrets = z.output<typeof secretsSchema>;
export type Config = Vars & { secrets: Secrets };

/** Parse the string env into a typed Config, or throw `config_invalid` naming every bad variable. */
export function parseConfig(env: Record<string, unknown>): Config {
  const strings = Object.fromEntries(Object.entries(env).filter(([, v]) => typeof v === 'string'));
  const vars = varsSchema.safeParse(strings);
  const secrets = secretsSchema.safeParse(strings);
  const issues = [...(vars.error?.issues ?? []), ...(secrets.error?.issues ?? [])];
  if (issues.length > 0 || !vars.success || !secrets.success) {
    const details = issues.map((i) => `${i.path.join('.')}: ${i.message} (got ${JSON.stringify(strings[String(i.path[0])])})`);
    throw new AppError('config_invalid', 500, `Invalid configuration: ${details.join('; ')}`);
  }
  const config: Config = { ...vars.data, secrets: secrets.data };
  if (config.REVIEW_THRESHOLD > config.AUTO_REPLY_THRESHOLD) {
    throw new AppError(
      'config_invalid',
      500,
      `Invalid configuration: REVIEW_THRESHOLD (${config.REVIEW_THRESHOLD}) must not exceed AUTO_REPLY_THRESHOLD (${config.AUTO_REPLY_THRESHOLD})`,
    );
  }
  return config;
}

const cache = new WeakMap<object, Config>();

/** The env object is stable per isolate, so parse once per env. */
export function configFrom(env: object): Config {
  let config = cache.get(env);
  if (!config) {
    config = parseConfig(env as Record<string, unknown>);
    cache.set(env, config);
  }
  return config;
}
