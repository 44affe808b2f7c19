import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseDoc, type SourceDoc } from '../../src/retrieval/chunk';

/** Every .md / .markdown / .html file under `dir`, parsed (front matter `id`, `title`, `url`). */
export async function readDocs(dir: string): Promise<SourceDoc[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files = entries
    .filter((e) => e.isFile() && /\.(md|markdown|html?)$/i.test(e.name))
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
  const docs = await Promise.all(
    files.map(async (file) => parseDoc(await readFile(file, 'utf8'), path.basename(file).replace(/\.[^.]+$/, ''))),
  );
  const seen = new Map<string, string>();
  for (const [i, doc] of docs.entries()) {
    const other = seen.get(doc.id);
    if (other) throw new Error(`duplicate doc id "${doc.id}" in ${other} and ${files[i]}`);
    seen.set(doc.id, files[i]!);
  }
  return docs;
}

/** Why a file in a docs folder is not uploaded. */
export type DocProblem = { file: string; reason: 'empty' | 'unclosed_front_matter' | 'no_title' | 'duplicate_id'; detail: string };

/** The files an upload reads from a docs folder (subfolders too); anything else is left alone. */
export const DOC_FILE = /\.(md|markdown|html?|txt)$/i;

/**
 * A docs folder as an upload sees it: every Markdown, HTML and plain-text file
 * parsed, and each one that cannot be a help-center article listed with its
 * reason instead of being uploaded with a made-up title or an empty body.
 */
export async function readDocFolder(dir: string): Promise<{ docs: SourceDoc[]; problems: DocProblem[]; files: number }> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files = entries
    .filter((e) => e.isFile() && DOC_FILE.test(e.name))
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
  const docs: SourceDoc[] = [];
  const problems: DocProblem[] = [];
  const seen = new Map<string, string>();
  for (const file of files) {
    const checked = checkDoc(await readFile(file, 'utf8'), file);
    if ('reason' in checked) {
      problems.push(checked);
      continue;
    }
    const other = seen.get(checked.id);
    if (other) {
      problems.push({ file, reason: 'duplicate_id', detail: `doc id "${checked.id}" is also used by ${other}` });
      continue;
    }
    seen.set(checked.id, file);
    docs.push(checked);
  }
  return { docs, problems, files: files.length };
}

/** One file → a doc, or the reason it is not one. Plain text's first line is its title. */
export function checkDoc(source: string, file: string): SourceDoc | DocProblem {
  const fallbackId = path.basename(file).replace(/\.[^.]+$/, '');
  const text = source.replace(/^\uFEFF/, '');
  if (/^---\r?\n/.test(text) && !/^---\r?\n[\s\S]*?\r?\n---(\r?\n|$)/.test(text)) {
    return { file, reason: 'unclosed_front_matter', detail: 'starts with a --- front matter line that is never closed' };
  }
  const plain = /\.txt$/i.test(file) && !/^---\r?\n/.test(text);
  const doc = plain ? plainTextDoc(text, fallbackId) : parseDoc(text, fallbackId);
  if (!/[\p{L}\p{N}]/u.test(doc.body.replace(/<[^>]*>/g, ''))) return { file, reason: 'empty', detail: 'no text after the front matter' };
  if (!plain && doc.title === fallbackId && !/^---[\s\S]*?\btitle:/.test(text)) {
    const htmlTitle = /<title[^>]*>([^<]{1,300})<\/title>/i.exec(text)?.[1]?.trim();
    if (!htmlTitle) return { file, reason: 'no_title', detail: 'no front matter title, no # heading, no <title> or <h1>' };
    doc.title = htmlTitle;
  }
  return doc;
}

function plainTextDoc(text: string, id: string): SourceDoc {
  const lines = text.split(/\r?\n/);
  const first = lines.findIndex((l) => l.trim() !== '');
  const title = first >= 0 ? lines[first]!.trim().slice(0, 300) : id;
  return { id, title, url: null, body: `# ${title}\n\n${lines.slice(first + 1).join('\n').trim()}\n` };
}

/** KEY=value lines of a .dev.vars / .env file. */
export async function readVars(file: string): Promise<Record<string, string>> {
  const text = await readFile(file, 'utf8').catch(() => '');
  const vars: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const match = /^\s*([A-Z0-9_]+)\s*=\s*(.*?)\s*$/.exec(line);
    if (match) vars[match[1]!] = match[2]!.replace(/^(['"])(.*)\1$/, '$2');
  }
  return vars;
}
