// Eval cases: one JSON object a line. Pure parsing, so malformed-line handling is
// unit-tested; a bad line is reported with its number and skipped, never fatal.
import { z } from 'zod';
import { RequestType } from '../../src/decide/request-types';
import { OUTCOMES, type Outcome } from './metrics';

export type EvalCase = {
  id: string;
  line: number;
  subject: string;
  /** A plain ticket body, submitted through POST /api/tickets. */
  question: string | null;
  /** A raw email (path relative to the cases file), submitted through the email() handler. */
  eml: string | null;
  from: string | null;
  expect: Outcome | null;
  /** The request type the case should be routed as (intent cases: {id, text, expect_request_type}). */
  expectRequestType: RequestType | null;
  goldDocIds: string[];
};

export type CaseProblem = { line: number; message: string };

// Unknown fields (WixQA's `answer`, TechQA's `answerable`) are ignored, so those files load as they are.
const CaseLine = z
  .object({
    id: z.union([z.string().min(1), z.number()]).transform(String),
    subject: z.string().optional(),
    question: z.string().min(1).optional(),
    text: z.string().min(1).optional(),
    expect_request_type: RequestType.optional(),
    eml: z.string().min(1).optional(),
    from: z.email().optional(),
    expect: z.enum(OUTCOMES).optional(),
    gold_doc_ids: z.array(z.string().min(1)).optional(),
  })
  .refine((c) => [c.question, c.text, c.eml].filter((v) => v !== undefined).length === 1, { message: 'needs exactly one of "question", "text" or "eml"' });

export function parseCases(text: string): { cases: EvalCase[]; problems: CaseProblem[] } {
  const cases: EvalCase[] = [];
  const problems: CaseProblem[] = [];
  const seen = new Set<string>();
  for (const [index, raw] of text.split(/\r?\n/).entries()) {
    const line = index + 1;
    if (raw.trim() === '') continue;
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch (error) {
      problems.push({ line, message: `not JSON: ${(error as Error).message}` });
      continue;
    }
    const parsed = CaseLine.safeParse(json);
    if (!parsed.success) {
      problems.push({ line, message: parsed.error.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; ') });
      continue;
    }
    const c = parsed.data;
    if (seen.has(c.id)) {
      problems.push({ line, message: `duplicate id "${c.id}"` });
      continue;
    }
    seen.add(c.id);
    cases.push({
      id: c.id,
      line,
      subject: c.subject ?? '',
      question: c.question ?? c.text ?? null,
      eml: c.eml ?? null,
      from: c.from ?? null,
      expect: c.expect ?? null,
      expectRequestType: c.expect_request_type ?? null,
      goldDocIds: c.gold_doc_ids ?? [],
    });
  }
  return { cases, problems };
}
