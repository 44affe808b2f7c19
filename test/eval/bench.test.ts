import { describe, expect, it } from 'vitest';
import { parseBenchArgs } from '../../scripts/lib/bench-args';
import { costPlans, OUTPUT_TOKENS } from '../../scripts/lib/cost';
import { percentile, spread } from '../../scripts/lib/stats';

describe('bench statistics', () => {
  it('takes nearest-rank percentiles, so p95 of twenty runs is the nineteenth', () => {
    const runs = Array.from({ length: 20 }, (_, i) => 20 - i);
    expect(percentile(runs, 95)).toBe(19);
    expect(spread([5, 1, 3])).toEqual({ min: 1, median: 3, p95: 5, n: 3 });
  });
});

describe('cost per ticket', () => {
  it('prices fast-only, cascade and strong-only from prompt sizes and the strong band', () => {
    // 1,000-token prompts; one of two tickets falls in the strong band.
    const plans = costPlans(
      [
        { promptTokens: 1000, inStrongBand: true },
        { promptTokens: 1000, inStrongBand: false },
      ],
      { fast: 'claude-haiku-4-5', strong: 'claude-sonnet-4-6' },
    );
    const haiku = (1000 * 1 + OUTPUT_TOKENS * 5) / 1e6;
    const sonnet = (1000 * 3 + OUTPUT_TOKENS * 15) / 1e6;
    expect(plans.fast_only.usd_per_ticket).toBeCloseTo(haiku, 12);
    expect(plans.strong_only.usd_per_ticket).toBeCloseTo(sonnet, 12);
    expect(plans.cascade.usd_per_ticket).toBeCloseTo(haiku + sonnet / 2, 12);
    expect(plans.cascade.calls_per_ticket).toBe(1.5);
    expect(plans.cascade.tokens_in).toBe(1500);
  });

  it('refuses a model it has no price for', () => {
    expect(() => costPlans([{ promptTokens: 1, inStrongBand: false }], { fast: 'gpt-x', strong: 'claude-sonnet-4-6' })).toThrow(/no price for model gpt-x/);
  });
});

describe('bench arguments', () => {
  it('defaults to 30 s of load, five runs and 1k/10k/50k chunks', () => {
    expect(parseBenchArgs([])).toEqual({
      kind: 'run',
      options: { json: false, out: null, durationS: 30, runs: 5, sizes: [1000, 10000, 50000], only: ['bundle', 'sample', 'worker-js', 'routing', 'hostile', 'ingest', 'retrieval'] },
    });
  });

  it('runs only the scenarios named by --only', () => {
    const parsed = parseBenchArgs(['--only', 'retrieval, ingest']);
    expect(parsed.kind === 'run' && parsed.options.only).toEqual(['retrieval', 'ingest']);
  });

  it.each([
    [['--duration', '0'], /--duration must be whole seconds/],
    [['--duration', '1.5'], /--duration must be whole seconds/],
    [['--runs', 'many'], /--runs must be a whole number/],
    [['--sizes', '1000,x'], /--sizes must be chunk counts/],
    [['--fast'], /Unknown option '--fast'/],
    [['--only', 'retrieval,cpu'], /--only takes bundle, sample, worker-js, routing, hostile, ingest, retrieval/],
  ])('refuses %j with a usage error', (argv, message) => {
    const parsed = parseBenchArgs(argv);
    expect(parsed.kind === 'usage_error' && parsed.message).toMatch(message);
  });
});
