import path from 'node:path';
import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-pool-workers';
import { configDefaults, defineConfig } from 'vitest/config';

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
          },
          // Deliver queue messages at once, so end-to-end tests wait milliseconds, not seconds.
          queueConsumers: {
            'deflect-tickets': { maxBatchTimeout: 0 },
            'deflect-outbox': { maxBatchTimeout: 0 },
            'deflect-tickets-dlq': { maxBatchTimeout: 0 },
            'deflect-outbox-dlq': { maxBatchTimeout: 0 },
          },
        },
      }),
    ],
    test: {
      setupFiles: ['./test/setup/apply-migrations.ts'],
      include: ['test/**/*.test.ts'],
      // Node-side script tests run under vitest.node.config.ts.
      exclude: [...configDefaults.exclude, 'test/eval/**'],
    },
  };
});
