// Bundled in place of zod's `core/compile.js` (wrangler.toml [alias]; 31 KB). z.compile
// generates code with `new Function`, which the Workers runtime forbids, so there it
// always hands the schema back on the runtime parser: this module does exactly that,
// without the code generator. deflect never calls it; zod re-exports it from `z`.
export const INVALID = Symbol.for('zod.compile.invalid');

export class ZodCompileAsyncError extends Error {
  override name = 'ZodCompileAsyncError';
}

export class ZodCompileUnsupportedError extends Error {
  override name = 'ZodCompileUnsupportedError';
}

const refusal = () => new ZodCompileUnsupportedError('z.compile needs code generation, which the Workers runtime forbids');

export function compile<T>(schema: T, options?: { strict?: boolean }): T {
  if (options?.strict) throw refusal();
  return schema;
}

export function compileFn(): never {
  throw refusal();
}

export function withParser(): never {
  throw refusal();
}
