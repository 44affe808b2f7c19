declare namespace Cloudflare {
  interface Env {
    TEST_MIGRATIONS: import('cloudflare:test').D1Migration[];
    /** The local Anthropic mock (test/node/anthropic-mock.ts), started by globalSetup. */
    ANTHROPIC_MOCK_URL: string;
  }
}
