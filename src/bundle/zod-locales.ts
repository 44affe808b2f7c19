// Bundled in place of zod's locales index (wrangler.toml [alias]): zod's classic
// namespace re-exports all ~40 locales, and @hono/zod-openapi hands that namespace to
// extendZodWithOpenApi, so the bundler cannot drop them (260 KB). Errors are English.
export { default as en } from 'zod/v4/locales/en.js';
