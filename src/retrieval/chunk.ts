// Split help-center docs into retrievable chunks along their heading structure.
// Pure: the upload script and the Worker share it, so a chunk id means the same
// thing on both sides.

import { decodeHtmlEntities } from './html-entities';

export type ChunkerParams = { targetTokens: number; overlapTokens: number };

/** Bumped whenever the chunking rules change, so the corpus version changes with them. */
export const CHUNKER_REVISION = 3;

export type SourceDoc = { id: string; title: string; url: string | null; body: string };

export type Chunk = {
  chunkId: string;
  docId: string;
  title: string;
  headingPath: string;
  url: string | null;
  text: string;
  tokenCount: number;
  position: number;
};

/** Front matter is `key: value` lines between `---` fences; only flat strings are used. */
export function parseDoc(source: string, fallbackId: string): SourceDoc {
  const match = /^\uFEFF?---\r?\n([\s\S]*?)\r?\n---\r?\n?/.exec(source);
  const fields: Record<string, string> = {};
  if (match) {
    for (const line of match[1]!.split(/\r?\n/)) {
      const kv = /^([A-Za-z_][\w-]*):\s*(.*)$/.exec(line);
      if (kv) fields[kv[1]!.toLowerCase()] = kv[2]!.trim().replace(/^(['"])(.*)\1$/, '$2');
    }
  }
  const raw = match ? source.slice(match[0].length) : source;
  const body = isHtml(raw) ? htmlToMarkdownish(raw) : raw;
  const firstHeading = /^#\s+(.+)$/m.exec(body)?.[1]?.trim();
  return {
    id: fields.id || fallbackId,
    title: fields.title || firstHeading || fallbackId,
    url: fields.url || null,
    body,
  };
}

function isHtml(body: string): boolean {
  return /^\s*<(!doctype|html|body|div|p|h[1-6]|section|article)\b/i.test(body);
}

/** Enough HTML handling for help-center exports: headings survive as markdown, tags go. */
function htmlToMarkdownish(html: string): string {
  const markdown = html
    .replace(/<(script|style)[\s\S]*?<\/\1>/gi, '')
    .replace(/<h([1-6])[^>]*>([\s\S]*?)<\/h\1>/gi, (_, level: string, text: string) => `\n${'#'.repeat(Number(level))} ${text}\n`)
    .replace(/<(br|\/p|\/li|\/div|\/tr)[^>]*>/gi, '\n')
    .replace(/<li[^>]*>/gi, '- ')
    // A link's target is what a reply quoting "go to the sign-in page" needs: kept as markdown, shown as "text (url)".
    // Bounded: an unclosed <a> must not make every later one scan to the end of the doc (quadratic).
    .replace(/<a\s[^>]{0,500}?href\s*=\s*["'](https?:[^"'<>]{1,2000})["'][^>]{0,500}>([^]{0,1000}?)<\/a>/gi, (_, href: string, text: string) => `[${text}](${href})`)
    .replace(/<[^>]+>/g, '');
  return decodeHtmlEntities(markdown);
}

/** Markdown → the plain text that is indexed and quoted to the model. */
function markdownToText(markdown: string): string {
  return markdown
    .replace(/```[a-z]*\n?/gi, '')
    .replace(/!\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/\[([^\]]+)\]\(([^)]+)\)/g, '$1 ($2)')
    .replace(/(\*\*|__)(.+?)\1/g, '$2')
    .replace(/`([^`]+)`/g, '$1')
    .replace(/^>\s?/gm, '')
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** Roughly one token per 0.75 words: close enough for budgeting, and the same everywhere. */
export function estimateTokens(text: string): number {
  const words = text.split(/\s+/).filter(Boolean).length;
  return Math.ceil(words / 0.75);
}

type Section = { headingPath: string[]; text: string };

function sections(doc: SourceDoc): Section[] {
  const result: Section[] = [];
  const path: string[] = [];
  let lines: string[] = [];
  const flush = () => {
    const text = markdownToText(lines.join('\n'));
    if (text) result.push({ headingPath: [...path], text });
    lines = [];
  };
  let inFence = false;
  for (const line of doc.body.split(/\r?\n/)) {
    if (/^```/.test(line)) inFence = !inFence;
    const heading = inFence ? null : /^(#{1,6})\s+(.+?)\s*#*\s*$/.exec(line);
    if (heading) {
      flush();
      const level = heading[1]!.length;
      if (level === 1) continue; // the title: already on every chunk
      path.length = Math.max(0, level - 2);
      path[level - 2] = heading[2]!;
      continue;
    }
    lines.push(line);
  }
  flush();
  return result;
}

/** Cut a long section into windows of ~target tokens with `overlap` tokens repeated. */
function windows(text: string, params: ChunkerParams): string[] {
  if (estimateTokens(text) <= params.targetTokens) return [text];
  const paragraphs = text.split(/\n{2,}/).flatMap((p) => splitLong(p, params.targetTokens));
  const result: string[] = [];
  let current: string[] = [];
  let tokens = 0;
  for (const paragraph of paragraphs) {
    const size = estimateTokens(paragraph);
    if (tokens + size > params.targetTokens && current.length > 0) {
      result.push(current.join('\n\n'));
      const overlap = tailWords(current.join(' '), Math.floor(params.overlapTokens * 0.75));
      current = overlap ? [overlap] : [];
      tokens = estimateTokens(overlap);
    }
    current.push(paragraph);
    tokens += size;
  }
  if (current.length > 0) result.push(current.join('\n\n'));
  return result;
}

function splitLong(paragraph: string, targetTokens: number): string[] {
  const words = paragraph.split(/\s+/).filter(Boolean);
  const perWindow = Math.max(1, Math.floor(targetTokens * 0.75));
  if (words.length <= perWindow) return [paragraph];
  const parts: string[] = [];
  for (let i = 0; i < words.length; i += perWindow) parts.push(words.slice(i, i + perWindow).join(' '));
  return parts;
}

function tailWords(text: string, count: number): string {
  if (count <= 0) return '';
  return text.split(/\s+/).filter(Boolean).slice(-count).join(' ');
}

/** Sections under this share of the target are merged with a neighbour: a lone "Note" line is no answer on its own. */
const TINY_SHARE = 0.25;

function commonPrefix(a: string[], b: string[]): string[] {
  const prefix: string[] = [];
  for (let i = 0; i < Math.min(a.length, b.length) && a[i] === b[i]; i++) prefix.push(a[i]!);
  return prefix;
}

/** Merge tiny sections into their neighbour; the merged chunk keeps the larger part's heading path and names the other's heading in its text. */
function mergeTiny(list: Section[], params: ChunkerParams): Section[] {
  const tiny = Math.floor(params.targetTokens * TINY_SHARE);
  const merged: Section[] = [];
  for (const section of list) {
    const previous = merged.at(-1);
    const [a, b] = [estimateTokens(previous?.text ?? ''), estimateTokens(section.text)];
    if (previous && (a < tiny || b < tiny) && a + b <= params.targetTokens) {
      const path = a >= b ? previous.headingPath : section.headingPath;
      const shared = commonPrefix(previous.headingPath, section.headingPath).length;
      const labelled = (s: Section) => {
        const own = s.headingPath === path ? '' : s.headingPath.slice(shared).filter(Boolean).join(' > ');
        return own ? `${own}\n${s.text}` : s.text;
      };
      merged[merged.length - 1] = { headingPath: path, text: `${labelled(previous)}\n\n${labelled(section)}` };
    } else {
      merged.push(section);
    }
  }
  return merged;
}

export function chunkDoc(doc: SourceDoc, params: ChunkerParams): Chunk[] {
  const chunks: Chunk[] = [];
  for (const section of mergeTiny(sections(doc), params)) {
    for (const text of windows(section.text, params)) {
      const position = chunks.length;
      chunks.push({
        chunkId: `${doc.id}#${position}`,
        docId: doc.id,
        title: doc.title,
        headingPath: section.headingPath.filter(Boolean).join(' > '),
        url: doc.url,
        text,
        tokenCount: estimateTokens(text),
        position,
      });
    }
  }
  return chunks;
}
