// npm run corpus:import -- --from zendesk|intercom <out dir> <export.json> [more pages…]
// Turns a help center's articles export into a docs folder for corpus:upload.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { articlesOf, toDocFiles, type ExportedArticle, type HelpCenter } from './lib/helpcenter-export';

const usage = `usage: npm run corpus:import -- --from zendesk|intercom <out dir> <export.json> [more pages…]
  zendesk   pages of GET /api/v2/help_center/{locale}/articles.json (drafts are skipped)
  intercom  pages of GET https://api.intercom.io/articles (only published articles)
Writes one .html file per article (front matter id, title, url) into <out dir>; then
  npm run corpus:upload -- <out dir> --dry-run`;

async function main() {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { from: { type: 'string' }, help: { type: 'boolean', default: false } } });
  const from = values.from;
  if (values.help || (from !== 'zendesk' && from !== 'intercom') || positionals.length < 2) {
    console.error(usage);
    process.exit(values.help ? 0 : 2);
  }
  const [out, ...pages] = positionals as [string, ...string[]];
  const articles: ExportedArticle[] = [];
  for (const page of pages) {
    try {
      articles.push(...articlesOf(from as HelpCenter, JSON.parse(await readFile(page, 'utf8'))));
    } catch (error) {
      console.error(`${page}: not a ${from} articles export (${error instanceof Error ? error.message.split('\n')[0] : String(error)})`);
      process.exit(1);
    }
  }
  const files = toDocFiles(articles);
  await mkdir(out, { recursive: true });
  for (const file of files) await writeFile(path.join(out, file.name), file.content);
  console.log(`${files.length} articles written to ${out} (${articles.length - files.length} without title or body skipped)`);
  console.log(`next: npm run corpus:upload -- ${out} --dry-run`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
