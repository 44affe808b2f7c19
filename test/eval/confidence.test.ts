import { describe, expect, it } from 'vitest';
import { FEATURE_NAMES, type ConfidenceFeatures } from '../../src/decide/confidence-features';
import { atThreshold, auc, calibrationCheck, chooseThreshold, crossFitted, eceNoiseFloor, FIT_PRIOR_WEIGHT, fitRows, leaveOneCorpusOut, leaveOneOutFits, scoredByCorpus, topDocLabel, type FeatureRow, type Scored } from '../../scripts/lib/confidence-fit';
import { caseLine, isHeldOut, publicCases, ticketCases } from '../../scripts/lib/confidence-sets';
import { arrivalOrder, asVerdict, simulateRefits } from '../../scripts/lib/refit-simulation';
import { calibrate, CalibrationParams } from '../../src/decide/calibration';
import { DEFAULT_MIN_TERM_COVERAGE } from '../../src/decide/term-coverage';
import { recommendThreshold } from '../../src/decide/recommend';
import { judgeRefit } from '../../src/decide/refit';
import { parseCases } from '../../scripts/lib/cases';

// Every toy doc holds all of its ticket's terms: only the lead tells cases apart, and no draft is held for thin coverage.
// Every feature, or every weight, at 0.
const ZEROS = Object.fromEntries(FEATURE_NAMES.map((n) => [n, 0])) as ConfidenceFeatures;
const features = (lead: number): ConfidenceFeatures => ({ ...ZEROS, coverage_top: 1, doc_lead: lead });
// Fewer gradient steps than the shipped fit: these toy sets converge long before.
const quickFit = (rows: readonly FeatureRow[]) => fitRows(rows, FIT_PRIOR_WEIGHT, 1500);
const row = (id: string, lead: number, label: 0 | 1, heldOut: boolean): FeatureRow => ({ corpus: 'wixqa', id, heldOut, answerable: true, label, features: features(lead) });

describe('confidence sets', () => {
  it('turns TechQA questions into tickets: answerable ones expect an auto-reply, unanswerable ones a person', () => {
    const text = [
      JSON.stringify({ id: 'Q1', question: 'How do I enable SSL?', answerable: true, gold_doc_ids: ['swg1'] }),
      JSON.stringify({ id: 'Q2', question: 'Why does the server crash?', answerable: false }),
      'not json',
    ].join('\n');
    const { cases, problems } = publicCases('techqa', text);
    expect(cases.map((c) => [c.id, c.expect, c.answerable, c.goldDocIds])).toEqual([
      ['Q1', 'auto_reply', true, ['swg1']],
      ['Q2', 'escalate', false, []],
    ]);
    expect(problems).toEqual([expect.objectContaining({ line: 3 })]);
    // Written as eval cases, they load back through the eval's own parser.
    expect(parseCases(cases.map(caseLine).join('\n')).cases.map((c) => c.expect)).toEqual(['auto_reply', 'escalate']);
  });

  it('keeps only the sample tickets that ask how to do something', () => {
    const text = [
      JSON.stringify({ id: 't1', question: 'How do I export?', expect: 'auto_reply', gold_doc_ids: ['export'] }),
      JSON.stringify({ id: 't2', question: 'Refund me now', expect: 'escalate' }),
    ].join('\n');
    expect(ticketCases(text).cases.map((c) => c.id)).toEqual(['t1']);
  });

  it('holds out about 30% of each corpus, by id alone', () => {
    const ids = Array.from({ length: 1000 }, (_, i) => `Q${i}`);
    const share = ids.filter((id) => isHeldOut('wixqa', id)).length / ids.length;
    expect(share).toBeGreaterThan(0.26);
    expect(share).toBeLessThan(0.34);
    expect(ids.filter((id) => isHeldOut('wixqa', id))).toEqual(ids.filter((id) => isHeldOut('wixqa', id)));
    expect(ids.some((id) => isHeldOut('wixqa', id) !== isHeldOut('techqa', id))).toBe(true);
  });
});

describe('confidence fit metrics', () => {
  it('labels a case right only when it is answerable and the top doc is gold', () => {
    expect(topDocLabel(true, 'a', ['a', 'b'])).toBe(1);
    expect(topDocLabel(true, 'c', ['a'])).toBe(0);
    expect(topDocLabel(false, 'a', ['a'])).toBe(0);
    expect(topDocLabel(true, undefined, ['a'])).toBe(0);
  });

  it('computes AUC with ties counted half', () => {
    const points = [
      { p: 0.9, label: 1 as const, answerable: true },
      { p: 0.5, label: 1 as const, answerable: true },
      { p: 0.5, label: 0 as const, answerable: true },
      { p: 0.1, label: 0 as const, answerable: false },
    ];
    // Pairs (pos, neg): 0.9>0.5, 0.9>0.1, 0.5=0.5 (½), 0.5>0.1 → 3.5 / 4.
    expect(auc(points)).toBeCloseTo(0.875);
    expect(auc(points.filter((p) => p.label === 1))).toBeNull();
    expect(atThreshold(points, 0.5)).toEqual({ threshold: 0.5, replied: 3, precision: 2 / 3, automation: 2 / 3, unanswerableReplied: 0 });
  });

  it('counts no reply for a draft the policy holds for thin term coverage, whatever its probability', () => {
    const thin = (coverage: number): FeatureRow => ({ ...row(`c${coverage}`, 0.9, 1, false), features: { ...features(0.9), coverage_top: coverage } });
    const [held, sent] = [thin(DEFAULT_MIN_TERM_COVERAGE - 0.01), thin(DEFAULT_MIN_TERM_COVERAGE)];
    const sure = { bias: 5, weights: ZEROS }; // every case at p = 0.993
    const points = scoredByCorpus([held, sent], sure).get('wixqa')!;
    expect(points.map((p) => p.held)).toEqual([true, false]);
    expect(atThreshold(points, 0)).toMatchObject({ replied: 1, automation: 1 / 2 });
  });

  it('chooses the lowest threshold from which up every corpus keeps the target precision', () => {
    const point = (p: number, label: 0 | 1): Scored => ({ p, label, answerable: true });
    // A lucky dip: twenty right replies around 0.7 lift precision back over the target below a wrong one at 0.8.
    const wix = [point(0.95, 1), point(0.9, 1), point(0.8, 0), ...Array.from({ length: 20 }, (_, i) => point(0.7 - i * 0.001, 1)), point(0.5, 0)];
    const byCorpus = new Map([['wixqa' as const, wix]]);
    // At 0.6 precision is 22/23 ≥ 0.95, but from 0.71 to 0.8 it is 2/3: only above 0.8 does it hold all the way up.
    expect(atThreshold(wix, 0.6).precision).toBeGreaterThanOrEqual(0.95);
    expect(chooseThreshold(byCorpus, 0.95)).toBe(0.81);
    // Every corpus must agree: one that is right everywhere does not lower another's threshold.
    expect(chooseThreshold(new Map([...byCorpus, ['tickets' as const, [point(0.3, 1)]]]), 0.95)).toBe(0.81);
  });

  it('scores each fitting row by models that did not see it, and a threshold chosen on them holds', () => {
    // Right when the lead is high.
    const rows = Array.from({ length: 40 }, (_, i) => row(`f${i}`, i % 2 === 0 ? 0.9 : 0.1, i % 2 === 0 ? 1 : 0, false));
    // A stand-in fit whose bias names the model, so each score says which model gave it.
    const trainedOn: Set<string>[] = [];
    const labelled = crossFitted(rows, (fitOn) => {
      trainedOn.push(new Set(fitOn.map((r) => r.id)));
      return { bias: trainedOn.length, weights: ZEROS };
    }).get('wixqa')!;
    const modelOf = labelled.map((p) => Math.round(Math.log(p.p / (1 - p.p))) - 1);
    expect(trainedOn).toHaveLength(5);
    expect(rows.every((r, i) => !trainedOn[modelOf[i]!]!.has(r.id))).toBe(true);
    expect(new Set(modelOf).size).toBe(5);

    const byCorpus = crossFitted(rows, quickFit);
    const scored = byCorpus.get('wixqa')!;
    expect(scored).toHaveLength(40);
    expect(auc(scored)).toBe(1);
    const t = chooseThreshold(byCorpus, 0.95);
    expect(t).toBeLessThan(1);
    expect(atThreshold(scored, t).precision).toBe(1);
  });

  it('judges transfer on a corpus the fit never saw', () => {
    // wixqa and techqa: a high lead means right; tickets: the opposite. Left out, tickets is scored by the others' fit.
    const rows = (['wixqa', 'techqa', 'tickets'] as const).flatMap((corpus) =>
      Array.from({ length: 30 }, (_, i) => {
        const high = i % 2 === 0;
        return { ...row(`${corpus}${i}`, high ? 0.9 : 0.1, (corpus === 'tickets' ? !high : high) ? 1 : 0, false), corpus };
      }),
    );
    const [tickets, wixqa] = leaveOneCorpusOut(leaveOneOutFits(['tickets', 'wixqa'], () => rows, 0.95, quickFit));
    expect(tickets).toMatchObject({ corpus: 'tickets', n: 30, auc: 0 });
    // Fitted on tickets and techqa, which disagree, wixqa gets no clear signal.
    expect(wixqa!.corpus).toBe('wixqa');
    expect(wixqa!.n).toBe(30);
  });

  it('estimates the ECE a calibrated model would show by chance: large on few cases, small on many, the same every run', () => {
    const points = (n: number) => Array.from({ length: n }, (_, i): Scored => ({ p: 0.2 + (0.7 * i) / n, label: 1, answerable: true }));
    const few = eceNoiseFloor(points(19))!;
    const many = eceNoiseFloor(points(20_000))!;
    expect(few).toBeGreaterThan(0.1);
    expect(many).toBeLessThan(0.02);
    expect(eceNoiseFloor(points(19))).toBe(few);
    expect(eceNoiseFloor([])).toBeNull();
  });

  it('checks calibration per corpus: a corpus right as often as it says is near its floor, an over-confident one far above', () => {
    // 100 cases at 0.8: right 80 times in one corpus, 40 in the other.
    const at80 = (right: number) => Array.from({ length: 100 }, (_, i): Scored => ({ p: 0.8, label: i < right ? 1 : 0, answerable: true }));
    const [honest, overconfident] = calibrationCheck(
      new Map([
        ['tickets', at80(80)],
        ['techqa', at80(40)],
      ]),
    );
    expect(honest).toMatchObject({ corpus: 'tickets', n: 100 });
    expect(honest!.ece).toBeCloseTo(0, 5);
    expect(overconfident!.ece).toBeCloseTo(0.4, 5);
    expect(overconfident!.eceFloor).toBeLessThan(0.1);
    // The honest corpus's ECE is what chance gives; the over-confident one's, never.
    expect(honest!.chance).toBe(1);
    expect(overconfident!.chance).toBe(0);
  });
});

describe('a new help center refitted on its own verdicts', () => {
  // The fit's corpus: a lead of 1 is always right, 0.5 half the time, 0 never. The new one: 0.5 is always right too.
  const rows = (corpus: FeatureRow['corpus'], halfRight: boolean, n = 120): FeatureRow[] =>
    Array.from({ length: n }, (_, i): FeatureRow => {
      const lead = [1, 0.5, 0][i % 3]!;
      const label = lead === 1 || (lead === 0.5 && (halfRight ? i % 2 === 0 : true)) ? 1 : 0;
      return { corpus, id: `${corpus}-${i}`, heldOut: false, answerable: true, label, features: features(lead) };
    });
  const all = [...rows('wixqa', true), ...rows('tickets', false)];

  it('answers more of what the new help center gets right, once the production refit has seen its verdicts', () => {
    const [none, refitted] = simulateRefits(leaveOneOutFits(['tickets'], () => all, 0.95, quickFit), [0, 45]);
    expect(none).toMatchObject({ verdicts: 0, status: 'none', later: 120 });
    expect(none!.after).toEqual(none!.before);
    expect(refitted).toMatchObject({ verdicts: 45, status: 'accepted', later: 75 });
    expect(refitted!.after.precision).toBe(1);
    expect(refitted!.after.automation!).toBeGreaterThan(refitted!.before.automation! + 0.2);
    // 45 verdicts are too few for the console to recommend a threshold at 0.95's lower bound.
    expect(refitted!.recommended.threshold).toBeNull();
  });

  it("follows the console's recommendation once there are enough verdicts for it", () => {
    const more = [...rows('wixqa', true, 300), ...rows('tickets', false, 300)];
    const [none, refitted] = simulateRefits(leaveOneOutFits(['tickets'], () => more, 0.95, quickFit), [0, 150]);
    expect(none!.recommended.threshold).toBeNull();
    // About 100 right drafts at a lead of 0.5 or more: the threshold comes down to where the new help center is still always right.
    expect(refitted!.recommended.threshold!).toBeLessThan(refitted!.threshold);
    // Every right later case (two in three; a lead of 0 is never right) is answered, and nothing wrong.
    expect(refitted!.recommended.at!.precision).toBe(1);
    expect(refitted!.recommended.at!.automation!).toBeCloseTo(2 / 3, 1);
  });
});

describe('the refit simulation keeps the new help center out of what it starts from', () => {
  const rows = (corpus: FeatureRow['corpus']): FeatureRow[] =>
    Array.from({ length: 90 }, (_, i): FeatureRow => ({ corpus, id: `${corpus}-${i}`, heldOut: false, answerable: true, label: i % 3 === 2 ? 0 : 1, features: features([1, 0.5, 0][i % 3]!) }));
  const all = [...rows('wixqa'), ...rows('tickets')];

  it('fits the starting model and threshold without a single row of the left-out corpus', () => {
    const seen: FeatureRow[] = [];
    const recording = (fitOn: readonly FeatureRow[]) => {
      seen.push(...fitOn);
      return quickFit(fitOn);
    };
    simulateRefits(leaveOneOutFits(['tickets'], () => all, 0.95, recording), [0, 30]);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.filter((r) => r.corpus === 'tickets')).toEqual([]);
  });

  it('starts each refit from the model in force, as the production cron does', () => {
    const [fit] = leaveOneOutFits(['tickets'], () => all, 0.95, quickFit);
    const [first, second] = simulateRefits([fit!], [60, 30]);
    expect(first).toMatchObject({ verdicts: 30, startedFrom: 'loco-tickets', status: 'accepted', params: expect.objectContaining({ version: 'sim-tickets-30' }) });
    expect(second!.verdicts).toBe(60);
    expect(second!.startedFrom).toBe(first!.params.version);
    // The second refit, recomputed from the first one's parameters, is the one in force:
    const verdicts = arrivalOrder(fit!.rows, 0).slice(0, 60).map(asVerdict);
    const chained = judgeRefit(first!.params, verdicts, fit!.threshold, 'sim-tickets-60');
    expect(chained.status).toBe('accepted');
    expect(second).toMatchObject({ status: 'accepted', params: expect.objectContaining({ version: 'sim-tickets-60' }) });
    expect(second!.params).toEqual(chained.status === 'accepted' ? chained.params : null);
    // and it is not what a refit from the shipped model would have given, so starting from it would fail here.
    const shipped = CalibrationParams.parse({ version: 'loco-tickets', ...fit!.params });
    const unchained = judgeRefit(shipped, verdicts, fit!.threshold, 'sim-tickets-60');
    if (unchained.status === 'too_few_samples') throw new Error('the toy set must carry a refit from the shipped model too');
    expect(unchained.params.weights).not.toEqual(second!.params.weights);
  });

  it('scores each draft with the model in force when it arrived, as the console reads them', () => {
    const [fit] = leaveOneOutFits(['tickets'], () => all, 0.95, quickFit);
    // A target of 0.8 needs 16 all-good drafts at its lower bound (20 with minDrafts), so 80 verdicts can carry a recommendation.
    const [first, second] = simulateRefits([fit!], [30, 80], [0], { target: 0.8, minDrafts: 20 });
    expect(first!.status).toBe('accepted');
    const arrivals = arrivalOrder(fit!.rows, 0);
    const shipped = CalibrationParams.parse({ version: 'loco-tickets', ...fit!.params });
    const reviewed = (rows: readonly FeatureRow[], p: CalibrationParams) => rows.map((r) => ({ confidence: calibrate(p, r.features), approved: r.label === 1 }));
    // The first 30 under the shipped model, the next 50 under the refit accepted at 30:
    const asDecided = [...reviewed(arrivals.slice(0, 30), shipped), ...reviewed(arrivals.slice(30, 80), first!.params)];
    expect(second!.reviewed).toEqual(asDecided);
    // not all of them under one model, either one.
    expect(second!.reviewed).not.toEqual(reviewed(arrivals.slice(0, 80), shipped));
    expect(second!.reviewed).not.toEqual(reviewed(arrivals.slice(0, 80), first!.params));
    const recommended = recommendThreshold(asDecided, 0.8, 20).threshold;
    expect(recommended).not.toBeNull();
    expect(second!.recommended.threshold).toBe(recommended);
  });

  it('scores each order on the cases after its verdicts, and different orders put different cases first', () => {
    const steps = simulateRefits(leaveOneOutFits(['tickets'], () => all, 0.95, quickFit), [30], [0, 1, 2]);
    expect(steps.map((s) => [s.salt, s.verdicts, s.later])).toEqual([
      [0, 30, 60],
      [1, 30, 60],
      [2, 30, 60],
    ]);
    // The orders differ: the same model before the refit scores different later cases.
    const befores = new Set(steps.map((s) => JSON.stringify(s.before)));
    expect(befores.size).toBeGreaterThan(1);
  });
});
