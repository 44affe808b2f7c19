import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { calibrate, DEFAULT_CALIBRATION, fitCalibration, type CalibrationSample } from '../../src/decide/calibration';
import { confidenceFeatures, docLead, siblingDistinct, titleMatch, withSelfScore, type FeatureChunk } from '../../src/decide/confidence-features';
import { recentCalibrations } from '../../src/db/calibrations';
import { calibrationInForce, refitCalibration, refitWhenDue } from '../../src/pipeline/calibration';
import { isHeldOutVerdict, MIN_CALIBRATION_SAMPLES } from '../../src/decide/refit';
import { buildDeps } from '../../src/deps';
import { recordDecision } from '../../src/db/decisions';
import { recordFeedback } from '../../src/db/feedback';
import { storeDraft } from '../../src/pipeline';
import { queryTerms } from '../../src/retrieval/lexical';

const chunk = (docId: string, score: number, rank: number, text = '', title = docId): FeatureChunk => ({ docId, title, text, score, lexicalRank: rank, vectorRank: null });

describe('confidence features', () => {
  it('measures the lead between docs, not between chunks of one doc', () => {
    expect(docLead([chunk('a', 1, 1), chunk('a', 0.9, 2), chunk('b', 0.25, 3)])).toBeCloseTo(0.75);
    expect(docLead([chunk('a', 1, 1), chunk('a', 0.5, 2)])).toBe(1);
    expect(docLead([])).toBe(0);
  });

  it('scores lexical/vector agreement only when both retrievers ran', () => {
    const agree = [{ ...chunk('a', 1, 1), vectorRank: 1 }];
    const disagree = [
      { ...chunk('a', 1, 1), vectorRank: 2 },
      { ...chunk('b', 0.9, 3), vectorRank: 1 },
    ];
    expect(confidenceFeatures(['x'], agree, null).agreement).toBe(1);
    expect(confidenceFeatures(['x'], disagree, null).agreement).toBe(-1);
    expect(confidenceFeatures(['x'], [chunk('a', 1, 1)], null).agreement).toBe(0);
  });

  it('counts how much of the question the top doc covers, stems included', () => {
    const terms = queryTerms('How do I export invoices to PDF?');
    const features = confidenceFeatures(terms, [chunk('export', 1, 1, 'Exporting an invoice as a PDF file', 'Export invoices'), chunk('other', 0.4, 2, 'Unrelated words')], null);
    expect(features.coverage_top).toBe(1);
    expect(features.coverage_ratio).toBe(1);
    expect(features.title_match).toBe(1);
    expect(features.self_score).toBe(0);
  });

  it('scores the selected doc’s share of what retrieval found of the question', () => {
    const terms = ['export', 'invoice', 'pdf', 'email'];
    // The selected doc holds 2 of the 3 terms any retrieved doc holds ("email" is in none).
    const features = confidenceFeatures(terms, [chunk('a', 1, 1, 'export invoice'), chunk('b', 0.2, 2, 'pdf')], null);
    expect(features.coverage_top).toBeCloseTo(2 / 4);
    expect(features.coverage_any).toBeCloseTo(3 / 4);
    expect(features.coverage_ratio).toBeCloseTo(2 / 3);
  });

  it('matches titles from the doc’s side: a restated title counts, one shared word of a long title does not', () => {
    const terms = queryTerms('Hi, how can I cancel my subscription? I am moving to another tool.');
    expect(titleMatch(terms, 'Cancel your subscription')).toBe(1);
    expect(titleMatch(terms, 'Switch your subscription plan, add seats and change the billing cycle')).toBeLessThan(0.25);
    // A title of stop words only says nothing.
    expect(titleMatch(terms, 'How to')).toBe(0);
  });

  it('asks whether the ticket names what sets the selected doc apart from the runner-up', () => {
    const portal = 'Is WebSphere Portal affected by the leap second?';
    const mq = 'Leap second support for WebSphere MQ';
    // The titles differ in "Portal" and "affected" against "support" and "MQ": a Portal question names its own product.
    expect(siblingDistinct(queryTerms(portal), 'Leap second and WebSphere Portal', mq)).toBe(1);
    expect(siblingDistinct(queryTerms(portal), mq, 'Leap second and WebSphere Portal')).toBe(0);
    // Stems: "installing" names the installation doc.
    expect(siblingDistinct(queryTerms('Help installing the agent'), 'Agent installation', 'Agent upgrade')).toBe(1);
    // Same title twice: nothing tells them apart. No runner-up: nothing to tell apart.
    expect(siblingDistinct(queryTerms(portal), mq, mq)).toBe(0);
    expect(siblingDistinct(queryTerms(portal), mq, undefined)).toBe(1);
  });

  it('adds a self-score to retrieval evidence as its log-odds, clamped, and changes nothing else', () => {
    const terms = queryTerms('How do I export invoices to PDF?');
    const chunks = [chunk('export', 1, 1, 'Exporting an invoice as a PDF file', 'Export invoices'), chunk('other', 0.4, 2, 'Unrelated words')];
    const evidence = confidenceFeatures(terms, chunks, null);
    expect([evidence.self_score, evidence.self_present]).toEqual([0, 0]);
    expect(evidence.coverage_top).toBe(1);
    const scored = withSelfScore(evidence, 0.8);
    expect(scored.self_score).toBeCloseTo(Math.log(0.8 / 0.2), 10);
    expect(scored.self_present).toBe(1);
    expect(withSelfScore(evidence, 1).self_score).toBeCloseTo(Math.log(0.99 / 0.01), 10);
    expect({ ...scored, self_score: 0, self_present: 0 }).toEqual(evidence);
    expect(withSelfScore(evidence, null)).toEqual(evidence);
  });
});

describe('the shipped confidence model', () => {
  it('records the version of the fit it came from', () => {
    expect(DEFAULT_CALIBRATION.version).toMatch(/^conf-[0-9a-f]{12}$/);
  });

  it('is more confident when one article covers the question and leads the others', () => {
    const terms = queryTerms('How do I export invoices to PDF?');
    const clear = confidenceFeatures(terms, [chunk('export', 1, 1, 'Export an invoice to PDF: open the invoice, choose Export, then PDF.', 'Export invoices to PDF'), chunk('b', 0.3, 2, 'Invoices')], null);
    const vague = confidenceFeatures(terms, [chunk('x', 1, 1, 'Invoices list', 'Invoices'), chunk('y', 0.95, 2, 'Customers')], null);
    expect(calibrate(DEFAULT_CALIBRATION, clear)).toBeGreaterThan(calibrate(DEFAULT_CALIBRATION, vague));
  });
});

describe('fitCalibration', () => {
  // Right only when retrieval had a clear winner.
  const samples: CalibrationSample[] = Array.from({ length: 200 }, (_, i) => {
    const clear = i % 2 === 0;
    return { features: confidenceFeatures(['a'], [chunk('a', 1, 1, 'a'), chunk('b', clear ? 0.1 : 0.95, 2)], 0.9), label: clear ? 1 : 0 };
  });

  it('learns to trust the lead of the top doc when it separates right from wrong', () => {
    const params = fitCalibration(samples, { priorWeight: 1 });
    expect(calibrate(params, samples[0]!.features)).toBeGreaterThan(0.8);
    expect(calibrate(params, samples[1]!.features)).toBeLessThan(0.2);
  });

  it('stays at the prior without samples', () => {
    expect(fitCalibration([], { prior: DEFAULT_CALIBRATION })).toEqual({ bias: DEFAULT_CALIBRATION.bias, weights: DEFAULT_CALIBRATION.weights });
  });
});

describe('refit from reviewers’ verdicts (D1)', () => {
  const deps = buildDeps(env);
  const { db, config } = deps;
  let seq = 0;

  /** A reviewed draft: a clear retrieval winner or an ambiguous one, approved or rejected. */
  async function reviewed(clear: boolean, approved: (decisionId: string) => boolean) {
    const i = seq++;
    const { ticket } = await storeDraft(
      { source: 'api', messageId: `cal-${i}@example.com`, inReplyTo: null, references: [], from: { address: `c${i}@example.com`, name: null }, to: null, subject: 'q', text: 'export invoice pdf', headers: {}, attachments: [], raw: null, guardReason: null },
      deps,
    );
    const features = confidenceFeatures(['export', 'invoice', 'pdf'], clear ? [chunk('a', 1, 1, 'export invoice pdf'), chunk('b', 0.1, 2)] : [chunk('a', 1, 1, 'invoice'), chunk('b', 0.97, 2, 'pdf')], null);
    const id = `dec_cal_${i}`;
    await recordDecision(db, { id, ticketId: ticket.id, outcome: 'review', reasons: ['below_auto_threshold'], modelConfidence: 0.5, confidence: 0.5, confidenceFeatures: features, thresholds: { autoReply: 0.9, review: 0.5 }, decidedAt: 1 });
    await recordFeedback(db, { ticketId: ticket.id, decisionId: id, verdict: approved(id) ? 'approved' : 'rejected', actor: 'agent@example.com', channel: 'console' }, 2 + i);
  }

  it('keeps the shipped model below the sample minimum, then records an accepted refit that wins', { timeout: 60_000 }, async () => {
    expect(await calibrationInForce(db, config)).toEqual(config.CALIBRATION);
    expect(await refitCalibration(db, config, 1)).toEqual({ status: 'too_few_samples', sampleSize: 0 });
    for (let i = 0; i < MIN_CALIBRATION_SAMPLES + 30; i++) await reviewed(i % 2 === 0, () => i % 2 === 0);

    const result = await refitCalibration(db, config, 1000);
    expect(result).toMatchObject({ status: 'accepted', sampleSize: MIN_CALIBRATION_SAMPLES + 30 });
    const inForce = await calibrationInForce(db, config);
    expect(inForce.version).toMatch(/^refit-cal_/);
    expect(inForce.weights.doc_lead).toBeGreaterThan(config.CALIBRATION.weights.doc_lead);
  });

  it('refuses, and records with its reason, a refit that would lower held-out precision', async () => {
    const before = await calibrationInForce(db, config);
    // Verdicts that reward ambiguous drafts, except on the held-out side: a fit on them cannot hold up.
    for (let i = 0; i < 200; i++) await reviewed(i % 2 === 0, (id) => (isHeldOutVerdict(id) ? i % 2 === 0 : i % 2 === 1));
    const result = await refitCalibration(db, { ...config, AUTO_REPLY_THRESHOLD: 0.6 }, 2000);
    expect(result).toMatchObject({ status: 'refused', reason: 'held_out_precision_lower' });
    expect(await calibrationInForce(db, config)).toEqual(before);
    const [latest] = await recentCalibrations(db, 1);
    expect(latest).toMatchObject({ status: 'refused', reason: 'held_out_precision_lower', fittedAt: 2000 });
    // 200 tickets, decisions and verdicts through D1: slower than the default 5 s on a shared machine.
  }, 60_000);

  it('refits from the cron only once a day, and only when a verdict arrived since the last refit', async () => {
    const [last] = await recentCalibrations(db, 1);
    const day = config.CALIBRATION_REFIT_HOURS * 3_600_000;
    expect(await refitWhenDue(db, config, last!.fittedAt + day / 2)).toBeNull();
    expect(await refitWhenDue(db, config, last!.fittedAt + day)).toBeNull();
    seq = 10_000;
    await reviewed(true, () => true);
    const verdictAt = 2 + 10_000;
    const result = await refitWhenDue(db, config, Math.max(verdictAt, last!.fittedAt) + day);
    expect(result?.status).toMatch(/^(accepted|refused)$/);
    expect((await recentCalibrations(db, 1))[0]!.fittedAt).toBe(Math.max(verdictAt, last!.fittedAt) + day);
  });
});
