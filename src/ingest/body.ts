// The customer's own words: HTML turned into text, quoted history and signatures
// removed, so retrieval and the model see the question and not the thread.
// Every function here is linear in its input: a stranger writes it, and one mail
// must not stall a queue batch. Tags and comments are found with indexOf, trailing
// whitespace with trimEnd(); the few regular expressions left run on one bounded
// line and have no nested or adjacent unbounded quantifiers (test/ingest/hostile.test.ts).

/** An attribution is one short line; anything longer is the customer's text, and is never matched. */
const MAX_ATTRIBUTION_CHARS = 400;

/** "On <date>, <name> wrote:" (Gmail, Apple Mail, Thunderbird, Yahoo) and its translations, on a trimmed line. */
const ATTRIBUTION =
  /^(?:(?:-+\s*)?(?:on|le|am|el|il|op|em)\s.{0,300}(?:wrote|a écrit|schrieb|escribió|ha scritto|schreef|escreveu)\s{0,3}:?|am\s.{0,300}\sschrieb\s.{0,200}:|[^\s:>][^:>]{0,100}\swrote:)$/i;

const isAttribution = (trimmed: string) => trimmed.length <= MAX_ATTRIBUTION_CHARS && ATTRIBUTION.test(trimmed);

/** Markers after which everything is the forwarded or quoted original, unprefixed (Outlook, AOL, Yahoo). */
const ORIGINAL_MESSAGE = /^-{2,}\s*(?:original message|urspr(?:ü|ue)ngliche nachricht|message d'origine|mensaje original)\s*-{2,}$/i;

function isOriginalMessageMarker(trimmed: string): boolean {
  if (trimmed.length >= 10 && /^_+$/.test(trimmed)) return true;
  return trimmed.length <= MAX_ATTRIBUTION_CHARS && ORIGINAL_MESSAGE.test(trimmed);
}

/** Outlook's header block ("From: … / Sent: … / To: …") starts the quoted history. */
function isOutlookBlock(lines: string[], index: number): boolean {
  if (!/^\*?from:\*?\s+\S/i.test(lines[index]!.trim())) return false;
  return lines.slice(index + 1, index + 4).some((line) => /^\*?(?:sent|date):\*?\s+\S/i.test(line.trim()));
}

/** RFC 3676 signature separator ("-- "), and the mobile clients' footers. */
const SIGNATURE = /^(?:--$|sent from my \w|get outlook for \w)/i;

/** A `>` after optional leading whitespace, found without a regular expression. */
function isQuoted(line: string): boolean {
  return line.trimStart().startsWith('>');
}

/** Every leading `>` (and the whitespace around them) removed. */
function unquote(line: string): string {
  let start = 0;
  while (start < line.length && (line[start] === '>' || /\s/.test(line[start]!))) start++;
  return line.slice(start);
}

/** CRLF and lone CR become LF: the one line ending every text function expects. */
export function normalizeNewlines(text: string): string {
  return text.replace(/\r\n?/g, '\n');
}

/**
 * Remove quoted history and signatures. An attribution line and the `>` lines
 * after it are dropped (bottom-posted answers below them are kept); an Outlook or
 * "Original Message" block and a signature end the text. A message that is only
 * a quote keeps the quoted words, so nothing is silently emptied.
 */
export function stripQuotedReply(text: string): string {
  const lines = normalizeNewlines(text).split('\n');
  const kept: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trimEnd();
    const trimmed = line.trim();
    if (isOriginalMessageMarker(trimmed) || isOutlookBlock(lines, i) || SIGNATURE.test(trimmed)) break;
    const attribution = isAttribution(trimmed);
    // Gmail wraps a long attribution: "On …, Name <address>" then "wrote:" on the next line.
    const wrapped = !attribution && /^(?:-+\s*)?on\s/i.test(trimmed) && isAttribution(`${trimmed} ${lines[i + 1]?.trim() ?? ''}`);
    if (attribution || wrapped) {
      if (wrapped) i++;
      continue;
    }
    if (isQuoted(line)) continue;
    kept.push(line);
  }
  const stripped = collapseBlankLines(kept.join('\n'));
  if (stripped) return stripped;
  return collapseBlankLines(lines.filter((line) => !isAttribution(line.trim())).map(unquote).join('\n'));
}

/** Trailing whitespace off every line, at most one blank line in a row, no blank edges. */
export function collapseBlankLines(text: string): string {
  return text
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

const ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
  copy: '©',
  reg: '®',
  euro: '€',
  hellip: '…',
  mdash: '—',
  ndash: '–',
  lsquo: '‘',
  rsquo: '’',
  ldquo: '“',
  rdquo: '”',
  bdquo: '„',
  laquo: '«',
  raquo: '»',
  uuml: 'ü',
  ouml: 'ö',
  auml: 'ä',
  Uuml: 'Ü',
  Ouml: 'Ö',
  Auml: 'Ä',
  szlig: 'ß',
  eacute: 'é',
  egrave: 'è',
  agrave: 'à',
  ccedil: 'ç',
};

/** Entity names and numbers are short; bounding them keeps a long `&aaaa…` run linear. */
function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]{1,8}|#\d{1,8}|[a-z]{1,10});/gi, (whole, entity: string) => {
    if (entity[0] === '#') {
      const code = entity[1] === 'x' || entity[1] === 'X' ? parseInt(entity.slice(2), 16) : parseInt(entity.slice(1), 10);
      return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return ENTITIES[entity] ?? ENTITIES[entity.toLowerCase()] ?? whole;
  });
}

/** Elements whose content is never text a person wrote. */
const INVISIBLE = new Set(['head', 'style', 'script', 'title']);
/** Opening tags that start a new line. */
const BLOCK_OPEN = new Set(['p', 'div', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'tr', 'table']);
/** Closing tags that end a line. */
const BLOCK_CLOSE = new Set([...BLOCK_OPEN, 'ul', 'ol', 'pre', 'blockquote']);

/** ASCII-only lower case: same length as the input, so offsets found in it apply to the original. */
const asciiLower = (text: string) => text.replace(/[A-Z]+/g, (s) => s.toLowerCase());

type Tag = { name: string; closing: boolean; open: number; close: number };

const isNameChar = (code: number) => (code >= 0x61 && code <= 0x7a) || (code >= 0x30 && code <= 0x39);

/** The tag between `lower[open]` (`<`) and `lower[close]` (`>`): its name (`<div class=…>` → div), '' when it has none (`< 3`, `<!doctype`). */
function parseTag(lower: string, open: number, close: number): Tag {
  const closing = lower.charCodeAt(open + 1) === 0x2f;
  const start = closing ? open + 2 : open + 1;
  const first = lower.charCodeAt(start);
  let end = start;
  if (first >= 0x61 && first <= 0x7a) while (end < close && isNameChar(lower.charCodeAt(end))) end++;
  return { name: lower.slice(start, end), closing, open, close };
}

/** Any markup htmlToText removes as quoted history unless `keepQuotes` (literals only: one linear scan). */
const QUOTE_CONTAINER = /<blockquote|gmail_quote|yahoo_quoted|divrplyfwdmsg|appendonsend/i;

/** Gmail's and Yahoo's quote containers, Outlook's reply header: the rest of the document is history. */
function startsQuotedHistory(tag: Tag, lower: string): boolean {
  if (tag.closing || tag.name !== 'div') return false;
  const source = lower.slice(tag.open, tag.close + 1);
  if (source.includes('id="divrplyfwdmsg"') || source.includes('id="appendonsend"')) return true;
  for (let at = source.indexOf('class="'); at >= 0; at = source.indexOf('class="', at + 1)) {
    const end = source.indexOf('"', at + 7);
    const value = source.slice(at + 7, end < 0 ? undefined : end);
    if (value.includes('gmail_quote') || value.includes('yahoo_quoted')) return true;
  }
  return false;
}

function tagText(tag: Tag): string {
  if (tag.name === 'br') return '\n';
  if (tag.name === 'li' && !tag.closing) return '\n- ';
  if (tag.closing && BLOCK_CLOSE.has(tag.name)) return '\n';
  if (!tag.closing && BLOCK_OPEN.has(tag.name)) return '\n';
  if (tag.closing && (tag.name === 'td' || tag.name === 'th')) return ' ';
  return '';
}

/**
 * HTML-only mail to plain text: invisible parts removed, block elements become line
 * breaks. Quoted history (blockquote, Gmail/Outlook quote containers) is removed
 * too unless `keepQuotes` (the unstripped copy the checks read). One pass over the
 * input: every search starts where the last one ended, and a search that found
 * nothing is not repeated, so no input makes it quadratic.
 */
export function htmlToText(html: string, options: { keepQuotes?: boolean } = {}): string {
  const lower = asciiLower(html);
  /** Text as written, its whitespace collapsed (source line breaks are only whitespace in HTML), and the markup's own line breaks. */
  const pieces: string[] = [];
  const text = (value: string) => {
    if (value) pieces.push(value.replace(/\s+/g, ' '));
  };
  /** Closing markers known to be absent from the rest of the document. */
  const absent = new Set<string>();
  const find = (marker: string, from: number): number => {
    if (absent.has(marker)) return -1;
    const at = lower.indexOf(marker, from);
    if (at < 0) absent.add(marker);
    return at;
  };
  /** End of `</name\s*>` at or after `from`, or -1. */
  const closeOf = (name: string, from: number): number => {
    for (let at = find(`</${name}`, from); at >= 0; at = find(`</${name}`, at + 1)) {
      let end = at + name.length + 2;
      while (end < lower.length && /\s/.test(lower[end]!)) end++;
      if (lower[end] === '>') return end + 1;
    }
    return -1;
  };
  let at = 0;
  while (at < html.length) {
    const open = lower.indexOf('<', at);
    if (open < 0) break;
    text(html.slice(at, open));
    if (lower.startsWith('<!--', open)) {
      const end = find('-->', open + 4);
      if (end >= 0) {
        at = end + 3;
        continue;
      }
    }
    if (lower[open + 1] === '>') {
      // `<>` is text: a tag holds at least one character.
      text('<>');
      at = open + 2;
      continue;
    }
    const close = find('>', open + 2);
    if (close < 0) {
      // No tag closes after this point: the rest is text as written.
      at = open;
      break;
    }
    const tag = parseTag(lower, open, close);
    at = close + 1;
    if (!tag.closing && INVISIBLE.has(tag.name)) {
      const end = closeOf(tag.name, at);
      if (end >= 0) at = end;
      continue;
    }
    if (!options.keepQuotes && !tag.closing && tag.name === 'blockquote') {
      const end = closeOf('blockquote', at);
      if (end >= 0) at = end;
      continue;
    }
    if (!options.keepQuotes && startsQuotedHistory(tag, lower)) {
      at = html.length;
      break;
    }
    const markup = tagText(tag);
    if (markup) pieces.push(markup);
  }
  text(html.slice(at));
  return collapseBlankLines(
    decodeEntities(pieces.join(''))
      .split('\n')
      .map((line) => line.replace(/[ \t\u00a0]+/g, ' ').trim())
      .join('\n'),
  );
}

export type TextLimits = {
  /** Customer text kept per ticket (MAX_BODY_CHARS). */
  maxChars: number;
  /** Plain or HTML input read at all (MAX_SCAN_CHARS): the rest is in the raw message only. */
  maxScanChars: number;
};

export type CustomerText = {
  /** Quotes and signatures stripped: what retrieval and the model read. */
  text: string;
  /** Everything the customer sent as text, quotes and signatures included; null when it equals `text`. */
  unstripped: string | null;
};

/** The unstripped copy, or null when stripping removed nothing. */
export function unstrippedCopy(full: string, stripped: string, maxChars: number): string | null {
  const unstripped = collapseBlankLines(normalizeNewlines(full)).slice(0, maxChars);
  return unstripped && unstripped !== stripped ? unstripped : null;
}

/**
 * The text a ticket keeps: the plain part when it says something, else the HTML as
 * text; quotes stripped; both copies capped. Input is cut at `maxScanChars` before
 * any pattern runs.
 */
export function customerText(parts: { text?: string | null; html?: string | null }, limits: TextLimits): CustomerText {
  const plainInput = parts.text?.trim() ? parts.text.slice(0, limits.maxScanChars) : null;
  const html = plainInput === null && parts.html ? parts.html.slice(0, limits.maxScanChars) : null;
  const plain = plainInput ?? (html ? htmlToText(html) : '');
  const text = stripQuotedReply(plain).slice(0, limits.maxChars);
  // Without a quote container the unstripped HTML reads the same: convert it once.
  const full = plainInput ?? (html ? (QUOTE_CONTAINER.test(html) ? htmlToText(html, { keepQuotes: true }) : plain) : '');
  return { text, unstripped: unstrippedCopy(full, text, limits.maxChars) };
}

/** Cap a header-borne string (subject, display name) before anything reads it, and fold it onto one line. */
export function singleLine(value: string | null | undefined, maxChars: number): string {
  return (value ?? '').slice(0, maxChars * 2).replace(/\s+/g, ' ').trim().slice(0, maxChars).trimEnd();
}
