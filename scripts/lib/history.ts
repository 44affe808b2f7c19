// A team's support history for `npm run replay`: past tickets with the reply a person
// actually sent, from JSONL ({id, from, subject, text, human_reply, request_type?}) or
// an mbox export of the support mailbox (threads paired by In-Reply-To). A line or
// message that cannot be used is reported with its line number and skipped.

export type HistoryItem = {
  id: string;
  from: string;
  from_name: string | null;
  subject: string;
  text: string;
  human_reply: string;
  request_type: string | null;
  /** Where it starts in the file (1-based), for messages about it. */
  line: number;
};

export type HistoryProblem = { line: number; reason: string };

export type History = { items: HistoryItem[]; problems: HistoryProblem[]; format: 'jsonl' | 'mbox' };

const EMAIL = /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/;

const nonEmpty = (value: unknown): value is string => typeof value === 'string' && value.trim().length > 0;

/** One JSON object per line; blank lines are allowed. Ids must be unique in the file. */
export function parseJsonl(text: string): History {
  const items: HistoryItem[] = [];
  const problems: HistoryProblem[] = [];
  const seen = new Map<string, number>();
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    if (!raw.trim()) return;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (error) {
      problems.push({ line, reason: `not JSON: ${(error as Error).message}` });
      return;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return void problems.push({ line, reason: 'not a JSON object' });
    const record = value as Record<string, unknown>;
    const missing = ['id', 'from', 'text', 'human_reply'].filter((field) => !nonEmpty(record[field]));
    if (missing.length > 0) return void problems.push({ line, reason: `missing ${missing.join(', ')}` });
    const from = String(record.from).trim();
    if (!EMAIL.test(from)) return void problems.push({ line, reason: `from is not an email address: ${from.slice(0, 80)}` });
    const id = String(record.id).trim();
    const earlier = seen.get(id);
    if (earlier !== undefined) return void problems.push({ line, reason: `duplicate id ${id} (first on line ${earlier})` });
    seen.set(id, line);
    items.push({
      id,
      from,
      from_name: nonEmpty(record.from_name) ? record.from_name.trim() : null,
      subject: typeof record.subject === 'string' ? record.subject : '',
      text: String(record.text).trim(),
      human_reply: String(record.human_reply).trim(),
      request_type: nonEmpty(record.request_type) ? record.request_type.trim() : null,
      line,
    });
  });
  return { items, problems, format: 'jsonl' };
}

type MboxMessage = { line: number; headers: Map<string, string>; body: string };

/** Split at `From ` separator lines (mboxrd: `>From ` in a body is unescaped one level). */
function splitMbox(text: string): MboxMessage[] {
  const lines = text.split(/\r?\n/);
  const messages: MboxMessage[] = [];
  let current: { line: number; lines: string[] } | null = null;
  const flush = () => {
    if (current) messages.push(readMessage(current.line, current.lines));
  };
  lines.forEach((line, index) => {
    if (/^From \S/.test(line) && (index === 0 || lines[index - 1] === '')) {
      flush();
      current = { line: index + 1, lines: [] };
    } else if (current) {
      current.lines.push(line.replace(/^>(>*From )/, '$1'));
    }
  });
  flush();
  return messages;
}

function readMessage(line: number, lines: string[]): MboxMessage {
  const blank = lines.indexOf('');
  const headerLines = blank === -1 ? lines : lines.slice(0, blank);
  const headers = new Map<string, string>();
  let last = '';
  for (const raw of headerLines) {
    if (/^[ \t]/.test(raw) && last) headers.set(last, `${headers.get(last)} ${raw.trim()}`);
    else {
      const colon = raw.indexOf(':');
      if (colon <= 0) continue;
      last = raw.slice(0, colon).trim().toLowerCase();
      if (!headers.has(last)) headers.set(last, raw.slice(colon + 1).trim());
    }
  }
  const body = blank === -1 ? '' : lines.slice(blank + 1).join('\n');
  return { line, headers, body: plainText(headers, body) };
}

/** The text/plain part of a message, decoded from base64 or quoted-printable (UTF-8). */
function plainText(headers: Map<string, string>, body: string): string {
  const type = headers.get('content-type') ?? 'text/plain';
  const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
  if (/^multipart\//i.test(type) && boundary) {
    for (const part of body.split(`--${boundary}`).slice(1)) {
      const [head = '', ...rest] = part.replace(/^\n/, '').split('\n\n');
      const partHeaders = new Map<string, string>();
      for (const h of head.replace(/\n[ \t]+/g, ' ').split('\n')) {
        const colon = h.indexOf(':');
        if (colon > 0) partHeaders.set(h.slice(0, colon).trim().toLowerCase(), h.slice(colon + 1).trim());
      }
      if (/^text\/plain/i.test(partHeaders.get('content-type') ?? 'text/plain')) return plainText(partHeaders, rest.join('\n\n'));
    }
    return '';
  }
  const encoding = (headers.get('content-transfer-encoding') ?? '').toLowerCase();
  if (encoding === 'base64') return new TextDecoder().decode(Uint8Array.from(atob(body.replace(/\s+/g, '')), (c) => c.charCodeAt(0)));
  if (encoding === 'quoted-printable') {
    const bytes = body.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
    return new TextDecoder().decode(Uint8Array.from(bytes, (c) => c.charCodeAt(0)));
  }
  return body;
}

const angleId = (value: string | undefined) => /<([^<>\s]+)>/.exec(value ?? '')?.[1] ?? (value?.trim() || null);

function mailbox(value: string | undefined): { address: string; name: string | null } | null {
  if (!value) return null;
  const angled = /^(.*)<([^<>\s]+@[^<>\s]+)>\s*$/.exec(value);
  if (angled) return { address: angled[2]!.toLowerCase(), name: angled[1]!.trim().replace(/^"|"$/g, '') || null };
  return EMAIL.test(value.trim()) ? { address: value.trim().toLowerCase(), name: null } : null;
}

/** What a person wrote in a reply: the quoted customer text and its "On … wrote:" line removed. */
export function ownText(body: string): string {
  const kept: string[] = [];
  for (const line of body.split('\n')) {
    if (/^On .+wrote:\s*$/.test(line.trim())) break;
    if (line.startsWith('>')) continue;
    kept.push(line);
  }
  return kept.join('\n').trim();
}

/**
 * Threads of a support mailbox: each message that starts a thread (its In-Reply-To is
 * not in the file) is a ticket, and the first reply to it from another sender is what
 * a person answered. `supportAddresses`, when given, must be the reply's sender.
 */
export function parseMbox(text: string, options: { supportAddresses?: string[] } = {}): History {
  const support = new Set((options.supportAddresses ?? []).map((a) => a.toLowerCase()));
  const problems: HistoryProblem[] = [];
  const messages = splitMbox(text);
  const byId = new Map<string, MboxMessage>();
  const usable: (MboxMessage & { id: string; from: { address: string; name: string | null } })[] = [];
  for (const message of messages) {
    const id = angleId(message.headers.get('message-id'));
    const from = mailbox(message.headers.get('from'));
    if (!id) problems.push({ line: message.line, reason: 'no Message-ID' });
    else if (!from) problems.push({ line: message.line, reason: 'no usable From address' });
    else if (byId.has(id)) problems.push({ line: message.line, reason: `duplicate Message-ID ${id}` });
    else {
      byId.set(id, message);
      usable.push({ ...message, id, from });
    }
  }
  const repliesTo = new Map<string, (typeof usable)[number][]>();
  for (const message of usable) {
    const parent = angleId(message.headers.get('in-reply-to'));
    if (parent && byId.has(parent)) repliesTo.set(parent, [...(repliesTo.get(parent) ?? []), message]);
  }
  const items: HistoryItem[] = [];
  for (const message of usable) {
    const parent = angleId(message.headers.get('in-reply-to'));
    if (parent && byId.has(parent)) continue; // a reply, paired below with its ticket
    if (support.has(message.from.address)) continue; // outbound mail that started a thread: not a ticket
    const reply = (repliesTo.get(message.id) ?? []).find((r) => r.from.address !== message.from.address && (support.size === 0 || support.has(r.from.address)));
    const text = message.body.trim();
    const humanReply = reply ? ownText(reply.body) : '';
    if (!text) problems.push({ line: message.line, reason: `ticket ${message.id} has no text/plain body` });
    else if (!reply) problems.push({ line: message.line, reason: `ticket ${message.id} has no reply from support in the file` });
    else if (!humanReply) problems.push({ line: reply.line, reason: `the reply to ${message.id} has no text of its own` });
    else {
      items.push({
        id: message.id,
        from: message.from.address,
        from_name: message.from.name,
        subject: message.headers.get('subject') ?? '',
        text,
        human_reply: humanReply,
        request_type: null,
        line: message.line,
      });
    }
  }
  return { items, problems, format: 'mbox' };
}

/** By extension (.mbox, else JSONL), or by content: an mbox starts with a `From ` line. */
export function parseHistory(fileName: string, text: string, options: { supportAddresses?: string[] } = {}): History {
  return /\.mbox$/i.test(fileName) || /^From \S/.test(text) ? parseMbox(text, options) : parseJsonl(text);
}
