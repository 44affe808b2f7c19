// npm run eval: answer quality on your own docs and tickets, through the real
// Worker in local workerd with a fresh local D1. See docs/measuring.md "Measuring quality".
import { writeFile } from 'node:fs/promises';
import { EVAL_USAGE, parseEvalArgs } from './lib/eval-args';
import { formatReport } from './lib/eval-report';
import { runEval } from './lib/eval-run';
import { routingOnly } from './lib/eval-routing-cli';

async function main() {
  const parsed = parseEvalArgs(process.argv.slice(2), process.env);
  if (parsed.kind === 'help') return console.log(EVAL_USAGE);
  if (parsed.kind === 'usage_error') {
    console.error(`${parsed.message}\n\n${EVAL_USAGE}`);
    process.exit(2);
  }
  const { options } = parsed;
  if (options.routingOnly) return routingOnly(options);
  const { summary } = await runEval(options);
  const json = JSON.stringify(summary);
  if (options.out) await writeFile(options.out, `${json}\n`);
  if (options.json) console.log(json);
  else console.log(formatReport(summary, `${options.cases} against ${options.corpus} (${options.retriever} retriever, ${options.responder} responder)`));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
