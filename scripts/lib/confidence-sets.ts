// The corpora the confidence model is fitted and judged on, as eval cases, each with
// a fixed held-out part. Pure: file text in, cases out, so the split is unit-tested.
import { z } from 'zod';
import { parseCases, type EvalCase } from './cases';

export type CorpusName = 'tickets' | 'wixqa' | 'techqa';

export type ConfidenceSet = { name: CorpusName; docs: string; questions: string };

export const CONFIDENCE_SETS: readonly ConfidenceSet[] = [
  { name: 'tickets', docs: 'corpus/docs', questions: 'corpus/tickets.jsonl' },
  { name: 'wixqa', docs: '../shared/data/retrieval/wixqa/docs', questions: '../shared/data/retrieval/wixqa/questions.jsonl' },
  { name: 'techqa', docs: '../shared/data/retrieval/techqa/docs', questions: '../shared/data/retrieval/techqa/questions.jsonl' },
];

/** Share of each corpus never used in fitting or in choosing thresholds. */
export const HELD_OUT_PERCENT = 30;

/** FNV-1a, 32 bit: a split that depends on the case id alone, stable across runs, machines and file order. */
export function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

export const isHeldOut = (corpus: CorpusName, id: string): boolean => fnv1a(`${corpus}:${id}`) % 100 < HELD_OUT_PERCENT;

/** A case the confidence is judged on: can the docs answer it, and with which doc. */
export type ConfidenceCase = EvalCase & { corpus: CorpusName; answerable: boolean; heldOut: boolean };

const PublicQuestion = z.object({
  id: z.union([z.string().min(1), z.number()]).transform(String),
  question: z.string().min(1),
  /** TechQA marks the questions its docs cannot answer; WixQA's are all answerable. */
  answerable: z.boolean().default(true),
  gold_doc_ids: z.array(z.string().min(1)).default([]),
});

/**
 * WixQA/TechQA questions as tickets: an answerable one expects `auto_reply` citing a
 * gold doc, an unanswerable one expects a person (`escalate`).
 */
export function publicCases(corpus: CorpusName, text: string): { cases: ConfidenceCase[]; problems: { line: number; message: string }[] } {
  const cases: ConfidenceCase[] = [];
  const problems: { line: number; message: string }[] = [];
  for (const [index, raw] of text.split(/\r?\n/).entries()) {
    if (raw.trim() === '') continue;
    let parsed;
    try {
      parsed = PublicQuestion.safeParse(JSON.parse(raw));
    } catch (error) {
      problems.push({ line: index + 1, message: `not JSON: ${(error as Error).message}` });
      continue;
    }
    if (!parsed.success) {
      problems.push({ line: index + 1, message: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') });
      continue;
    }
    const q = parsed.data;
    const answerable = q.answerable && q.gold_doc_ids.length > 0;
    cases.push({
      id: q.id,
      line: index + 1,
      subject: '',
      question: q.question,
      eml: null,
      from: null,
      expectRequestType: null,
      expect: answerable ? 'auto_reply' : 'escalate',
      goldDocIds: q.gold_doc_ids,
      corpus,
      answerable,
      heldOut: isHeldOut(corpus, q.id),
    });
  }
  return { cases, problems };
}

/**
 * The sample tickets that ask how to do something (`expect: auto_reply`). Tickets that
 * need a person or are ignored are the request-type classifier's and the policy's to
 * route, not evidence of whether the top doc answers.
 */
export function ticketCases(text: string): { cases: ConfidenceCase[]; problems: { line: number; message: string }[] } {
  const { cases, problems } = parseCases(text);
  return {
    cases: cases
      .filter((c) => c.expect === 'auto_reply')
      .map((c) => ({ ...c, corpus: 'tickets' as const, answerable: true, heldOut: isHeldOut('tickets', c.id) })),
    problems,
  };
}

export function confidenceCases(corpus: CorpusName, text: string) {
  return corpus === 'tickets' ? ticketCases(text) : publicCases(corpus, text);
}

/** An eval case file line (`npm run eval -- --cases`), the format of scripts/lib/cases.ts. */
export function caseLine(c: ConfidenceCase): string {
  return JSON.stringify({
    id: c.id,
    ...(c.subject ? { subject: c.subject } : {}),
    question: c.question,
    expect: c.expect,
    ...(c.goldDocIds.length ? { gold_doc_ids: c.goldDocIds } : {}),
  });
}
