import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { calibrate, calibrationFeatures, DEFAULT_CALIBRATION, fitCalibration, scoreMargin, type CalibrationSample, type EvidenceChunk } from '../../src/decide/calibration';
import { calibrationInForce, MIN_CALIBRATION_SAMPLES, refitCalibration } from '../../src/decide/refit';
import { buildDeps } from '../../src/deps';
import { recordDecision } from '../../src/db/decisions';
import { recordFeedback } from '../../src/db/feedback';
import { storeDraft } from '../../src/ingest/accept';

const lexical = (docId: string, score: number, rank: number): EvidenceChunk => ({ docId, score, lexicalRank: rank, vectorRank: null, vectorScore: null });

describe('calibration features', () => {
  it('measures how far the best doc leads the best other doc', () => {
    expect(scoreMargin([lexical('a', 1, 1), lexical('a', 0.9, 2), lexical('b', 0.25, 3)])).toBeCloseTo(0.75);
    expect(scoreMargin([lexical('a', 1, 1), lexical('a', 0.5, 2)])).toBe(1);
    expect(scoreMargin([])).toBe(0);
  });

  it('scores lexical/vector agreement only when both retrievers ran', () => {
    const agree = [{ docId: 'a', score: 1, lexicalRank: 1, vectorRank: 1, vectorScore: 0.8 }];
    const disagree = [
      { docId: 'a', score: 1, lexicalRank: 1, vectorRank: 2, vectorScore: 0.7 },
      { docId: 'b', score: 0.9, lexicalRank: 3, vectorRank: 1, vectorScore: 0.8 },
    ];
    expect(calibrationFeatures(0.5, agree)).toMatchObject({ agreement: 1, vector: 0.8 });
    expect(calibrationFeatures(0.5, disagree).agreement).toBe(-1);
    expect(calibrationFeatures(0.5, [lexical('a', 1, 1)])).toMatchObject({ agreement: 0, vector: 0 });
  });

  it('passes the model score through with the default prior', () => {
    for (const score of [0.05, 0.45, 0.72, 0.95]) {
      expect(calibrate(DEFAULT_CALIBRATION, calibrationFeatures(score, [lexical('a', 1, 1), lexical('b', 0.3, 2)]))).toBeCloseTo(score, 6);
    }
  });

  it('lets retrieval evidence move the score when the parameters weigh it', () => {
    const params = { ...DEFAULT_CALIBRATION, margin: 2, bias: -1 };
    const clear = calibrate(params, calibrationFeatures(0.8, [lexical('a', 1, 1), lexical('b', 0.1, 2)]));
    const ambiguous = calibrate(params, calibrationFeatures(0.8, [lexical('a', 1, 1), lexical('b', 0.95, 2)]));
    expect(clear).toBeGreaterThan(0.8);
    expect(ambiguous).toBeLessThan(0.8);
  });
});

describe('fitCalibration', () => {
  // A model that says 0.9 for everything, right only when retrieval had a clear winner.
  const overconfident: CalibrationSample[] = Array.from({ length: 200 }, (_, i) => {
    const clear = i % 2 === 0;
    return { features: calibrationFeatures(0.9, [lexical('a', 1, 1), lexical('b', clear ? 0.1 : 0.95, 2)]), label: clear ? 1 : 0 };
  });

  it('learns to trust the margin when the model score alone does not separate right from wrong', () => {
    const params = fitCalibration(overconfident, { priorWeight: 1 });
    expect(params.margin).toBeGreaterThan(3);
    expect(calibrate(params, overconfident[0]!.features)).toBeGreaterThan(0.8);
    expect(calibrate(params, overconfident[1]!.features)).toBeLessThan(0.2);
  });

  it('stays at the prior without samples and moves little with few', () => {
    expect(fitCalibration([])).toEqual(DEFAULT_CALIBRATION);
    const few = fitCalibration(overconfident.slice(0, 4));
    expect(Math.abs(few.margin - DEFAULT_CALIBRATION.margin)).toBeLessThan(Math.abs(fitCalibration(overconfident).margin - DEFAULT_CALIBRATION.margin));
  });
});

describe('refit from human feedback (D1)', () => {
  it('keeps the config prior below the sample minimum, then writes a calibrations row that wins', async () => {
    const deps = buildDeps(env);
    const { db, config } = deps;
    expect(await calibrationInForce(db, config)).toEqual(config.CALIBRATION);
    expect(await refitCalibration(db, config, 1)).toEqual({ status: 'too_few_samples', sampleSize: 0 });

    // Drafts with a clear retrieval winner were approved; ambiguous ones were edited or rejected.
    for (let i = 0; i < MIN_CALIBRATION_SAMPLES + 10; i++) {
      const clear = i % 2 === 0;
      const { ticket } = await storeDraft(
        { source: 'api', messageId: `cal-${i}@example.com`, inReplyTo: null, references: [], from: { address: `c${i}@example.com`, name: null }, to: null, subject: 'q', text: 'question', headers: {}, attachments: [], raw: null, guardReason: null },
        deps,
      );
      const retrieved = [
        { chunkId: 'a#0', docId: 'a', title: 'A', url: null, score: 1, lexicalRank: 1, lexicalScore: 9, vectorRank: null, vectorScore: null },
        { chunkId: 'b#0', docId: 'b', title: 'B', url: null, score: clear ? 0.1 : 0.95, lexicalRank: 2, lexicalScore: 5, vectorRank: null, vectorScore: null },
      ];
      const decision = await recordDecision(db, { id: `dec_cal_${i}`, ticketId: ticket.id, outcome: 'review', reasons: ['below_auto_threshold'], modelConfidence: 0.7, confidence: 0.7, thresholds: { autoReply: 0.72, review: 0.45 }, retrieved, decidedAt: 1 });
      await recordFeedback(db, { ticketId: ticket.id, decisionId: decision.id, verdict: clear ? 'approved' : i % 4 === 1 ? 'edited' : 'rejected', actor: 'agent@example.com', channel: 'console' }, 2 + i);
    }

    const result = await refitCalibration(db, config, 1000);
    expect(result).toMatchObject({ status: 'fitted', sampleSize: MIN_CALIBRATION_SAMPLES + 10 });
    const inForce = await calibrationInForce(db, config);
    expect(inForce).not.toEqual(config.CALIBRATION);
    expect(inForce.margin).toBeGreaterThan(config.CALIBRATION.margin);
  });
});
