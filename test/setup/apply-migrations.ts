import { applyD1Migrations } from 'cloudflare:test';
import { env } from 'cloudflare:workers';

// Runs once per test file (each file has its own storage): the real migrations, in order.
await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
