// wrangler dev's warnings about cloud-only bindings are true but alarming on a
// machine with no Cloudflare account: npm start says each once, in one line, as
// what it is (a local limitation), and drops the multi-line warning and any stack
// trace it comes with. Everything else passes through unchanged.

const ANSI = /\u001b\[[0-9;]*m/g;

type Rule = { match: RegExp; say: (port: number) => string | null; /** Drop the following lines until a blank one. */ block?: boolean };

const RULES: Rule[] = [
  {
    match: /AI bindings always access remote resources/,
    say: () => 'local: Workers AI (env.AI) is cloud-only and not called here; retrieval is lexical (D1 FTS5)',
  },
  {
    match: /Vectorize Index bindings do not support local development/,
    say: () => 'local: Vectorize (env.VECTORIZE) is cloud-only and not called here',
  },
  {
    match: /Scheduled Workers are not automatically triggered/,
    say: (port) => `local: the cron sweep does not run by itself; trigger it with curl "http://localhost:${port}/cdn-cgi/handler/scheduled"`,
    block: true,
  },
  // A cloud-only binding touched locally throws this; the Worker already falls back.
  { match: /needs to be run remotely/, say: () => null, block: true },
  { match: /^\s*at .*(remote-proxy-client|node:dns|node:internal)/, say: () => null },
];

/** A line filter with memory: each local limitation is said once, its block swallowed. */
export function localNoiseFilter(port: number): (line: string) => string | null {
  const said = new Set<Rule>();
  let swallowing = false;
  return (line) => {
    const plain = line.replace(ANSI, '');
    if (swallowing) {
      if (plain.trim() === '') return null;
      if (/^\s|^stack:/.test(plain)) return null;
      swallowing = false;
    }
    const rule = RULES.find((r) => r.match.test(plain));
    if (!rule) return line;
    swallowing = rule.block ?? false;
    if (said.has(rule)) return null;
    said.add(rule);
    return rule.say(port);
  };
}
