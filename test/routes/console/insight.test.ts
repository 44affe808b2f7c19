import { beforeAll, describe, expect, it } from 'vitest';
import { database } from '../../../src/db/client';
import { calibrations, decisions, feedback, tickets, type FeedbackVerdict, type Outcome } from '../../../src/db/schema';
import { DEFAULT_CALIBRATION } from '../../../src/decide/calibration';
import { confidenceFeatures } from '../../../src/decide/confidence-features';
import { env } from '../../helpers';
import { ConsoleUser } from './client';

const db = database(env.DB);
const NOW = Date.now();
const HOUR = 3_600_000;
let user: ConsoleUser;
let seq = 0;

type Seed = {
  confidence: number;
  outcome: Outcome;
  verdicts?: FeedbackVerdict[];
  intent?: string;
  reasons?: string[];
  retrieved?: number;
  subject?: string;
  at?: number;
  features?: Record<string, number>;
  requestType?: string;
  source?: 'api' | 'replay';
  mode?: 'shadow' | 'auto';
  policyOutcome?: Outcome;
};

async function seed(row: Seed): Promise<string> {
  const id = `tkt_seed_${String(++seq).padStart(3, '0')}`;
  const at = row.at ?? NOW - HOUR;
  await db.insert(tickets).values({
    id,
    source: row.source ?? 'api',
    messageId: `${id}@example.com`,
    threadId: `${id}@example.com`,
    fromAddress: 'customer@example.com',
    toAddress: 'support@example.com',
    subject: row.subject ?? `ticket ${seq}`,
    bodyText: 'text',
    status: 'done',
    receivedAt: at,
    updatedAt: at,
  });
  const retrieved = Array.from({ length: row.retrieved ?? 1 }, (_, i) => ({
    chunkId: `doc#${i}`, docId: 'doc', title: 'Doc', url: null, score: 1, lexicalRank: i + 1, lexicalScore: 3, vectorRank: null, vectorScore: null,
  }));
  await db.insert(decisions).values({
    id: `dec_${id}`,
    ticketId: id,
    outcome: row.outcome,
    reasons: row.reasons ?? [],
    requestType: row.requestType ?? null,
    confidence: row.confidence,
    modelConfidence: row.confidence,
    thresholds: { autoReply: 0.72, review: 0.45 },
    intent: row.intent ?? 'reset_password',
    retrieved,
    confidenceFeatures: row.features ?? null,
    decidedAt: at,
    mode: row.mode ?? null,
    policyOutcome: row.policyOutcome ?? null,
    classifierVersion: 'rt-test',
    calibrationVersion: 'conf-test',
  });
  // Verdicts in order, a minute apart: the last one is the person's final word.
  for (const [i, verdict] of (row.verdicts ?? []).entries()) {
    await db.insert(feedback).values({ id: `fbk_${id}_${i}`, ticketId: id, decisionId: `dec_${id}`, verdict, actor: 'lead', channel: 'slack', createdAt: at + (i + 1) * 60_000 });
  }
  return id;
}

const many = async (n: number, row: Seed) => {
  for (let i = 0; i < n; i++) await seed(row);
};

beforeAll(async () => {
  // The known set of test/decide/recommend.test.ts, through real rows: 40 reviewed drafts.
  // Shadow verdicts (would send / would not send) and post-hoc ones (right / wrong) count as approvals and rejections do.
  await many(8, { confidence: 0.95, outcome: 'auto_reply', verdicts: ['approved'] });
  await many(2, { confidence: 0.95, outcome: 'auto_reply', verdicts: ['right'] });
  // 0.85: 9 approved (one after an earlier rejection), 1 rejected (then taken over: not a verdict on the draft).
  await many(8, { confidence: 0.85, outcome: 'review', verdicts: ['approved'] });
  await seed({ confidence: 0.85, outcome: 'review', verdicts: ['rejected', 'approved'] });
  await seed({ confidence: 0.85, outcome: 'review', verdicts: ['rejected', 'taken_over'] });
  await many(8, { confidence: 0.75, outcome: 'review', verdicts: ['approved'] });
  await seed({ confidence: 0.75, outcome: 'review', verdicts: ['edited'] });
  await seed({ confidence: 0.75, outcome: 'auto_reply', verdicts: ['wrong'] });
  await many(3, { confidence: 0.55, outcome: 'review', verdicts: ['would_send'] });
  await many(4, { confidence: 0.55, outcome: 'review', verdicts: ['rejected'] });
  await many(3, { confidence: 0.55, outcome: 'review', verdicts: ['would_not_send'] });
  // A request-type review is not a verdict on the draft.
  await seed({ confidence: 0.55, outcome: 'review', verdicts: ['type_confirmed'] });
  // Not reviewed: counted in outcomes, not in calibration.
  await many(2, { confidence: 0.3, outcome: 'ignore' });
  await seed({ confidence: 0.6, outcome: 'escalate', verdicts: ['taken_over'], intent: 'reset_password', reasons: ['sensitive_topic:refund'] });
  // KB gaps: escalated with weak retrieval.
  await many(3, { confidence: 0.1, outcome: 'escalate', intent: 'cancel_subscription', retrieved: 0, reasons: ['model_escalated'], subject: 'How do I cancel?' });
  await seed({ confidence: 0.3, outcome: 'escalate', intent: 'invoice_vat', reasons: ['below_review_threshold'], subject: 'VAT on invoices' });
  user = await ConsoleUser.login('Lead');
});

describe('insight from the feedback table', () => {
  it('recommends no threshold on 40 drafts: 19 of 20 good at 0.85 is at least 76.4%, and shows how far off that is', async () => {
    const html = await user.page('/console/insight');
    const recommendation = /<div class="card" id="recommendation">(.*?)<\/div><\/div>/s.exec(html)![1]!;
    expect(recommendation).toContain('<div class="big">not enough evidence</div>');
    expect(recommendation).toContain('40 reviewed; with none wrong that takes 73 drafts at or above it');
    expect(recommendation).toContain('Closest: 0.85, 1 of 20 drafts not good, lower bound 76.4%.');
  });

  it('shows the expected calibration error of the 40 reviewed drafts: 0.100', async () => {
    const html = await user.page('/console/insight');
    expect(html).toContain('<div class="big" id="ece">0.100</div>');
    expect(html).toContain('over 40 reviewed drafts');
  });

  it('draws one reliability bar per non-empty bin, labelled with its count', async () => {
    const html = await user.page('/console/insight');
    const svg = /<svg id="reliability-diagram".*?<\/svg>/s.exec(html)![0];
    expect(svg.match(/<rect class="bin"/g)).toHaveLength(4);
    expect(svg).toContain('0.5–0.6: 10 drafts, 30% judged good');
    expect(svg).toContain('0.9–1.0: 10 drafts, 100% judged good');
  });

  it('reports the automation rate without ignored mail: 11 of 46', async () => {
    const html = await user.page('/console/insight');
    expect(html).toContain('11 auto-replies of 46 tickets');
    expect(html).toContain('<div class="big" id="automation-rate">24%</div>');
  });

  it('lists KB gaps: escalations with weak retrieval, most frequent first', async () => {
    const html = await user.page('/console/insight');
    const table = /<table id="kb-gaps">.*?<\/table>/s.exec(html)![0];
    const intents = [...table.matchAll(/<tr><td>([a-z_]+)<\/td><td class="num">(\d+)<\/td>/g)].map((m) => [m[1], Number(m[2])]);
    expect(intents).toEqual([
      ['cancel_subscription', 3],
      ['invoice_vat', 1],
    ]);
  });
});

describe('queue', () => {
  it('lists review and escalate before the rest', async () => {
    const html = await user.page('/console?view=all');
    const outcomes = [...html.matchAll(/<span class="badge o-(\w+)">/g)].map((m) => m[1]);
    const firstOther = outcomes.findIndex((o) => o !== 'review' && o !== 'escalate');
    expect(outcomes.slice(0, firstOther).every((o) => o === 'review' || o === 'escalate')).toBe(true);
    expect(outcomes.slice(firstOther).every((o) => o !== 'review' && o !== 'escalate')).toBe(true);
    expect(outcomes.slice(0, 30).every((o) => o === 'review')).toBe(true);
  });

  it('filters by outcome and by reason code', async () => {
    const escalated = await user.page('/console?view=all&outcome=escalate');
    expect(escalated.match(/<span class="badge o-escalate">/g)).toHaveLength(5);
    expect(escalated).not.toContain('badge o-review');
    const byReason = await user.page('/console?view=all&reason=below_review_threshold');
    expect(byReason).toContain('VAT on invoices');
    expect(byReason.match(/<span class="badge o-/g)).toHaveLength(1);
  });

  it('filters by request type', async () => {
    await seed({ confidence: 0.2, outcome: 'escalate', reasons: ['type:complaint'], requestType: 'complaint', subject: 'Furious about lost invoices', at: Date.parse('2024-03-11T12:00:00Z') });
    const html = await user.page('/console?request_type=complaint');
    expect(html).toContain('Furious about lost invoices');
    expect(html.match(/<span class="badge o-/g)).toHaveLength(1);
    expect((await user.page('/console?request_type=refund_request'))).not.toContain('Furious about lost invoices');
  });

  it('filters by received date', async () => {
    await seed({ confidence: 0.5, outcome: 'review', at: Date.parse('2024-03-10T12:00:00Z'), subject: 'From long ago' });
    const html = await user.page('/console?view=all&from=2024-03-10&to=2024-03-10');
    expect(html).toContain('From long ago');
    expect(html.match(/<span class="badge o-/g)).toHaveLength(1);
  });

  it('refuses an unknown outcome filter with 400', async () => {
    const response = await user.get('/console?outcome=maybe');
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: 'validation_failed', fields: [{ field: 'outcome' }] } });
  });

  it('shows a browser the refusal as a page with its code, not raw JSON', async () => {
    const response = await user.get('/console?outcome=maybe', { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const page = await response.text();
    expect(page).toContain('<code id="error-code">validation_failed</code>');
    expect(page).toContain('<a href="/console">Back to the console</a>');
  });
});

describe('export', () => {
  const range = `from=${new Date(NOW - 86_400_000).toISOString().slice(0, 10)}&to=${new Date(NOW).toISOString().slice(0, 10)}`;

  it('exports every decision in the range as JSON with the latest human verdict', async () => {
    const response = await user.get(`/console/export/decisions?${range}&format=json`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-disposition')).toMatch(/attachment; filename="deflect-decisions-.*\.json"/);
    const rows = (await response.json()) as { subject: string; outcome: string; human_verdict: string | null; reasons: string[] }[];
    // 48 seeded in range; the one from 2024 (queue date filter test) is outside it.
    expect(rows).toHaveLength(48);
    expect(rows.filter((r) => r.human_verdict === 'approved')).toHaveLength(25);
    expect(rows.find((r) => r.outcome === 'escalate' && r.reasons.includes('below_review_threshold'))).toBeDefined();
    expect(rows.some((r) => r.subject === 'From long ago')).toBe(false);
  });

  it('exports CSV with one line per decision and formula-looking cells defused', async () => {
    await seed({ confidence: 0.5, outcome: 'review', subject: '=HYPERLINK("http://evil.example","click")' });
    const response = await user.get(`/console/export/decisions?${range}&format=csv`);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const lines = (await response.text()).trimEnd().split('\r\n');
    expect(lines[0]).toBe(
      'ticket_id,received_at,decided_at,source,from,subject,outcome,reasons,confidence,model_confidence,intent,request_type,corpus_version,responder,tokens_in,tokens_out,cost_usd,human_verdict,to,mode,policy_outcome,classifier_version,calibration_version',
    );
    expect(lines).toHaveLength(1 + 49);
    expect(lines.at(-1)).toContain(`"'=HYPERLINK(""http://evil.example"",""click"")"`);
  });

  it("exports the latest verdict on the draft as human_verdict, not a later review of the request type", async () => {
    const id = await seed({ confidence: 0.8, outcome: 'review', verdicts: ['approved', 'type_confirmed'], subject: 'Approved, then typed' });
    const rows = (await (await user.get(`/console/export/decisions?${range}&format=json`)).json()) as { ticket_id: string; human_verdict: string | null }[];
    expect(rows.find((r) => r.ticket_id === id)?.human_verdict).toBe('approved');
  });

  it('exports what the rollout mode did beside what the policy would have done, and the models that decided', async () => {
    await seed({ confidence: 0.97, outcome: 'review', mode: 'shadow', policyOutcome: 'auto_reply', subject: 'Shadowed reply' });
    const response = await user.get(`/console/export/decisions?${range}&format=csv`);
    const [header, ...rows] = (await response.text()).trimEnd().split('\r\n');
    const names = header!.split(',');
    const shadowed = rows.find((line) => line.includes('Shadowed reply'))!.split(',');
    const cell = (name: string) => shadowed[names.indexOf(name)];
    expect([cell('outcome'), cell('mode'), cell('policy_outcome')]).toEqual(['review', 'shadow', 'auto_reply']);
    expect([cell('to'), cell('classifier_version'), cell('calibration_version')]).toEqual(['support@example.com', 'rt-test', 'conf-test']);
  });

  it('exports reviewed request types as the JSONL npm run train --feedback reads: the latest review per ticket', async () => {
    const corrected = await seed({ confidence: 0.7, outcome: 'escalate', requestType: 'security', subject: 'Turn on 2FA' });
    const confirmed = await seed({ confidence: 0.4, outcome: 'escalate', requestType: 'refund_request', subject: 'Money back' });
    const review = (ticketId: string, n: number, verdict: FeedbackVerdict, requestType: string) =>
      db.insert(feedback).values({ id: `fbk_type_${ticketId}_${n}`, ticketId, decisionId: `dec_${ticketId}`, verdict, requestType, actor: 'lead', channel: 'console', createdAt: NOW - HOUR + n * 60_000 });
    await review(corrected, 1, 'type_corrected', 'how_to');
    await review(corrected, 2, 'type_corrected', 'account_specific');
    await review(confirmed, 1, 'type_confirmed', 'refund_request');
    const response = await user.get(`/console/export/training?${range}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/x-ndjson; charset=utf-8');
    const lines = (await response.text()).trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, string | null>);
    // The beforeAll's type_confirmed row without a request type is not a training example.
    expect(lines).toEqual([
      { ticket_id: confirmed, subject: 'Money back', text: 'text', request_type: 'refund_request', routed_request_type: 'refund_request' },
      { ticket_id: corrected, subject: 'Turn on 2FA', text: 'text', request_type: 'account_specific', routed_request_type: 'security' },
    ]);
  });

  it('refuses a range that ends before it starts', async () => {
    const response = await user.get('/console/export/decisions?from=2025-02-01&to=2025-01-01');
    expect(response.status).toBe(400);
  });
});

describe('calibration refit from the insight page', () => {
  const terms = ['export', 'invoice', 'pdf'];
  const clear = confidenceFeatures(terms, [{ docId: 'a', title: 'Export invoices', text: 'export invoice pdf', score: 1, lexicalRank: 1, vectorRank: null }, { docId: 'b', title: 'B', score: 0.1, lexicalRank: 2, vectorRank: null }], null);
  const vague = confidenceFeatures(terms, [{ docId: 'a', title: 'A', text: 'invoice', score: 1, lexicalRank: 1, vectorRank: null }, { docId: 'b', title: 'B', text: 'pdf', score: 0.97, lexicalRank: 2, vectorRank: null }], null);

  it('says there is too little evidence before reviewers have judged enough drafts with recorded evidence', async () => {
    const response = await user.submit('/console/insight', '/console/insight/refit', {});
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/console/insight?refit=too_few_samples');
    const html = await user.page('/console/insight?refit=too_few_samples');
    expect(html).toContain('Not enough reviewed drafts with recorded evidence to refit yet.');
    expect(html).toContain(`In force: ${DEFAULT_CALIBRATION.version}.`);
    expect(html).toContain('No refit yet: the shipped model is in force.');
  });

  it('refits on verdicts and puts the refit in force when it holds up on held-out verdicts', async () => {
    for (let i = 0; i < 30; i++) {
      await seed({ confidence: 0.9, outcome: 'review', verdicts: ['approved'], features: clear });
      await seed({ confidence: 0.5, outcome: 'review', verdicts: ['rejected'], features: vague });
    }
    const response = await user.submit('/console/insight', '/console/insight/refit', {});
    expect(response.headers.get('location')).toBe('/console/insight?refit=accepted');
    const html = await user.page('/console/insight?refit=accepted');
    expect(html).toContain('Refit accepted: the new calibration is in force.');
    expect(html).toMatch(/In force: refit-cal_[\w-]+\./);
    const table = /<table id="refits">.*?<\/table>/s.exec(html)![0];
    expect(table).toContain('<td>accepted</td><td class="num">60</td>');
  });

  it('shows a refused refit with its reason, and keeps the calibration in force', async () => {
    const before = /In force: ([\w-]+)\./.exec(await user.page('/console/insight'))![1];
    await db.insert(calibrations).values({
      id: 'cal_refused',
      params: { ...DEFAULT_CALIBRATION, version: 'refit-cal_refused' },
      sampleSize: 75,
      fittedAt: Date.now() + 1000,
      status: 'refused',
      reason: 'held_out_precision_lower',
      heldOut: { threshold: 0.92, held_out: 20, current_precision: 1, current_replied: 6, candidate_precision: 0.8, candidate_replied: 10 },
    });
    const html = await user.page('/console/insight');
    expect(html).toContain(`In force: ${before}.`);
    expect(html).toContain('refused: lower held-out precision at the auto-reply threshold');
    expect(html).toContain('100.0% → 80.0% (6 → 10 of 20 held-out drafts ≥ 0.92)');
  });

  it('leaves replayed history out of the automation rate: a replay sends nothing', async () => {
    const rate = async () => /\d+ auto-replies of \d+ tickets/.exec(await user.page('/console/insight'))![0];
    const before = await rate();
    for (let i = 0; i < 3; i++) await seed({ confidence: 0.97, outcome: 'auto_reply', source: 'replay' });
    expect(await rate()).toBe(before);
  });
});
