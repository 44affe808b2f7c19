// The customer's own words: HTML turned into text, quoted history and signatures
// removed, so retrieval and the model see the question and not the thread.

/** "On <date>, <name> wrote:" (Gmail, Apple Mail, Thunderbird, Yahoo) and its translations. */
const ATTRIBUTION =
  /^((-+\s*)?(on|le|am|el|il|op|em)\s.{0,300}(wrote|a écrit|schrieb|escribió|ha scritto|schreef|escreveu)\s*:?|am\s.{0,300}\sschrieb\s.{0,200}:|[^\s:>][^:>]{0,100}\swrote:)\s*$/i;

/** Markers after which everything is the forwarded or quoted original, unprefixed (Outlook, AOL, Yahoo). */
const ORIGINAL_MESSAGE = [
  /^-{2,}\s*(original message|urspr(ü|ue)ngliche nachricht|message d'origine|mensaje original)\s*-{2,}\s*$/i,
  /^_{10,}\s*$/,
];

/** Outlook's header block ("From: … / Sent: … / To: …") starts the quoted history. */
function isOutlookBlock(lines: string[], index: number): boolean {
  if (!/^\*?from:\*?\s+\S/i.test(lines[index]!.trim())) return false;
  return lines.slice(index + 1, index + 4).some((line) => /^\*?(sent|date):\*?\s+\S/i.test(line.trim()));
}

/** RFC 3676 signature separator, and the mobile clients' footers. */
const SIGNATURE = /^(--\s?|sent from my \w+.*|get outlook for \w+.*)$/i;

const isQuoted = (line: string) => /^\s*>/.test(line);

/**
 * Remove quoted history and signatures. An attribution line and the `>` lines
 * after it are dropped (bottom-posted answers below them are kept); an Outlook or
 * "Original Message" block and a signature end the text. A message that is only
 * a quote keeps the quoted words, so nothing is silently emptied.
 */
export function stripQuotedReply(text: string): string {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const kept: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trimEnd();
    const trimmed = line.trim();
    if (ORIGINAL_MESSAGE.some((pattern) => pattern.test(trimmed)) || isOutlookBlock(lines, i) || SIGNATURE.test(trimmed)) break;
    const attribution = ATTRIBUTION.test(trimmed);
    // Gmail wraps a long attribution: "On …, Name <address>" then "wrote:" on the next line.
    const wrapped = !attribution && /^(-+\s*)?on\s/i.test(trimmed) && ATTRIBUTION.test(`${trimmed} ${lines[i + 1]?.trim() ?? ''}`);
    if (attribution || wrapped) {
      if (wrapped) i++;
      continue;
    }
    if (isQuoted(line)) continue;
    kept.push(line);
  }
  const stripped = collapseBlankLines(kept.join('\n'));
  if (stripped) return stripped;
  return collapseBlankLines(lines.filter((line) => !ATTRIBUTION.test(line.trim())).map((line) => line.replace(/^(\s*>)+\s?/, '')).join('\n'));
}

function collapseBlankLines(text: string): string {
  return text
    .split('\n')
    .map((line) => line.replace(/[ \t\u00a0]+$/g, ''))
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

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, entity: string) => {
    if (entity[0] === '#') {
      const code = entity[1] === 'x' || entity[1] === 'X' ? parseInt(entity.slice(2), 16) : parseInt(entity.slice(1), 10);
      return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return ENTITIES[entity] ?? ENTITIES[entity.toLowerCase()] ?? whole;
  });
}

/**
 * HTML-only mail to plain text: invisible parts and quoted history (blockquote,
 * Gmail/Outlook quote containers) removed, block elements become line breaks.
 */
export function htmlToText(html: string): string {
  const text = html
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/<(head|style|script|title)\b[\s\S]*?<\/\1\s*>/gi, '')
    .replace(/<blockquote\b[\s\S]*?<\/blockquote\s*>/gi, '')
    .replace(/<div[^>]*class="[^"]*(gmail_quote|yahoo_quoted)[^"]*"[\s\S]*$/i, '')
    .replace(/<div[^>]*id="(divRplyFwdMsg|appendonsend)"[\s\S]*$/i, '')
    // Source line breaks are only whitespace in HTML; the markup decides where lines end.
    .replace(/\s+/g, ' ')
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<li\b[^>]*>/gi, '\n- ')
    .replace(/<\/(p|div|h[1-6]|tr|table|ul|ol|pre|blockquote)\s*>/gi, '\n')
    .replace(/<(p|div|h[1-6]|tr|table)\b[^>]*>/gi, '\n')
    .replace(/<\/t[dh]\s*>/gi, ' ')
    .replace(/<[^>]+>/g, '');
  return collapseBlankLines(
    decodeEntities(text)
      .split('\n')
      .map((line) => line.replace(/[ \t\u00a0]+/g, ' ').trim())
      .join('\n'),
  );
}

/** The text a ticket keeps: the plain part when it says something, else the HTML as text; quotes stripped; capped. */
export function customerText(parts: { text?: string | null; html?: string | null }, maxChars: number): string {
  const plain = parts.text?.trim() ? parts.text : parts.html ? htmlToText(parts.html) : '';
  return stripQuotedReply(plain ?? '').slice(0, maxChars);
}
