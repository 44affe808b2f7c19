// npm run corpus:upload -- <dir> [--url <worker url>] [--remote]
// Chunks a folder of docs and uploads it as one corpus version through the
// Worker's admin API (which embeds into Vectorize when AI is bound). Re-running
// uploads only what is missing; the same content makes no new version.
import { parseArgs } from 'node:util';
import { uploadCorpus } from './lib/corpus-client';
import { readDocs, readVars } from './lib/docs';
import { progressBar } from './lib/progress';

const usage = `usage: npm run corpus:upload -- <dir> [--url http://localhost:8787] [--remote]
  --url     the Worker to upload to (default: http://localhost:8787, the local wrangler dev)
  --remote  upload to the deployed Worker: needs DEFLECT_URL and ADMIN_TOKEN in the environment
The admin token is read from ADMIN_TOKEN, else from .dev.vars.`;

async function main() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { url: { type: 'string' }, remote: { type: 'boolean', default: false }, help: { type: 'boolean', default: false } },
  });
  if (values.help || positionals.length !== 1) {
    console.error(usage);
    process.exit(values.help ? 0 : 2);
  }
  const vars = await readVars('.dev.vars');
  const url = values.remote ? process.env.DEFLECT_URL : (values.url ?? process.env.DEFLECT_URL ?? 'http://localhost:8787');
  const token = process.env.ADMIN_TOKEN ?? (values.remote ? undefined : vars.ADMIN_TOKEN);
  if (!url || !token) {
    console.error(values.remote ? '--remote needs DEFLECT_URL and ADMIN_TOKEN set in the environment' : 'no ADMIN_TOKEN in the environment or .dev.vars');
    process.exit(2);
  }
  const started = Date.now();
  const docs = await readDocs(positionals[0]!);
  const bar = progressBar('uploading', docs.length);
  const summary = await uploadCorpus(docs, {
    baseUrl: url,
    token,
    onProgress: (p) => bar.update(p.done, p.skipped ? `${p.docId} (already stored)` : p.docId),
  });
  bar.finish();
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const what = summary.activated ? (summary.created ? 'new version' : 'resumed version') : 'already active, nothing to do';
  console.log(
    `corpus ${summary.version} (${what}): ${summary.docs} docs, ${summary.chunks} chunks, ~${summary.tokens} tokens; uploaded ${summary.uploadedDocs} docs in ${seconds}s`,
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
