// `npm run eval -- --routing-only`: the request-type classifier and the policy,
// run in Node on labelled utterances or tickets (no Worker, no retrieval, no
// model). Each case is decided as if the docs answered it with a confident,
// grounded draft, so whatever sends it to a person is its wording alone.
import { parseConfig } from '../../src/config';
import { decide } from '../../src/decide/policy';
import { needsPerson, REQUEST_TYPES, type DecisionRequestType, type RequestType } from '../../src/decide/request-types';
import type { Outcome } from '../../src/db/schema';

export type RoutingCase = { id: string; subject: string; text: string; expect: RequestType; source?: string };

export type RoutingCaseResult = {
  id: string;
  source: string | null;
  expect_request_type: RequestType;
  request_type: DecisionRequestType;
  needs_person: boolean;
  outcome: Outcome;
  reasons: string[];
};

export type RoutingSummary = {
  cases: number;
  /** Decided type equals the expected one. */
  accuracy: number;
  /** Person-needed cases escalated. */
  person_recall: number | null;
  person_cases: number;
  /** how_to cases sent to a person (escalated or held for review) for their wording. */
  how_to_false_person: number | null;
  /** how_to cases escalated (the stricter false alarm: a person takes over, no draft goes out). */
  how_to_escalated: number | null;
  how_to_cases: number;
  /** spam and no_action cases ignored. */
  ignore_recall: number | null;
  /** expected type → decided type → count. */
  confusion: Record<string, Record<string, number>>;
  per_case: RoutingCaseResult[];
};

// The policy's defaults; REQUEST_TYPE_* from the environment try other floors without a rebuild.
const config = parseConfig(Object.fromEntries(Object.entries(process.env).filter(([key]) => key.startsWith('REQUEST_TYPE_'))));
const CHUNK = { chunkId: 'doc#0', docId: 'doc', title: 'Doc', headingPath: '', url: null, text: '', score: 1, lexicalRank: 1, lexicalScore: 1, vectorRank: null, vectorScore: null };

export function routeCase(c: RoutingCase): RoutingCaseResult {
  const decision = decide({
    ticket: { subject: c.subject, text: c.text },
    retrieval: { retriever: 'lexical', corpusVersion: 'routing-only', chunks: [CHUNK], queryTerms: [], degraded: null },
    result: {
      response: { intent: 'routing_only', suggested_reply: 'A grounded answer.', confidence_score: 1, escalate: false, escalation_reason: null, doc_sources: ['doc#0'], language: 'en' },
      failure: null,
      calls: [],
    },
    confidence: 1,
    termCoverage: 1,
    config,
    context: { senderAutoRepliesToday: 0, threadHandledByHuman: false, replyProblems: [] },
  });
  return {
    id: c.id,
    source: c.source ?? null,
    expect_request_type: c.expect,
    request_type: decision.requestType.type,
    needs_person: needsPerson(c.expect),
    outcome: decision.outcome,
    reasons: decision.reasons,
  };
}

const ratio = (hit: number, of: number): number | null => (of === 0 ? null : Math.round((hit / of) * 10_000) / 10_000);

export function summarizeRouting(results: RoutingCaseResult[]): RoutingSummary {
  const confusion: Record<string, Record<string, number>> = {};
  let correct = 0;
  let person = 0;
  let personHit = 0;
  let howTo = 0;
  let howToPerson = 0;
  let howToEscalated = 0;
  let ignorable = 0;
  let ignored = 0;
  for (const r of results) {
    const row = (confusion[r.expect_request_type] ??= {});
    row[r.request_type] = (row[r.request_type] ?? 0) + 1;
    if (r.request_type === r.expect_request_type) correct++;
    if (r.needs_person) {
      person++;
      if (r.outcome === 'escalate') personHit++;
    }
    if (r.expect_request_type === 'how_to') {
      howTo++;
      if (r.outcome === 'escalate' || r.outcome === 'review') howToPerson++;
      if (r.outcome === 'escalate') howToEscalated++;
    }
    if (r.expect_request_type === 'spam' || r.expect_request_type === 'no_action') {
      ignorable++;
      if (r.outcome === 'ignore') ignored++;
    }
  }
  return {
    cases: results.length,
    accuracy: ratio(correct, results.length) ?? 0,
    person_recall: ratio(personHit, person),
    person_cases: person,
    how_to_false_person: ratio(howToPerson, howTo),
    how_to_escalated: ratio(howToEscalated, howTo),
    how_to_cases: howTo,
    ignore_recall: ratio(ignored, ignorable),
    confusion,
    per_case: results,
  };
}

export function runRouting(cases: RoutingCase[]): RoutingSummary {
  return summarizeRouting(cases.map(routeCase));
}

export function formatRouting(summary: RoutingSummary, title: string): string {
  const pct = (v: number | null) => (v === null ? '—' : `${(v * 100).toFixed(1)}%`);
  const types = [...REQUEST_TYPES, 'unclear'];
  const header = `expected \\ decided  ${types.map((t) => t.slice(0, 8).padStart(8)).join(' ')}`;
  const rows = REQUEST_TYPES.filter((t) => summary.confusion[t]).map(
    (t) => `${t.padEnd(19)} ${types.map((d) => String(summary.confusion[t]![d] ?? 0).padStart(8)).join(' ')}`,
  );
  return [
    `Routing only: ${title}`,
    `cases ${summary.cases}  accuracy ${pct(summary.accuracy)}  person_recall ${pct(summary.person_recall)} (${summary.person_cases})  how_to_false_person ${pct(summary.how_to_false_person)} (${summary.how_to_cases}; escalated ${pct(summary.how_to_escalated)})  ignore_recall ${pct(summary.ignore_recall)}`,
    header,
    ...rows,
  ].join('\n');
}
