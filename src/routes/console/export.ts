// Decisions for a date range as CSV or JSON, streamed page by page (keyset
// pagination) so a large range never sits in memory or in one D1 result.
import type { Database } from '../../db/client';
import { exportPage, reviewedTypesPage, type ExportRow } from '../../db/insight';

const PAGE = 500;

const COLUMNS = [
  ['ticket_id', (r) => r.ticketId],
  ['received_at', (r) => new Date(r.receivedAt).toISOString()],
  ['decided_at', (r) => new Date(r.decidedAt).toISOString()],
  ['source', (r) => r.source],
  ['from', (r) => r.fromAddress],
  ['subject', (r) => r.subject],
  ['outcome', (r) => r.outcome],
  ['reasons', (r) => (JSON.parse(r.reasons) as string[]).join(' ')],
  ['confidence', (r) => r.confidence],
  ['model_confidence', (r) => r.modelConfidence],
  ['intent', (r) => r.intent],
  ['request_type', (r) => r.requestType],
  ['corpus_version', (r) => r.corpusVersion],
  ['responder', (r) => r.responder],
  ['tokens_in', (r) => r.tokensIn],
  ['tokens_out', (r) => r.tokensOut],
  ['cost_usd', (r) => r.costUsd],
  ['human_verdict', (r) => r.verdict],
  // Appended, not placed beside `outcome`, so a spreadsheet built on the earlier columns keeps its positions.
  ['to', (r) => r.toAddress],
  ['mode', (r) => r.mode],
  ['policy_outcome', (r) => r.policyOutcome],
  ['classifier_version', (r) => r.classifierVersion],
  ['calibration_version', (r) => r.calibrationVersion],
] as const satisfies readonly (readonly [string, (r: ExportRow) => string | number | null])[];

/**
 * A cell a spreadsheet would run as a formula (OWASP "CSV Injection"): =, +, -, @,
 * tab or CR first, also after leading whitespace (spreadsheets trim it) and in
 * their full-width forms (＝＋－＠, which some spreadsheets fold to ASCII).
 */
const FORMULA_START = /^[\s\u00a0\u3000]*[=+\-@\uff1d\uff0b\uff0d\uff20]|^[\t\r]/;

/** RFC 4180 quoting, plus a leading apostrophe on formula-like cells: ticket subjects are written by strangers. */
export function csvCell(value: string | number | null): string {
  if (value === null) return '';
  let text = String(value);
  if (typeof value === 'string' && FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function jsonRow(row: ExportRow): Record<string, string | number | null | string[]> {
  const record: Record<string, string | number | null | string[]> = Object.fromEntries(COLUMNS.map(([name, get]) => [name, get(row)]));
  record.reasons = JSON.parse(row.reasons) as string[];
  return record;
}

export function streamDecisions(db: Database, range: { from: number; to: number }, format: 'csv' | 'json'): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let cursor: { decidedAt: number; decisionId: string } | null = null;
  let started = false;
  let first = true;
  return new ReadableStream({
    async pull(controller) {
      if (!started) {
        started = true;
        controller.enqueue(encoder.encode(format === 'csv' ? `${COLUMNS.map(([name]) => name).join(',')}\r\n` : '['));
      }
      const rows = await exportPage(db, range, cursor, PAGE);
      for (const row of rows) {
        const line =
          format === 'csv' ? `${COLUMNS.map(([, get]) => csvCell(get(row))).join(',')}\r\n` : `${first ? '' : ','}\n${JSON.stringify(jsonRow(row))}`;
        first = false;
        controller.enqueue(encoder.encode(line));
      }
      const last = rows.at(-1);
      if (rows.length < PAGE || !last) {
        if (format === 'json') controller.enqueue(encoder.encode('\n]\n'));
        controller.close();
        return;
      }
      cursor = { decidedAt: last.decidedAt, decisionId: last.decisionId };
    },
  });
}

/**
 * Reviewed request types as JSONL, one `{ticket_id, subject, text, request_type,
 * routed_request_type}` a line: the format `npm run train -- --feedback <file>` reads.
 */
export function streamTrainingExamples(db: Database, range: { from: number; to: number }): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let cursor: { reviewedAt: number; feedbackId: string } | null = null;
  return new ReadableStream({
    async pull(controller) {
      const rows = await reviewedTypesPage(db, range, cursor, PAGE);
      for (const r of rows) {
        const line = { ticket_id: r.ticketId, subject: r.subject, text: r.text, request_type: r.requestType, routed_request_type: r.routedRequestType };
        controller.enqueue(encoder.encode(`${JSON.stringify(line)}\n`));
      }
      const last = rows.at(-1);
      if (rows.length < PAGE || !last) return controller.close();
      cursor = { reviewedAt: last.reviewedAt, feedbackId: last.feedbackId };
    },
  });
}
