// Bundled in place of @babel/runtime-corejs3's `instance/trim` (wrangler.toml [alias]):
// mimetext calls `trim(s).call(s)`; the native String.prototype.trim is what core-js returns here.
export default function trimMethod(value: string): () => string {
  return value.trim;
}
