// `npm run bench` arguments: pure, so bad-argument handling is unit-tested.
import { parseArgs } from 'node:util';
import type { ParsedArgs } from './eval-args';

export const SCENARIOS = ['bundle', 'sample', 'worker-js', 'routing', 'hostile', 'ingest', 'retrieval'] as const;
export type Scenario = (typeof SCENARIOS)[number];

export const BENCH_USAGE = `usage: npm run bench -- [--json] [--out <file>] [--duration <s>] [--runs <n>] [--sizes <chunks,...>] [--only <scenario,...>]
  --json      print exactly one JSON object on stdout's last line instead of the report
  --out       also write the JSON result to this file
  --duration  seconds of ingest load with autocannon (default 30)
  --runs      repetitions behind each min/median/p95 (default 5)
  --sizes     chunk counts for the lexical retrieval scaling runs (default 1000,10000,50000)
  --only      run only these of ${SCENARIOS.join(', ')} (default all)`;

export type BenchOptions = { json: boolean; out: string | null; durationS: number; runs: number; sizes: number[]; only: Scenario[] };

export function parseBenchArgs(argv: string[]): ParsedArgs<BenchOptions> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        json: { type: 'boolean', default: false },
        out: { type: 'string' },
        duration: { type: 'string', default: '30' },
        runs: { type: 'string', default: '5' },
        sizes: { type: 'string', default: '1000,10000,50000' },
        only: { type: 'string', default: SCENARIOS.join(',') },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (error) {
    return { kind: 'usage_error', message: (error as Error).message };
  }
  if (values.help) return { kind: 'help' };
  const durationS = Number(values.duration);
  if (!Number.isInteger(durationS) || durationS < 1 || durationS > 600) return { kind: 'usage_error', message: `--duration must be whole seconds 1-600, got "${values.duration}"` };
  const runs = Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1 || runs > 50) return { kind: 'usage_error', message: `--runs must be a whole number 1-50, got "${values.runs}"` };
  const sizes = values.sizes.split(',').map((s) => Number(s.trim()));
  if (sizes.some((n) => !Number.isInteger(n) || n < 1 || n > 200_000)) return { kind: 'usage_error', message: `--sizes must be chunk counts 1-200000, got "${values.sizes}"` };
  const only = values.only.split(',').map((s) => s.trim());
  const unknown = only.filter((s) => !(SCENARIOS as readonly string[]).includes(s));
  if (unknown.length > 0 || only.length === 0) return { kind: 'usage_error', message: `--only takes ${SCENARIOS.join(', ')}, got "${values.only}"` };
  return { kind: 'run', options: { json: values.json, out: values.out ?? null, durationS, runs, sizes, only: only as Scenario[] } };
}
