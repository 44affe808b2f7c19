// Checks on a drafted reply before it may go out on its own. The model sees
// untrusted text; these catch what an injection could make it write. Links are
// found with or without a scheme (`www.evil.example/reset`, `evil.example/reset`),
// and so are email addresses: a reply may only point where the retrieved docs do.
import { memoByText } from '../memo-by-text';

/** Phrases from our own prompt that must never reach a customer. */
const PROMPT_MARKERS = [/<ticket>/i, /<\/?docs?>/i, /\bsystem prompt\b/i, /\bTicketResponse\b/, /\bconfidence_score\b/, /\bdoc_sources\b/];

/** Words split at whitespace and at the brackets and quotes that wrap links in prose and markdown. */
const WORD_BREAK = /[\s()<>[\]{}"'`]+/;
/** Sentence punctuation around a word is not part of a link. */
const EDGE_PUNCTUATION = new Set(['.', ',', ';', ':', '!', '?', '*', '_']);

/** One word, anchored, with no ambiguous repetition: linear on any input. */
const LINK = /^(?:(https?):\/\/)?([a-z0-9-]+(?:\.[a-z0-9-]+)+)(?::\d{1,5})?([/?#].*)?$/i;
const EMAIL = /^[^@]+@([a-z0-9-]+(?:\.[a-z0-9-]+)+)$/i;

/** "report.pdf" is a file name, not a site; with a path, `www.` or a scheme it is a link whatever its ending. */
const FILE_ENDINGS = new Set(['csv', 'pdf', 'json', 'txt', 'xls', 'xlsx', 'doc', 'docx', 'png', 'jpg', 'jpeg', 'gif', 'zip', 'xml', 'html', 'htm', 'js', 'ts', 'md', 'log', 'qbo', 'ofx']);

export type ReplyCheckInput = {
  reply: string;
  /** Text of the retrieved chunks (with their source URLs): the only links and addresses a reply may contain. */
  docs: { text: string; url: string | null }[];
  /** Secret values that must never appear in output (API keys, tokens). */
  secrets: string[];
  /** Our own addresses (SUPPORT_ADDRESS): a reply may always name them. */
  ownAddresses?: string[];
};

function trimEdges(word: string): string {
  let start = 0;
  let end = word.length;
  while (start < end && EDGE_PUNCTUATION.has(word[start]!)) start++;
  while (end > start && EDGE_PUNCTUATION.has(word[end - 1]!)) end--;
  return word.slice(start, end);
}

const withoutWww = (host: string) => (host.startsWith('www.') ? host.slice(4) : host);

type Links = { hosts: ReadonlySet<string>; emails: ReadonlySet<string> };

/** Hosts linked to and addresses named in `text`, lower case. */
function linksIn(text: string): Links {
  const hosts = new Set<string>();
  const emails = new Set<string>();
  for (const raw of text.split(WORD_BREAK)) {
    // Links and addresses have a dot; most words do not, and trimming cannot add one.
    if (!raw.includes('.')) continue;
    const word = trimEdges(raw);
    if (!word.includes('.')) continue;
    const email = EMAIL.exec(word);
    if (email) {
      emails.add(word.toLowerCase());
      continue;
    }
    const link = LINK.exec(word);
    if (!link) continue;
    const [, scheme, hostText, path] = link;
    const host = hostText!.toLowerCase();
    const ending = host.slice(host.lastIndexOf('.') + 1);
    // Version numbers and abbreviations ("1.2.3", "e.g") have no alphabetic top-level label.
    if (!scheme && !/^[a-z]{2,24}$/.test(ending)) continue;
    if (!scheme && !path && !host.startsWith('www.') && FILE_ENDINGS.has(ending)) continue;
    hosts.add(withoutWww(host));
  }
  return { hosts, emails };
}

// Every reply is checked against the chunks retrieved for it: the links of each doc text are kept.
const docLinksIn = memoByText(4096, linksIn);

// A doc's URL is parsed once per isolate, not once per ticket that retrieves it.
const hostOf = memoByText(4096, (url): string | null => {
  try {
    return withoutWww(new URL(url).hostname.toLowerCase());
  } catch {
    return null;
  }
});

export function checkReply({ reply, docs, secrets, ownAddresses = [] }: ReplyCheckInput): string[] {
  const problems: string[] = [];
  if (secrets.some((s) => s.length >= 8 && reply.includes(s))) problems.push('reply_leaks_secret');
  if (PROMPT_MARKERS.some((p) => p.test(reply))) problems.push('reply_leaks_prompt');
  const allowedHosts = new Set<string>();
  const allowedEmails = new Set(ownAddresses.map((a) => a.toLowerCase()));
  for (const doc of docs) {
    const host = doc.url ? hostOf(doc.url) : null;
    if (host) allowedHosts.add(host);
    const found = docLinksIn(doc.text);
    for (const h of found.hosts) allowedHosts.add(h);
    for (const e of found.emails) allowedEmails.add(e);
  }
  const found = linksIn(reply);
  if ([...found.hosts].some((host) => !allowedHosts.has(host))) problems.push('reply_unknown_url');
  if ([...found.emails].some((email) => !allowedEmails.has(email))) problems.push('reply_unknown_email');
  return problems;
}
