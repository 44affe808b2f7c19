import { defineConfig } from 'drizzle-kit';

// Generates SQL into migrations/, which `wrangler d1 migrations apply` runs in filename order.
export default defineConfig({
  dialect: 'sqlite',
  schema: './src/db/schema.ts',
  out: './migrations',
});
