// Bundled in place of zod's `classic/from-json-schema.js` (wrangler.toml [alias]; 12 KB
// minified). zod re-exports z.fromJSONSchema from its classic namespace, and
// @hono/zod-openapi hands that whole namespace to extendZodWithOpenApi, so the
// bundler keeps it although deflect never builds a schema from JSON Schema.
export function fromJSONSchema(): never {
  throw new Error('z.fromJSONSchema is not bundled in deflect (src/bundle/zod-from-json-schema.ts)');
}
