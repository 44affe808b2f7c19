// MIN_TERM_COVERAGE holds drafts where the shipped confidence was never fitted to be
// sure: on the committed Worker dump, no case it scores at the auto-reply threshold has
// less than a third of its terms covered, so the floor (a quarter) costs no fitted case.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { calibrate, DEFAULT_CALIBRATION } from '../../src/decide/calibration';
import type { ConfidenceFeatures } from '../../src/decide/confidence-features';
import { SHIPPED_THRESHOLDS } from '../../src/decide/confidence-model';
import { DEFAULT_MIN_TERM_COVERAGE } from '../../src/decide/term-coverage';

const DUMP = path.resolve(import.meta.dirname, '../../corpus/confidence/features.jsonl');
const rows = readFileSync(DUMP, 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((line) => JSON.parse(line) as { id: string; features: ConfidenceFeatures });

describe('the term-coverage floor against the fitted cases', () => {
  it('finds every case the shipped model would auto-reply with at least a third of its terms covered, above the floor', () => {
    const confident = rows.filter((r) => calibrate(DEFAULT_CALIBRATION, r.features) >= SHIPPED_THRESHOLDS.autoReply);
    expect(confident.length).toBeGreaterThan(100);
    const thinnest = Math.min(...confident.map((r) => r.features.coverage_top));
    expect(thinnest).toBeGreaterThanOrEqual(1 / 3 - 1e-9);
    expect(thinnest).toBeGreaterThan(DEFAULT_MIN_TERM_COVERAGE);
  });
});
