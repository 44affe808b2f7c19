import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-pool-workers';
import type { Plugin } from 'vite';
import { defineConfig } from 'vitest/config';

/**
 * `import x from './mail.eml?bytes'` → the file's exact bytes as base64. `?raw` decodes
 * as UTF-8, which corrupts 8-bit charsets (Shift_JIS, windows-1252) in the samples.
 */
const bytesImport: Plugin = {
  name: 'deflect:bytes-import',
  enforce: 'pre',
  async load(id) {
    const [file, query] = id.split('?');
    if (query !== 'bytes' || !file) return null;
    return `export default ${JSON.stringify((await readFile(file)).toString('base64'))};`;
  },
};

// Tests run inside workerd with the real wrangler.toml bindings: miniflare D1 and
// Queues. Each test file gets a fresh database with every migration applied.
export default defineConfig(async () => {
  const migrations = await readD1Migrations(path.join(import.meta.dirname, 'migrations'));
  return {
    plugins: [
      bytesImport,
      cloudflareTest({
        wrangler: { configPath: './wrangler.toml' },
        remoteBindings: false,
        miniflare: {
          bindings: {
            TEST_MIGRATIONS: migrations,
            API_TOKEN: 'test-api-token',
            ADMIN_TOKEN: 'test-admin-token',
            POSTMARK_WEBHOOK_TOKEN: 'test-postmark-token',
            SENDGRID_BASIC_AUTH: 'sendgrid:test-sendgrid-password',
            // The key the shared Mailgun samples were signed with (shared/data README).
            MAILGUN_SIGNING_KEY: 'foo',
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
    },
  };
});
