// Module hooks for the Node-side harness (node-worker.ts): `cloudflare:email` exists only
// in workerd. The harness runs with MAILER=log, so nothing constructs an EmailMessage;
// if something did, the stub says so instead of failing at import time.
const STUBS = {
  'cloudflare:email': 'export class EmailMessage { constructor() { throw new Error("cloudflare:email is not available in the Node harness"); } }',
};

export async function resolve(specifier, context, next) {
  const source = STUBS[specifier];
  if (source !== undefined) return { url: `data:text/javascript,${encodeURIComponent(source)}`, shortCircuit: true };
  return next(specifier, context);
}
