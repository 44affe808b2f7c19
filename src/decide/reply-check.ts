// Checks on a drafted reply before it may go out on its own. The model sees
// untrusted text; these catch what an injection could make it write.

const URL_PATTERN = /\bhttps?:\/\/[^\s<>"')\]]+/gi;

/** Phrases from our own prompt that must never reach a customer. */
const PROMPT_MARKERS = [/<ticket>/i, /<\/?docs?>/i, /\bsystem prompt\b/i, /\bTicketResponse\b/, /\bconfidence_score\b/, /\bdoc_sources\b/];

export type ReplyCheckInput = {
  reply: string;
  /** Text of the retrieved chunks (with their source URLs): the only URLs a reply may contain. */
  docs: { text: string; url: string | null }[];
  /** Secret values that must never appear in output (API keys, tokens). */
  secrets: string[];
};

function hostOf(url: string): string | null {
  try {
    return new URL(url).host.toLowerCase();
  } catch {
    return null;
  }
}

export function checkReply({ reply, docs, secrets }: ReplyCheckInput): string[] {
  const problems: string[] = [];
  if (secrets.some((s) => s.length >= 8 && reply.includes(s))) problems.push('reply_leaks_secret');
  if (PROMPT_MARKERS.some((p) => p.test(reply))) problems.push('reply_leaks_prompt');
  const allowedHosts = new Set<string>();
  for (const doc of docs) {
    for (const url of [doc.url ?? '', ...(doc.text.match(URL_PATTERN) ?? [])]) {
      const host = url ? hostOf(url) : null;
      if (host) allowedHosts.add(host);
    }
  }
  const urls = reply.match(URL_PATTERN) ?? [];
  if (urls.some((url) => !allowedHosts.has(hostOf(url) ?? ''))) problems.push('reply_unknown_url');
  return problems;
}
