// npm run corpus:upload -- <dir> [--url <worker url>] [--remote] [--dry-run] [--replace] [--strict]
// Chunks a folder of docs and uploads it as one corpus version through the
// Worker's admin API, which embeds each document with Workers AI into the
// version's Vectorize namespace when AI + VECTORIZE are bound. It first says what
// will change against the active version; re-running uploads only what is missing;
// the same content makes no new version; the version is activated only when every
// document is stored.
import { parseArgs } from 'node:util';
import { abandonVersion, planUpload, uploadCorpus, UploadRefused, type UploadPlan } from './lib/corpus-client';
import { readDocFolder, readVars, type DocProblem } from './lib/docs';
import { progressBar } from './lib/progress';

const usage = `usage: npm run corpus:upload -- <dir> [--url http://localhost:8787] [--remote] [--dry-run] [--replace] [--strict]
  --url       the Worker to upload to (default: DEFLECT_URL, else http://localhost:$PORT, PORT defaulting to 8787)
  --remote    upload to the deployed Worker: needs DEFLECT_URL and ADMIN_TOKEN in the environment
  --dry-run   print what would change against the active version, and change nothing
  --replace   allow an upload that removes more than CORPUS_MAX_REMOVED_SHARE (default 25%) of the active docs
  --strict    fail, uploading nothing, when any file cannot be parsed (default: list and skip it)
Files: .md / .markdown (front matter id, title, url; or a # heading), .html (<title> or <h1>), .txt (first line is the title).
The admin token is read from ADMIN_TOKEN, else from .dev.vars.`;

const LISTED = 15;

function list(label: string, ids: string[]) {
  if (ids.length === 0) return;
  const shown = ids.slice(0, LISTED).join(', ');
  console.log(`  ${label} (${ids.length}): ${shown}${ids.length > LISTED ? `, … ${ids.length - LISTED} more` : ''}`);
}

function printProblems(problems: DocProblem[], strict: boolean) {
  if (problems.length === 0) return;
  console.log(`${problems.length} file(s) ${strict ? 'cannot be uploaded' : 'skipped'}:`);
  for (const p of problems) console.log(`  ${p.file}: ${p.reason} (${p.detail})`);
}

function printPlan(plan: UploadPlan) {
  if (plan.upToDate) return console.log(`corpus ${plan.version} is already active: nothing to change`);
  console.log(plan.active ? `compared with the active version ${plan.active}:` : 'no active version yet: every doc is new');
  list('added', plan.added);
  list('changed', plan.changed);
  list('removed', plan.removed);
  console.log(`  unchanged: ${plan.unchanged}`);
}

async function main() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      url: { type: 'string' },
      remote: { type: 'boolean', default: false },
      'dry-run': { type: 'boolean', default: false },
      replace: { type: 'boolean', default: false },
      strict: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help || positionals.length !== 1) {
    console.error(usage);
    process.exit(values.help ? 0 : 2);
  }
  const vars = await readVars('.dev.vars');
  const localUrl = `http://localhost:${process.env.PORT ?? 8787}`;
  const url = values.remote ? process.env.DEFLECT_URL : (values.url ?? process.env.DEFLECT_URL ?? localUrl);
  const token = process.env.ADMIN_TOKEN ?? (values.remote ? undefined : vars.ADMIN_TOKEN);
  if (!url || !token) {
    console.error(values.remote ? '--remote needs DEFLECT_URL and ADMIN_TOKEN set in the environment' : 'no ADMIN_TOKEN in the environment or .dev.vars');
    process.exit(2);
  }
  const dir = positionals[0]!;
  const { docs, problems, files } = await readDocFolder(dir);
  printProblems(problems, values.strict);
  if (values.strict && problems.length > 0) return fail(`--strict: ${problems.length} of ${files} files cannot be parsed; nothing was uploaded`);
  if (docs.length === 0) return fail(`no uploadable docs in ${dir} (${files} .md/.html/.txt files found); nothing was uploaded`);

  const options = { baseUrl: url, token, replace: values.replace };
  const plan = await planUpload(docs, options);
  printPlan(plan);
  const shrinks = plan.removedShare > plan.maxRemovedShare;
  if (shrinks && !values.replace) {
    console.log(`  this removes ${Math.round(plan.removedShare * 100)}% of the active docs (limit ${Math.round(plan.maxRemovedShare * 100)}% without --replace)`);
  }
  if (values['dry-run'] || plan.upToDate) return;
  if (shrinks && !values.replace) return fail('refused: pass --replace to replace the active help center with this folder');

  const started = Date.now();
  const bar = progressBar('uploading', docs.length);
  // Ctrl-C during the upload abandons the new version instead of leaving it `loading`.
  const interrupt = async () => {
    bar.finish();
    await abandonVersion(plan.version, options).catch(() => undefined);
    console.error(`\ninterrupted: version ${plan.version} abandoned; the active version is unchanged`);
    process.exit(130);
  };
  process.once('SIGINT', interrupt);
  const summary = await uploadCorpus(docs, { ...options, onProgress: (p) => bar.update(p.done, p.skipped ? `${p.docId} (already stored)` : p.docId) });
  process.off('SIGINT', interrupt);
  bar.finish();
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const what = summary.activated ? (summary.created ? 'new version, now active' : 'resumed version, now active') : 'already active, nothing to do';
  console.log(`corpus ${summary.version} (${what})`);
  console.log(`  docs ${summary.docs} (uploaded now: ${summary.uploadedDocs}, skipped files: ${problems.length}), chunks ${summary.chunks}, ~${summary.tokens} tokens, ${seconds}s`);
  console.log(`  retrieval: ${summary.vectors ? 'hybrid (chunks embedded into Vectorize by the Worker)' : 'lexical (AI + VECTORIZE not usable on this Worker, e.g. wrangler dev --local)'}`);
  if (summary.pruned.length > 0) console.log(`  pruned old versions: ${summary.pruned.join(', ')}`);
}

function fail(message: string): never {
  console.error(message);
  process.exit(1);
}

main().catch((error: unknown) => {
  if (error instanceof UploadRefused) return fail(`refused: ${error.message}`);
  console.error(error instanceof Error ? error.message : error);
  // Nothing listening is the usual first-hour cause: a Worker started on another port.
  if (/fetch failed|ECONNREFUSED/.test(String(error instanceof Error ? `${error.message} ${String(error.cause)}` : error))) {
    console.error(`nothing answered: is the Worker running there? A local one started with --port needs PORT=<port> here too, or --url`);
  } else {
    console.error('an interrupted upload resumes where it stopped when you run the same command again');
  }
  process.exit(1);
});
