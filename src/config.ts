// Config is data: every threshold, model id, limit and topic list lives here with
// a default and the reason for it, overridable in wrangler.toml [vars]. A bad value
// is refused with the variable's name, at the first request that reads it.
import { z } from 'zod';
import { CalibrationParams, DEFAULT_CALIBRATION } from './decide/calibration';
import { SHIPPED_THRESHOLDS } from './decide/confidence-model';
import { DEFAULT_MIN_TERM_COVERAGE } from './decide/term-coverage';
import { ROLLOUT_MODES } from './domain';
import { AppError } from './errors';
import { DEFAULT_PRICES, PriceTable } from './respond/pricing';

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

/** A JSON-valued var, validated by `schema` (a price table, calibration parameters). */
const json = <T extends z.ZodType>(schema: T) =>
  z
    .string()
    .transform((v, ctx) => {
      try {
        return JSON.parse(v) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'expected JSON' });
        return z.NEVER;
      }
    })
    .pipe(schema);

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
  'account_ownership',
  'account_specific_billing',
] as const;
export type SensitiveTopic = (typeof SENSITIVE_TOPICS)[number];

const varsSchema = z.object({
  // Rollout mode where no address or request type sets one (issue 16): a new deployment decides and drafts, and sends nothing.
  DEFAULT_MODE: z.enum(ROLLOUT_MODES).default('shadow'),
  // Who we are: replies come from here, and mail from here is never answered (loops).
  SUPPORT_ADDRESS: z.string().trim().pipe(z.email()).default('support@deflect.local'),
  SUPPORT_NAME: z.string().trim().min(1).default('Support'),
  // Chosen by `npm run fit:confidence` for auto-reply precision ≥ 0.95 on every corpus it fits (docs/confidence-and-policy.md "Confidence").
  AUTO_REPLY_THRESHOLD: number(0, 1).default(SHIPPED_THRESHOLDS.autoReply),
  // Below this a draft is more likely wrong than right, not worth a human's review time: escalate instead.
  REVIEW_THRESHOLD: number(0, 1).default(SHIPPED_THRESHOLDS.review),
  // A draft whose doc holds under this share of the ticket's search terms is never sent on its own (docs/confidence-and-policy.md "Policy").
  MIN_TERM_COVERAGE: number(0, 1).default(DEFAULT_MIN_TERM_COVERAGE),
  // Cheap model drafts every ticket; the strong one only sees the borderline band.
  // Current models (SDK 1.14 `Model`; claude-sonnet-4-5 is on its deprecated list).
  MODEL_FAST: z.string().trim().min(1).default('claude-haiku-5-5'),
  MODEL_STRONG: z.string().trim().min(1).default('claude-sonnet-5-5'),
  STRONG_BAND_MIN: number(0, 1).default(0.5),
  STRONG_BAND_MAX: number(0, 1).default(0.85),
  // USD per million tokens per model: {"model":{"input","output","cacheWrite","cacheRead"}}; both models must be priced.
  MODEL_PRICES: json(PriceTable).default(DEFAULT_PRICES),
  // The shipped confidence model (fitted across corpora, src/decide/confidence-model.ts); an accepted refit in D1 (`calibrations`) wins.
  CALIBRATION: json(CalibrationParams).default(DEFAULT_CALIBRATION),
  // Output budget per model call, thinking included (5.x models think by default); an answer cut off here is schema_invalid.
  MAX_OUTPUT_TOKENS: integer(256, 32_000).default(4096),
  // How hard Claude thinks (output_config.effort). Drafting from given docs needs little; `default` sends none (models without effort support).
  LLM_EFFORT: z.enum(['default', 'low', 'medium', 'high']).default('low'),
  LLM_TIMEOUT_MS: integer(1000, 120_000).default(25_000),
  LLM_MAX_RETRIES: integer(0, 5).default(2),
  // Embeddings: changing either without re-uploading the corpus is detected (corpus version hash).
  EMBEDDING_MODEL: z.string().trim().min(1).default('@cf/baai/bge-base-en-v1.5'),
  EMBEDDING_DIMENSIONS: integer(8, 4096).default(768),
  // Workers AI embedding calls retried after a failure (each bounded by OUTBOUND_TIMEOUT_MS).
  EMBEDDING_MAX_RETRIES: integer(0, 5).default(2),
  // auto: hybrid when AI + VECTORIZE are bound and the active corpus is vectorized, else lexical.
  RETRIEVER: z.enum(['auto', 'lexical', 'hybrid']).default('auto'),
  // Vectorize returns at most 20 matches with metadata; 8 chunks fit the prompt comfortably.
  RETRIEVAL_TOP_K: integer(1, 20).default(8),
  // Reciprocal rank fusion constant; 60 is the value from Cormack et al. (2009).
  RRF_K: integer(1, 1000).default(60),
  // Chunker: 250 tokens scored best for bm25 on WixQA (recall@5) with TechQA unchanged; overlap keeps steps that straddle a cut.
  CHUNK_TARGET_TOKENS: integer(50, 2000).default(250),
  CHUNK_OVERLAP_TOKENS: integer(0, 500).default(40),
  // Complete corpus versions kept (the active one included) so a team can roll back; older ones are pruned.
  CORPUS_KEEP_VERSIONS: integer(1, 50).default(2),
  // An upload that would drop more than this share of the active docs is refused unless it says `replace`: a one-doc folder must not wipe a help center.
  CORPUS_MAX_REMOVED_SHARE: number(0, 1).default(0.25),
  // Auto-replies per sender per rolling day: beyond it a human looks (loops, abuse). 0 turns the cap off.
  SENDER_DAILY_CAP: integer(0, 10_000).default(5),
  // Auto-replies to anyone, per minute and per rolling day: one flood of distinct forged senders cannot turn us into a mail cannon. 0 turns a limit off.
  AUTO_REPLY_LIMIT_PER_MINUTE: integer(0, 100_000).default(30),
  AUTO_REPLY_LIMIT_PER_DAY: integer(0, 10_000_000).default(2000),
  // Refund requests up to this amount are not sensitive on their own; above it, escalate.
  REFUND_AUTO_LIMIT_USD: number(0, 1_000_000).default(0),
  SENSITIVE_TOPICS: list.pipe(z.array(z.enum(SENSITIVE_TOPICS))).default([...SENSITIVE_TOPICS]),
  // auto: reply() inline for Email Routing; otherwise MailChannels when keyed, else none (the reply fails with
  // no_mailer_configured, never a silent log). log is chosen by name for local runs. The EMAIL binding is
  // declared even where no sending domain is onboarded, so send_email is chosen explicitly, never guessed.
  MAILER: z.enum(['auto', 'log', 'send_email', 'mailchannels']).default('auto'),
  REPLY_FOOTER: z
    .string()
    .default('This answer was sent automatically from our help center. Reply to this email to reach a person.'),
  // Tell the customer a person will follow up when we escalate.
  CUSTOMER_ACK: boolean.default(false),
  CUSTOMER_ACK_TEXT: z
    .string()
    .trim()
    .min(1)
    .default('Thanks for your message. A member of our support team will follow up with you personally.'),
  // OUTBOX retries back off from this many seconds, doubling per attempt (capped at 15 min); 429s wait their Retry-After.
  OUTBOX_RETRY_BASE_SECONDS: integer(0, 900).default(5),
  // Inbound size limits (bytes): JSON API bodies and raw email.
  MAX_API_BODY_BYTES: integer(1024, 10_000_000).default(262_144),
  MAX_EMAIL_BYTES: integer(1024, 25_000_000).default(10_000_000),
  // Corpus uploads send one document (with its chunks) per request.
  MAX_ADMIN_BODY_BYTES: integer(1024, 50_000_000).default(4_000_000),
  // D1 caps a row at 2 MB; the raw message kept for audit is cut there.
  MAX_RAW_BYTES: integer(1024, 1_900_000).default(1_000_000),
  // Ingestion: tickets stored per sender per rolling day; beyond it mail is kept but ignored (floods, loops). 0 turns it off.
  SENDER_DAILY_TICKET_CAP: integer(0, 100_000).default(50),
  // Attachments are recorded as metadata only (name, type, size); a message listing more keeps the first ones.
  MAX_ATTACHMENTS: integer(0, 1000).default(50),
  // Customer text kept per ticket after quote stripping; the raw message stays whole in raw_messages.
  MAX_BODY_CHARS: integer(1000, 1_000_000).default(100_000),
  // Plain or HTML text read at all before any pattern runs (one hostile mail must not stall a batch: ~1 µs per line or tag, BENCHMARKS.md); the rest stays in the raw copy.
  MAX_SCAN_CHARS: integer(1000, 10_000_000).default(100_000),
  // RFC 5322 §2.1.1 caps a header line at 998 characters: a longer subject is cut there at ingest.
  MAX_SUBJECT_CHARS: integer(50, 10_000).default(998),
  // Display names are for people; the API takes 200, and every source is cut to the same.
  MAX_DISPLAY_NAME_CHARS: integer(20, 1000).default(200),
  // Authentication-Results / ARC-Authentication-Results are trusted only from this authserv-id (RFC 8601 §5): Email Routing's.
  EMAIL_AUTHSERV_ID: z.string().trim().toLowerCase().min(1).default('mx.cloudflare.net'),
  // Mailgun signs timestamp+token: a signature older (or newer) than this is refused as stale.
  WEBHOOK_TOLERANCE_SECONDS: integer(30, 86_400).default(900),
  // Ticket text passed to retrieval and the model.
  MAX_TICKET_CHARS: integer(200, 100_000).default(20_000),
  // Request-type classifier: a top probability under this is `unclear` (never auto-replied on the classifier's word).
  REQUEST_TYPE_MIN_PROBABILITY: number(0, 1).default(0.5),
  // Under this share of words seen in training the text is in a language the model does not know: `unclear`.
  REQUEST_TYPE_MIN_KNOWN_WORDS: number(0, 1).default(0.5),
  // Person-needed types together this likely win over how_to: missing a refund costs more than a review (held-out report).
  REQUEST_TYPE_PERSON_PROBABILITY: number(0, 1).default(0.25),
  // A how_to whose person-needed types together are this likely (under the floor above) is not answered on its
  // own: its draft waits for review (docs/confidence-and-policy.md "Request types"). At or over the floor: off.
  REQUEST_TYPE_HOLD_PROBABILITY: number(0, 1).default(0.2),
  // How long a pipeline run owns a ticket before the cron sweep may take it back.
  LEASE_SECONDS: integer(10, 3600).default(300),
  // A ticket still waiting this long after its last change never reached the consumer (a lost
  // queue delivery, a failed enqueue): the cron sweep enqueues it again. Repeats are no-ops.
  SWEEP_AFTER_SECONDS: integer(10, 86_400).default(120),
  OUTBOUND_TIMEOUT_MS: integer(100, 60_000).default(10_000),
  // A ticket claimed this many times without finishing (a run that crashes or is killed every time) is
  // `failed` and handed to a person instead of being run forever.
  TICKET_MAX_ATTEMPTS: integer(1, 50).default(5),
  // A send still `sending` after this long crashed mid-way: the sweep or a retry may claim it again
  // (so a crashed send can duplicate at most once per window). Above the mailers' timeout with margin.
  SEND_STALE_SECONDS: integer(30, 86_400).default(600),
  // A delivery still `queued` this long lost its OUTBOX message (or its enqueue failed): the sweep sends it
  // again. Above the outbox backoff of its first retries; an overtaken retry only finds the claim taken.
  DELIVERY_SWEEP_AFTER_SECONDS: integer(10, 86_400).default(600),
  // Tickets run at once within one queue batch: Workers allow 6 simultaneous outbound connections.
  QUEUE_CONCURRENCY: integer(1, 6).default(4),
  // One ticket's whole run (retrieval, the model cascade with its retries, acting) must end within this,
  // else the message is retried after the lease; below LEASE_SECONDS so no second run overlaps it.
  TICKET_DEADLINE_SECONDS: integer(1, 3600).default(200),
  // A batch starts no new ticket after this long and retries the rest, and a run in flight is cut at it:
  // under the Queues consumer's 15-minute wall-clock limit, with a minute to record and ack.
  BATCH_BUDGET_SECONDS: integer(1, 840).default(600),
  // The RATE_LIMITER binding's per-client budget on public endpoints; off only for local load tests.
  RATE_LIMIT_ENABLED: boolean.default(true),
  // The cron refits the calibration on reviewers' verdicts at most this often, and only when a verdict came in since the last refit.
  CALIBRATION_REFIT_HOURS: integer(1, 24 * 90).default(24),
  // Console: the threshold recommendation targets this auto-reply precision at its Wilson lower bound on reviewed drafts (the shadow report: a type's, too)…
  RECOMMEND_TARGET_PRECISION: number(0.5, 1).default(0.95),
  // …and needs at least this many reviewed drafts at or above the threshold it recommends (the report: verdicts on a type's would-be auto-replies).
  RECOMMEND_MIN_DRAFTS: integer(1, 100_000).default(20),
  // Console sessions expire after this many hours; a new login is needed then.
  CONSOLE_SESSION_HOURS: integer(1, 720).default(12),
  // Cloudflare Access in front of /console: team name (or <team>.cloudflareaccess.com) and the app's AUD tag. Empty: token login only.
  ACCESS_TEAM_DOMAIN: z.string().trim().default(''),
  ACCESS_AUD: z.string().trim().default(''),
  // The Worker's public origin (https://support.example.com): links to console tickets in hand-offs. Empty: the link is a path.
  PUBLIC_URL: z.union([z.literal(''), z.url({ protocol: /^https?$/ })]).default('').transform((v) => v.replace(/\/+$/, '')),
  // Hand-off (docs/HANDOFF.md): every ticket deflect does not answer goes to this helpdesk address. Empty: no hand-off.
  HANDOFF_ADDRESS: z.union([z.literal(''), z.email()]).default(''),
  // …and/or is posted here as signed JSON (needs the HANDOFF_WEBHOOK_SECRET secret). Empty: no webhook.
  HANDOFF_WEBHOOK_URL: z.union([z.literal(''), z.url({ protocol: /^https?$/ })]).default(''),
});

const secretsSchema = z.object({
  API_TOKEN: optionalSecret,
  ADMIN_TOKEN: optionalSecret,
  ANTHROPIC_API_KEY: optionalSecret,
  ANTHROPIC_BASE_URL: optionalSecret,
  SLACK_WEBHOOK_URL: optionalSecret,
  SLACK_SIGNING_SECRET: optionalSecret,
  // Only for the Edit button: the modal is opened with views.open, which takes a bot token (no scope needed).
  SLACK_BOT_TOKEN: optionalSecret,
  POSTMARK_WEBHOOK_TOKEN: optionalSecret,
  SENDGRID_BASIC_AUTH: optionalSecret,
  MAILGUN_SIGNING_KEY: optionalSecret,
  MAILCHANNELS_API_KEY: optionalSecret,
  // Signs hand-off webhooks (HMAC-SHA256, docs/HANDOFF.md); required when HANDOFF_WEBHOOK_URL is set.
  HANDOFF_WEBHOOK_SECRET: optionalSecret,
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
  for (const model of [config.MODEL_FAST, config.MODEL_STRONG]) {
    if (!config.MODEL_PRICES[model]) {
      throw new AppError('config_invalid', 500, `Invalid configuration: MODEL_PRICES has no price for ${model}`);
    }
  }
  if (config.STRONG_BAND_MIN > config.STRONG_BAND_MAX) {
    throw new AppError(
      'config_invalid',
      500,
      `Invalid configuration: STRONG_BAND_MIN (${config.STRONG_BAND_MIN}) must not exceed STRONG_BAND_MAX (${config.STRONG_BAND_MAX})`,
    );
  }
  if (config.TICKET_DEADLINE_SECONDS >= config.LEASE_SECONDS) {
    throw new AppError(
      'config_invalid',
      500,
      `Invalid configuration: TICKET_DEADLINE_SECONDS (${config.TICKET_DEADLINE_SECONDS}) must be below LEASE_SECONDS (${config.LEASE_SECONDS})`,
    );
  }
  if (config.HANDOFF_WEBHOOK_URL && !config.secrets.HANDOFF_WEBHOOK_SECRET) {
    // An unsigned hand-off could be forged by anyone who learns the receiver's URL.
    throw new AppError('config_invalid', 500, 'Invalid configuration: HANDOFF_WEBHOOK_URL needs the HANDOFF_WEBHOOK_SECRET secret');
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
