import { appendFileSync, mkdirSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-pool-workers';
import type { Plugin } from 'vite';
import { configDefaults, defineConfig } from 'vitest/config';
import { localNoiseFilter } from './scripts/lib/local-noise';
import { TEST_LOG_FILE, TEST_SECRETS } from './test/setup/test-secrets';

/**
 * Reading wrangler.toml, wrangler warns (in a boxed multi-line message) that AI and
 * Vectorize have no local simulator. The tests never call either (RETRIEVER below),
 * so each is said once, in npm start's one line; every other warning passes through.
 */
function quietLocalBindingWarnings(): void {
  const filter = localNoiseFilter(8787);
  const warn = console.warn.bind(console);
  console.warn = (...args: unknown[]) => {
    const [first = ''] = String(args[0] ?? '').split('\n');
    const said = /bindings (always access remote|do not support local)/.test(first) ? filter(first) : first;
    if (said === first) return warn(...args);
    if (said) console.log(said);
  };
}

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
// The Anthropic API is a real HTTP server (test/node/anthropic-mock.ts) started by
// globalSetup on 127.0.0.1: workerd's outbound fetch reaches it like any host, so
// the tests exercise the real SDK, its retries and timeouts, over a real socket
// (an auxiliary worker would only be reachable through a service binding, i.e. a
// `fetch` override the production code never uses).
export default defineConfig(async () => {
  quietLocalBindingWarnings();
  const migrations = await readD1Migrations(path.join(import.meta.dirname, 'migrations'));
  // Everything the Worker and the tests log is kept for scripts/scan-secrets.ts.
  rmSync(TEST_LOG_FILE, { force: true });
  mkdirSync(path.dirname(TEST_LOG_FILE), { recursive: true });
  return {
    plugins: [
      bytesImport,
      cloudflareTest(({ inject }) => ({
        wrangler: { configPath: './wrangler.toml' },
        remoteBindings: false,
        miniflare: {
          bindings: {
            // Lexical, as in npm start: AI and VECTORIZE are declared by wrangler.toml but are
            // local stand-ins that throw when called, and workerd prints every such throw as an
            // "uncaught exception" stack. Lexical never calls them; the vector path is tested
            // with test/doubles bound instead (test/retrieval/hybrid.test.ts sets RETRIEVER=auto).
            RETRIEVER: 'lexical',
            TEST_MIGRATIONS: migrations,
            ...TEST_SECRETS,
            // Retries at once, so fault tests reach the dead-letter queue in seconds (backoff is unit-tested).
            OUTBOX_RETRY_BASE_SECONDS: '0',
            // The LogMailer by name, as npm start chooses it (MAILER=auto without a provider fails replies).
            MAILER: 'log',
            // Most tests assert today's behaviour (the threshold decides); rollout tests set their own modes.
            DEFAULT_MODE: 'auto',
            ANTHROPIC_MOCK_URL: inject('anthropicMockUrl'),
          },
          // Outbound fetch goes to a local Slack + MailChannels server (other hosts pass through).
          outboundService: 'provider-doubles',
          workers: [
            {
              name: 'provider-doubles',
              modules: true,
              scriptPath: './test/doubles/provider-server.mjs',
              compatibilityDate: '2026-04-26',
            },
          ],
          // Deliver queue messages at once, so end-to-end tests wait milliseconds, not seconds.
          queueConsumers: {
            // As wrangler.toml's retries and dead-letter queues (this table replaces wrangler's entries).
            'deflect-tickets': { maxBatchTimeout: 0, maxRetries: 5, deadLetterQueue: 'deflect-tickets-dlq' },
            'deflect-outbox': { maxBatchTimeout: 0, maxRetries: 8, deadLetterQueue: 'deflect-outbox-dlq' },
            'deflect-tickets-dlq': { maxBatchTimeout: 0 },
            'deflect-outbox-dlq': { maxBatchTimeout: 0 },
          },
        },
      })),
    ],
    test: {
      globalSetup: ['./test/node/global-setup.ts'],
      // Property-based tests: a small fixed-seed sample here; `npm run test:fuzz` raises both.
      provide: { fuzzRuns: Number(process.env.FUZZ_RUNS ?? 0), fuzzSeed: Number(process.env.FUZZ_SEED ?? 0) },
      onConsoleLog(log: string) {
        appendFileSync(TEST_LOG_FILE, `${log}\n`);
      },
      setupFiles: ['./test/setup/apply-migrations.ts'],
      // A test file's cost is mostly its own runtime: booting workerd and loading the Worker's
      // module graph (~8 s a file on 2 loaded cores; the migrations take ~0.1 s). Vitest's default
      // in a run is availableParallelism - 1 workers, i.e. one file at a time on a 2-core machine,
      // leaving the second core idle while a runtime boots; two keep both busy. Each file still gets
      // its own runtime and database (isolation stays on: files sharing one runtime also share
      // D1, queues and the provider doubles' records, and they leaked into one another).
      maxWorkers: 2,
      // With two files at once on 2 cores, a step that takes 3.8 s alone (the corpus prune test's
      // uploads) went over vitest's 5 s default; a timed-out test keeps running and spoils the
      // next one. Budgets, not expectations: nothing here asserts a duration.
      testTimeout: 15_000,
      hookTimeout: 30_000,
      include: ['test/**/*.test.ts'],
      // Node-side script tests run under vitest.node.config.ts.
      exclude: [...configDefaults.exclude, 'test/eval/**', 'test/scripts/**', 'test/architecture/**'],
    },
  };
});
