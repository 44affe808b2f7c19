// npm run corpus:import -- --from zendesk|intercom <out dir> <export.json> [more pages…]
// Turns a help center's articles export into a docs folder for corpus:upload.
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DOC_FILE } from './lib/docs';
import { articlesOf, toDocFiles, type ExportedArticle, type HelpCenter } from './lib/helpcenter-export';

const usage = `usage: npm run corpus:import -- --from zendesk|intercom [--prune] <out dir> <export.json> [more pages…]
  zendesk   pages of GET /api/v2/help_center/{locale}/articles.json (drafts are skipped)
  intercom  pages of GET https://api.intercom.io/articles (only published articles)
Writes one .html file per article (front matter id, title, url) into <out dir>; then
  npm run corpus:upload -- <out dir> --dry-run
  --prune   delete the files in <out dir> this export does not write (articles since unpublished,
            deleted or renamed); without it such files make the import stop, as they would be uploaded`;

async function main() {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { from: { type: 'string' }, prune: { type: 'boolean', default: false }, help: { type: 'boolean', default: false } } });
  const from = values.from;
  if (values.help || (from !== 'zendesk' && from !== 'intercom') || positionals.length < 2) {
    console.error(usage);
    process.exit(values.help ? 0 : 2);
  }
  const [out, ...pages] = positionals as [string, ...string[]];
  const articles: ExportedArticle[] = [];
  let unpublished = 0;
  for (const page of pages) {
    try {
      const read = articlesOf(from as HelpCenter, JSON.parse(await readFile(page, 'utf8')));
      articles.push(...read.articles);
      unpublished += read.unpublished;
    } catch (error) {
      console.error(`${page}: not a ${from} articles export (${error instanceof Error ? error.message.split('\n')[0] : String(error)})`);
      process.exit(1);
    }
  }
  const files = toDocFiles(articles);
  await mkdir(out, { recursive: true });
  const stale = await filesNotIn(out, new Set(files.map((f) => f.name)));
  if (stale.length && !values.prune) {
    console.error(
      `${out} holds ${stale.length} file(s) this export does not: ${stale.slice(0, 5).join(', ')}${stale.length > 5 ? ', …' : ''}\n` +
        'corpus:upload would upload them as articles (an unpublished or deleted article would go on answering tickets).\n' +
        'Re-run with --prune to delete them, or import into an empty folder.',
    );
    process.exit(1);
  }
  for (const name of stale) await rm(path.join(out, name));
  if (stale.length) console.log(`${stale.length} file(s) no longer in the export deleted: ${stale.join(', ')}`);
  for (const file of files) await writeFile(path.join(out, file.name), file.content);
  console.log(`${files.length} articles written to ${out} (${unpublished} drafts or unpublished and ${articles.length - files.length} without title or body skipped)`);
  console.log(`next: npm run corpus:upload -- ${out} --dry-run`);
}

/** The docs an upload of `dir` would read (readDocFolder's files) that this export does not write. */
async function filesNotIn(dir: string, keep: ReadonlySet<string>): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && DOC_FILE.test(e.name))
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .filter((name) => !keep.has(name))
    .sort();
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
