import { describe, expect, it } from 'vitest';
import { formatRegressions, regressions, type HeldOutReport } from '../../scripts/lib/train-guard';

const report = (version: string, bitext: [number | null, number | null], banking: [number | null, number | null]): HeldOutReport => ({
  version,
  held_out: {
    bitext: { person_recall: bitext[0], how_to_false_person: bitext[1] },
    banking77: { person_recall: banking[0], how_to_false_person: banking[1] },
  },
});

describe('the retrain guard', () => {
  const shipped = report('rt-old', [1, 0.01], [0.92, 0.08]);

  it('lets a retrain ship when no held-out set got worse', () => {
    expect(regressions(shipped, report('rt-new', [1, 0.01], [0.93, 0.07]))).toEqual([]);
  });

  it('refuses lower person recall or more how-to false alarms, per set', () => {
    const found = regressions(shipped, report('rt-new', [0.98, 0.01], [0.92, 0.09]));
    expect(found).toEqual([
      { source: 'bitext', metric: 'person_recall', before: 1, after: 0.98 },
      { source: 'banking77', metric: 'how_to_false_person', before: 0.08, after: 0.09 },
    ]);
    expect(formatRegressions(found, 'rt-old')).toContain('bitext person_recall: 1 → 0.98');
  });

  it('ignores sets only one report measured and metrics with no cases', () => {
    const next: HeldOutReport = { version: 'rt-new', held_out: { ...report('rt-new', [null, 0.01], [0.92, 0.08]).held_out, check: { person_recall: 0.5, how_to_false_person: 0.5 } } };
    expect(regressions(shipped, next)).toEqual([]);
  });
});
