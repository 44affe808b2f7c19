// `npm run eval` arguments: pure, so bad-argument handling is unit-tested.
import { parseArgs } from 'node:util';

export const EVAL_USAGE = `usage: npm run eval -- [--corpus <dir>] [--cases <file.jsonl>] [--retriever lexical|hybrid]
                      [--responder offline|claude] [--support-address <addr>] [--routing-only] [--json] [--out <file>]
  --corpus           folder of markdown docs with front matter id/title (default: corpus/docs)
  --cases            JSONL, one case a line: {id, question | eml, subject?, from?, expect?, gold_doc_ids?} (default: corpus/tickets.jsonl)
  --retriever        lexical (default; local D1 FTS5) or hybrid (Workers AI + Vectorize: a Cloudflare account only, needs CLOUDFLARE_API_TOKEN)
  --responder        offline (default; no network) or claude (the real Anthropic API, needs ANTHROPIC_API_KEY)
  --support-address  the mailbox the cases were sent to (SUPPORT_ADDRESS for the run)
  --routing-only     only the request-type classifier and the policy, in Node (no Worker); cases need expect_request_type
  --json             print exactly one JSON object on stdout's last line instead of the table
  --out              also write the JSON result to this file`;

export type EvalOptions = {
  corpus: string;
  cases: string;
  retriever: 'lexical' | 'hybrid';
  responder: 'offline' | 'claude';
  supportAddress: string | null;
  routingOnly: boolean;
  json: boolean;
  out: string | null;
};

export type ParsedArgs<T> = { kind: 'run'; options: T } | { kind: 'help' } | { kind: 'usage_error'; message: string };

export function parseEvalArgs(argv: string[], env: Record<string, string | undefined>): ParsedArgs<EvalOptions> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        corpus: { type: 'string', default: 'corpus/docs' },
        cases: { type: 'string', default: 'corpus/tickets.jsonl' },
        retriever: { type: 'string', default: 'lexical' },
        responder: { type: 'string', default: 'offline' },
        'support-address': { type: 'string' },
        'routing-only': { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        out: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (error) {
    return { kind: 'usage_error', message: (error as Error).message };
  }
  if (values.help) return { kind: 'help' };
  const { retriever, responder } = values;
  if (retriever !== 'lexical' && retriever !== 'hybrid') return { kind: 'usage_error', message: `--retriever must be lexical or hybrid, got "${retriever}"` };
  if (responder !== 'offline' && responder !== 'claude') return { kind: 'usage_error', message: `--responder must be offline or claude, got "${responder}"` };
  if (responder === 'claude' && !env.ANTHROPIC_API_KEY?.trim()) {
    return { kind: 'usage_error', message: '--responder claude calls the real Anthropic API: set ANTHROPIC_API_KEY' };
  }
  if (retriever === 'hybrid' && !env.CLOUDFLARE_API_TOKEN?.trim()) {
    return {
      kind: 'usage_error',
      message: '--retriever hybrid needs Workers AI and Vectorize, which exist only in a Cloudflare account: set CLOUDFLARE_API_TOKEN (locally only lexical runs)',
    };
  }
  const supportAddress = values['support-address'] ?? null;
  if (supportAddress !== null && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(supportAddress)) {
    return { kind: 'usage_error', message: `--support-address must be an email address, got "${supportAddress}"` };
  }
  if (!values.corpus || !values.cases) return { kind: 'usage_error', message: '--corpus and --cases need a value' };
  return {
    kind: 'run',
    options: {
      corpus: values.corpus,
      cases: values.cases,
      retriever,
      responder,
      supportAddress,
      routingOnly: values['routing-only'],
      json: values.json,
      out: values.out ?? null,
    },
  };
}
