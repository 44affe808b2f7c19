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
