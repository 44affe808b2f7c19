import path from 'node:path';
import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-pool-workers';
import { defineConfig } from 'vitest/config';

// Tests run inside workerd with the real wrangler.toml bindings: miniflare D1 and
// Queues. Each test file gets a fresh database with every migration applied.
export default defineConfig(async () => {
  const migrations = await readD1Migrations(path.join(import.meta.dirname, 'migrations'));
  return {
    plugins: [
      cloudflareTest({
        wrangler: { configPath: './wrangler.toml' },
        remoteBindings: false,
        miniflare: {
          bindings: {
            TEST_MIGRATIONS: migrations,
            API_TOKEN: 'test-api-token',
            ADMIN_TOKEN: 'test-admin-token',
            // Slack is configured; its traffic reaches the local provider server below.
            SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T0TEST/B0TEST/testwebhooksecret',
            SLACK_SIGNING_SECRET: 'test-slack-signing-secret',
            SLACK_BOT_TOKEN: 'xoxb-test-bot-token',
            // Retries at once, so fault tests reach the dead-letter queue in seconds (backoff is unit-tested).
            OUTBOX_RETRY_BASE_SECONDS: '0',
          },
          // Outbound fetch goes to a local Slack + MailChannels server (other hosts pass through).
          outboundService: 'provider-doubles',
          workers: [
            {
              name: 'provider-doubles',
              modules: true,
              scriptPath: './test/act/doubles/provider-server.mjs',
              compatibilityDate: '2026-04-26',
            },
          ],
          // Deliver queue messages at once, so end-to-end tests wait milliseconds, not seconds.
          queueConsumers: {
            'deflect-tickets': { maxBatchTimeout: 0 },
            // As wrangler.toml: 8 retries, then the dead-letter queue (this table replaces wrangler's entry).
            'deflect-outbox': { maxBatchTimeout: 0, maxRetries: 8, deadLetterQueue: 'deflect-outbox-dlq' },
            'deflect-tickets-dlq': { maxBatchTimeout: 0 },
            'deflect-outbox-dlq': { maxBatchTimeout: 0 },
          },
        },
      }),
    ],
    test: {
      setupFiles: ['./test/setup/apply-migrations.ts'],
      include: ['test/**/*.test.ts'],
    },
  };
});
