import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { unstable_readConfig } from 'wrangler';
import { withThresholds } from '../../scripts/lib/confidence-fit';
import { SHIPPED_THRESHOLDS } from '../../src/decide/confidence-model';

describe('the thresholds a deployment runs with', () => {
  it('are the ones the shipped confidence model was fitted with', () => {
    // wrangler.toml's [vars] beat the artifact's defaults: a drift here ships a model at another model's threshold.
    const vars = unstable_readConfig({ config: 'wrangler.toml' }).vars;
    expect(Number(vars.AUTO_REPLY_THRESHOLD)).toBe(SHIPPED_THRESHOLDS.autoReply);
    expect(Number(vars.REVIEW_THRESHOLD)).toBe(SHIPPED_THRESHOLDS.review);
  });

  it('are rewritten in place by a refit, the rest of wrangler.toml kept', () => {
    const toml = readFileSync('wrangler.toml', 'utf8');
    const refitted = withThresholds(toml, { autoReply: 0.91, review: 0.4 });
    expect(refitted).toMatch(/^AUTO_REPLY_THRESHOLD = "0.91"$/m);
    expect(refitted).toMatch(/^REVIEW_THRESHOLD = "0.4"$/m);
    const others = (text: string) => text.split('\n').filter((l) => !/^(AUTO_REPLY|REVIEW)_THRESHOLD = /.test(l));
    expect(others(refitted)).toEqual(others(toml));
    expect(() => withThresholds('[vars]\nREVIEW_THRESHOLD = "0.5"\n', { autoReply: 0.9, review: 0.5 })).toThrow(/AUTO_REPLY_THRESHOLD/);
  });
});
