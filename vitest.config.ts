import path from 'node:path';
import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-pool-workers';
import { defineConfig } from 'vitest/config';

// Tests run inside workerd with the real wrangler.toml bindings: miniflare D1 and
// Queues. Each test file gets a fresh database with every migration applied.
// The Anthropic API is a real HTTP server (test/node/anthropic-mock.ts) started by
// globalSetup on 127.0.0.1: workerd's outbound fetch reaches it like any host, so
// the tests exercise the real SDK, its retries and timeouts, over a real socket
// (an auxiliary worker would only be reachable through a service binding, i.e. a
// `fetch` override the production code never uses).
export default defineConfig(async () => {
  const migrations = await readD1Migrations(path.join(import.meta.dirname, 'migrations'));
  return {
    plugins: [
      cloudflareTest(({ inject }) => ({
        wrangler: { configPath: './wrangler.toml' },
        remoteBindings: false,
        miniflare: {
          bindings: {
            TEST_MIGRATIONS: migrations,
            API_TOKEN: 'test-api-token',
            ADMIN_TOKEN: 'test-admin-token',
            ANTHROPIC_MOCK_URL: inject('anthropicMockUrl'),
          },
          // Deliver queue messages at once, so end-to-end tests wait milliseconds, not seconds.
          queueConsumers: {
            'deflect-tickets': { maxBatchTimeout: 0 },
            'deflect-outbox': { maxBatchTimeout: 0 },
            'deflect-tickets-dlq': { maxBatchTimeout: 0 },
            'deflect-outbox-dlq': { maxBatchTimeout: 0 },
          },
        },
      })),
    ],
    test: {
      globalSetup: ['./test/node/global-setup.ts'],
      setupFiles: ['./test/setup/apply-migrations.ts'],
      include: ['test/**/*.test.ts'],
    },
  };
});
