// npm run corpus:upload -- <dir> [--url <worker url>] [--remote]
// Chunks a folder of docs and uploads it as one corpus version through the
// Worker's admin API, which embeds each document with Workers AI into the
// version's Vectorize namespace when AI + VECTORIZE are bound. Re-running uploads
// only what is missing; the same content makes no new version; the version is
// activated only when every document is stored.
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
  const what = summary.activated ? (summary.created ? 'new version, now active' : 'resumed version, now active') : 'already active, nothing to do';
  console.log(`corpus ${summary.version} (${what})`);
  console.log(`  docs ${summary.docs} (uploaded now: ${summary.uploadedDocs}), chunks ${summary.chunks}, ~${summary.tokens} tokens, ${seconds}s`);
  console.log(`  retrieval: ${summary.vectors ? 'hybrid (chunks embedded into Vectorize by the Worker)' : 'lexical (AI + VECTORIZE not usable on this Worker, e.g. wrangler dev --local)'}`);
  if (summary.pruned.length > 0) console.log(`  pruned old versions: ${summary.pruned.join(', ')}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
