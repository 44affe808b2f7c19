// Secret values the test Worker runs with. Imported by vitest.config.ts (bindings)
// and by scripts/scan-secrets.ts, which fails the run if any of them shows up in
// the captured test logs: secrets must never be logged.
export const TEST_SECRETS = {
  API_TOKEN: 'test-api-token',
  ADMIN_TOKEN: 'test-admin-token',
} as const;

export const TEST_LOG_FILE = '.test-logs/console.log';
