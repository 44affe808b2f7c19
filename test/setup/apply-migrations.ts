import { applyD1Migrations } from 'cloudflare:test';
import { env } from 'cloudflare:workers';

// Runs once per test file (each file has its own runtime and storage): the real migrations,
// in order. They take ~0.1 s: a file's "setup" time is its fresh runtime loading modules.
await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
