// Character references in help-center HTML exports (Zendesk and Intercom bodies are full
// of &rsquo; and &eacute;): decoded in one pass, so "&amp;lt;" stays the text "&lt;".
// Numeric references cover everything; names cover what editors write, accented
// letters composed from their base letter and mark rather than listed one by one.

const NAMED: Record<string, string> = {
  nbsp: ' ', amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", AMP: '&', LT: '<', GT: '>', QUOT: '"',
  lsquo: '‘', rsquo: '’', sbquo: '‚', ldquo: '“', rdquo: '”', bdquo: '„',
  ndash: '–', mdash: '—', hellip: '…', bull: '•', middot: '·', laquo: '«', raquo: '»',
  lsaquo: '‹', rsaquo: '›', rarr: '→', larr: '←', uarr: '↑', darr: '↓', harr: '↔', rArr: '⇒',
  copy: '©', reg: '®', trade: '™', deg: '°', plusmn: '±', times: '×', divide: '÷', para: '¶', sect: '§',
  euro: '€', pound: '£', yen: '¥', cent: '¢', iexcl: '¡', iquest: '¿', shy: '', zwnj: '', zwj: '',
  thinsp: ' ', ensp: ' ', emsp: ' ', frac12: '½', frac14: '¼', frac34: '¾', sup2: '²', sup3: '³', micro: 'µ',
  szlig: 'ß', aelig: 'æ', AElig: 'Æ', oelig: 'œ', OElig: 'Œ', oslash: 'ø', Oslash: 'Ø', eth: 'ð', ETH: 'Ð', thorn: 'þ', THORN: 'Þ',
  check: '✓', hearts: '♥', star: '☆',
};

const MARKS: Record<string, string> = { acute: '\u0301', grave: '\u0300', circ: '\u0302', tilde: '\u0303', uml: '\u0308', ring: '\u030a', cedil: '\u0327', caron: '\u030c' };
const ACCENTED = /^([A-Za-z])(acute|grave|circ|tilde|uml|ring|cedil|caron)$/;

function named(name: string): string | undefined {
  // Own keys only: "&constructor;" is text, not Object.prototype.constructor.
  if (Object.hasOwn(NAMED, name)) return NAMED[name];
  const accented = ACCENTED.exec(name);
  return accented ? `${accented[1]}${MARKS[accented[2]!]}`.normalize('NFC') : undefined;
}

/** What HTML parsers read &#128;–&#159; as (Windows-1252, from Word pastes): the WHATWG table's common ones. */
const WINDOWS_1252: Record<number, string> = {
  128: '€', 130: '‚', 132: '„', 133: '…', 134: '†', 135: '‡', 137: '‰', 139: '‹', 140: 'Œ',
  145: '‘', 146: '’', 147: '“', 148: '”', 149: '•', 150: '–', 151: '—', 152: '˜', 153: '™', 155: '›', 156: 'œ',
};

function numeric(code: number): string | undefined {
  if (Object.hasOwn(WINDOWS_1252, code)) return WINDOWS_1252[code];
  // Not a character, a surrogate half or NUL: left as written rather than throwing.
  if (!Number.isInteger(code) || code <= 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return undefined;
  return String.fromCodePoint(code);
}

export function decodeHtmlEntities(text: string): string {
  return text.replace(/&(#[xX][0-9a-fA-F]{1,6}|#[0-9]{1,7}|[A-Za-z][A-Za-z0-9]{1,31});/g, (whole, ref: string) => {
    const decoded = ref.startsWith('#') ? numeric(ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : Number(ref.slice(1))) : named(ref);
    return decoded ?? whole;
  });
}
