// Bundled in place of @babel/runtime-corejs3's defineProperty helper (wrangler.toml
// [alias]): mimetext's build calls it for class fields, and the corejs3 variant drags
// core-js-pure's polyfills in, which the Workers runtime has natively. Same semantics.
export default function defineProperty<T extends object>(target: T, key: PropertyKey, value: unknown): T {
  Object.defineProperty(target, key, { value, enumerable: true, configurable: true, writable: true });
  return target;
}
