// `npm run eval -- --routing-only`: read the cases, route them in Node, print the report.
import { readFile, writeFile } from 'node:fs/promises';
import { parseCases } from './cases';
import type { EvalOptions } from './eval-args';
import { formatRouting, runRouting, type RoutingCase } from './eval-routing';

export async function routingOnly(options: EvalOptions): Promise<void> {
  const { cases, problems } = parseCases(await readFile(options.cases, 'utf8'));
  for (const p of problems) console.error(`${options.cases}:${p.line}: ${p.message} (skipped)`);
  const routable: RoutingCase[] = cases.flatMap((c) =>
    c.question !== null && c.expectRequestType !== null ? [{ id: c.id, subject: c.subject, text: c.question, expect: c.expectRequestType }] : [],
  );
  if (routable.length === 0) throw new Error(`${options.cases}: no case has text (or question) and expect_request_type`);
  const started = performance.now();
  const summary = runRouting(routable);
  const perSecond = Math.round(routable.length / ((performance.now() - started) / 1000));
  const json = JSON.stringify({ ...summary, cases_per_second: perSecond });
  if (options.out) await writeFile(options.out, `${json}\n`);
  if (options.json) console.log(json);
  else console.log(`${formatRouting(summary, options.cases)}\n${perSecond} cases/s`);
}
