// Secret values the test Worker runs with. Imported by vitest.config.ts (bindings)
// and by scripts/scan-secrets.ts, which fails the run if any of them shows up in
// the captured test logs: secrets must never be logged.
export const TEST_SECRETS = {
  API_TOKEN: 'test-api-token',
  ADMIN_TOKEN: 'test-admin-token',
  // Slack is configured; its traffic reaches the local provider server (test/doubles/provider-server.mjs).
  SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T0TEST/B0TEST/test-webhook-secret',
  SLACK_SIGNING_SECRET: 'test-slack-signing-secret',
  POSTMARK_WEBHOOK_TOKEN: 'test-postmark-token',
  SENDGRID_BASIC_AUTH: 'sendgrid:test-sendgrid-password',
  // The key the shared Mailgun samples were signed with (shared/data README); too short to scan logs for.
  MAILGUN_SIGNING_KEY: 'foo',
  SLACK_BOT_TOKEN: 'xoxb-test-bot', // Slack bot tokens start with xoxb-; the local Slack checks it
} as const;

export const TEST_LOG_FILE = '.test-logs/console.log';
