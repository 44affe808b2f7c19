// Submits eval cases to the running Worker the way real traffic arrives (JSON API,
// or raw MIME through the email() handler) and reads each decision back.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { EvalCase } from './cases';
import { LOCAL_API_TOKEN, type LocalWorker } from './local-worker';
import type { CaseResult, Outcome } from './metrics';

export type DecisionView = {
  outcome: Outcome;
  reasons: string[];
  confidence: number | null;
  /** The evidence the calibration scored (null without a response). */
  confidence_features: Record<string, number> | null;
  doc_sources: string[];
  retrieved: { chunkId: string; docId: string; title: string; score: number; lexicalRank: number | null; lexicalScore: number | null; vectorRank: number | null; vectorScore: number | null }[];
  request_type?: string | null;
  /** Whether the decided request type needs a person (null when unclear or absent). */
  needs_person?: boolean | null;
  cost_usd: number | null;
  latency_ms: Record<string, number> | null;
};

export type TicketView = { ticket: { id: string; status: string; last_error: string | null }; decision: DecisionView | null };

const auth = { authorization: `Bearer ${LOCAL_API_TOKEN}` };
const FINAL = new Set(['done', 'ignored', 'failed']);

/** The header block's value of `name` (unfolded), or null. */
export function headerValue(raw: string, name: string): string | null {
  const head = raw.split(/\r?\n\r?\n/, 1)[0] ?? '';
  const unfolded = head.replace(/\r?\n[ \t]+/g, ' ');
  const match = new RegExp(`^${name}:[ \\t]*(.*)$`, 'im').exec(unfolded);
  return match ? match[1]!.trim() : null;
}

export function addressIn(value: string | null): string | null {
  if (!value) return null;
  return /<([^<>\s]+@[^<>\s]+)>/.exec(value)?.[1] ?? /([^\s<>,;"]+@[^\s<>,;"]+)/.exec(value)?.[1] ?? null;
}

async function submitQuestion(worker: LocalWorker, c: EvalCase, index: number, supportAddress: string | null): Promise<string> {
  const response = await worker.fetch('/api/tickets', {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify({
      // One sender per case: the per-sender daily reply cap must not turn case 6 into a review.
      from: c.from ?? `case-${index + 1}@customers.example`,
      ...(supportAddress ? { to: supportAddress } : {}),
      subject: c.subject,
      text: c.question,
      message_id: `<case-${index + 1}.${encodeURIComponent(c.id)}@eval.deflect>`,
    }),
  });
  const body = (await response.json()) as { ticket_id?: string; error?: { code: string; message: string } };
  if (!body.ticket_id) throw new Error(`POST /api/tickets → ${response.status} ${body.error?.code ?? ''}: ${body.error?.message ?? ''}`);
  return body.ticket_id;
}

async function submitEmail(worker: LocalWorker, c: EvalCase, casesDir: string, supportAddress: string): Promise<string> {
  const raw = await readFile(path.resolve(casesDir, c.eml!));
  const text = raw.toString('latin1');
  const messageId = headerValue(text, 'Message-ID');
  if (!messageId) throw new Error(`${c.eml} has no Message-ID header, so its ticket cannot be found again`);
  const from = c.from ?? addressIn(headerValue(text, 'Return-Path')) ?? addressIn(headerValue(text, 'From')) ?? 'unknown@customers.example';
  // wrangler dev's local Email Routing endpoint: runs the Worker's email() handler with this envelope.
  const response = await worker.fetch(`/cdn-cgi/handler/email?${new URLSearchParams({ from, to: supportAddress })}`, { method: 'POST', body: raw });
  const handled = `email() handler → ${response.status}: ${(await response.text()).split('\n')[0]!.slice(0, 300)}`;
  // A refused message (setReject) can still be a stored, audited ticket: look it up either way.
  const found = await worker.fetch(`/api/tickets?${new URLSearchParams({ message_id: messageId })}`, { headers: auth });
  if (found.status !== 200) throw new Error(`no ticket stored for Message-ID ${messageId} (${handled})`);
  return ((await found.json()) as TicketView).ticket.id;
}

export async function readTicket(worker: LocalWorker, id: string): Promise<TicketView> {
  const response = await worker.fetch(`/api/tickets/${id}`, { headers: auth });
  if (response.status !== 200) throw new Error(`GET /api/tickets/${id} → ${response.status}`);
  return (await response.json()) as TicketView;
}

export async function waitForDecision(worker: LocalWorker, id: string, timeoutMs: number): Promise<TicketView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const view = await readTicket(worker, id);
    if (FINAL.has(view.ticket.status)) return view;
    if (Date.now() > deadline) throw new Error(`no decision within ${timeoutMs / 1000}s (status ${view.ticket.status}${view.ticket.last_error ? `: ${view.ticket.last_error}` : ''})`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export function submitCase(worker: LocalWorker, c: EvalCase, index: number, settings: { casesDir: string; supportAddress: string }) {
  return c.eml ? submitEmail(worker, c, settings.casesDir, settings.supportAddress) : submitQuestion(worker, c, index, settings.supportAddress);
}

export function distinctDocIds(retrieved: { docId: string }[]): string[] {
  return [...new Set(retrieved.map((r) => r.docId))];
}

/** doc_sources cite chunk ids; gold labels name docs, so map each through the retrieved chunks. */
export function citedDocIds(decision: DecisionView): string[] {
  const docOf = new Map(decision.retrieved.map((r) => [r.chunkId, r.docId]));
  return [...new Set(decision.doc_sources.map((id) => docOf.get(id) ?? id))];
}

export function caseResult(c: EvalCase, view: TicketView | null, error?: string): CaseResult {
  const decision = view?.decision ?? null;
  return {
    id: c.id,
    expected: c.expect,
    actual: decision?.outcome ?? 'error',
    reasons: decision?.reasons ?? [],
    confidence: decision?.confidence ?? null,
    topDocIds: distinctDocIds(decision?.retrieved ?? []),
    docSources: decision ? citedDocIds(decision) : [],
    goldDocIds: c.goldDocIds,
    costUsd: decision?.cost_usd ?? 0,
    requestType: decision?.request_type ?? null,
    needsPerson: decision?.needs_person ?? null,
    ...(decision ? {} : { error: error ?? `ticket ${view?.ticket.status ?? 'missing'} without a decision: ${view?.ticket.last_error ?? ''}` }),
  };
}

/** Run every case with a few in flight at once; a failing case becomes an `error` result, never an abort. */
export async function runCases(
  worker: LocalWorker,
  cases: EvalCase[],
  settings: { casesDir: string; supportAddress: string; timeoutMs: number; concurrency: number; onDone?: (done: number, c: EvalCase) => void },
): Promise<{ result: CaseResult; view: TicketView | null }[]> {
  const out = new Array<{ result: CaseResult; view: TicketView | null }>(cases.length);
  let next = 0;
  let done = 0;
  const lane = async () => {
    while (next < cases.length) {
      const index = next++;
      const c = cases[index]!;
      try {
        const id = await submitCase(worker, c, index, settings);
        const view = await waitForDecision(worker, id, settings.timeoutMs);
        out[index] = { result: caseResult(c, view), view };
      } catch (error) {
        out[index] = { result: caseResult(c, null, (error as Error).message), view: null };
      }
      settings.onDone?.(++done, c);
    }
  };
  await Promise.all(Array.from({ length: Math.min(settings.concurrency, cases.length) }, lane));
  return out;
}
