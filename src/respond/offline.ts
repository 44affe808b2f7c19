// OfflineResponder: the local default when no ANTHROPIC_API_KEY is set. It answers
// by quoting the parts of the article answer selection picks among the retrieved ones
// (`decide/answer-selection.ts`, not always retrieval's first), with a calibrated
// confidence (the shipped model of `decide/calibration.ts`), and goes through the
// same policy as Claude's answers.
import { calibrate, DEFAULT_CALIBRATION } from '../decide/calibration';
import { selectAnswer } from '../decide/answer-selection';
import { confidenceFeatures } from '../decide/confidence-features';
import { coveredCount } from '../decide/term-coverage';
import { queryTerms } from '../retrieval/lexical';
import type { RetrievedChunk } from '../retrieval/types';
import { memoByText } from '../memo-by-text';
import { guessLanguage } from './language';
import type { Responder, ResponderInput, ResponderResult } from './types';

const MAX_EXTRACT_CHARS = 1200;
/** A block must share this many of the ticket's terms to be quoted (the first block is always kept). */
const MIN_BLOCK_TERMS = 1;

type Block = { readonly text: string; readonly steps: boolean };

// Each chunk text's quoted blocks are kept for the next tickets, which mostly quote the same chunks.
const blocksOf = memoByText(1024, (text): readonly Block[] => parseBlocks(text));

/** Markdown chunk text → readable blocks: headings, table rules and emphasis dropped; lists kept as lists. */
function parseBlocks(text: string): Block[] {
  return text
    .split(/\n\s*\n/)
    .map((raw) =>
      raw
        .split('\n')
        .filter((line) => !/^\s*#{1,6}\s/.test(line) && !/^\s*\|?\s*:?-{3,}/.test(line))
        .map((line) => line.replace(/\*\*([^*]+)\*\*/g, '$1').replace(/`([^`]+)`/g, '$1').trimEnd())
        .join('\n')
        .trim(),
    )
    .filter((block) => block.length > 0)
    .map((block) => ({ text: block, steps: /^\s*(\d+[.)]|[-*•])\s/m.test(block) }));
}

/** The blocks of the article that speak to the ticket, in article order, within the length budget. */
function answerExtract(terms: readonly string[], chunks: readonly RetrievedChunk[]): string {
  const blocks = chunks.flatMap((c) => blocksOf(c.text));
  const seen = new Set<string>();
  const kept: string[] = [];
  let length = 0;
  for (const [index, block] of blocks.entries()) {
    if (seen.has(block.text)) continue;
    seen.add(block.text);
    const matches = coveredCount(terms, block.text);
    if (index > 0 && matches < MIN_BLOCK_TERMS && !block.steps) continue;
    if (length + block.text.length > MAX_EXTRACT_CHARS) {
      if (kept.length === 0) kept.push(`${block.text.slice(0, MAX_EXTRACT_CHARS).replace(/\s+\S*$/, '')} …`);
      break;
    }
    kept.push(block.text);
    length += block.text.length;
  }
  return kept.join('\n\n');
}

/** A doc id that is a content hash (imported help centers), not a name a person can read. */
const HASH_LIKE = /[0-9a-f]{12,}/i;
const MAX_INTENT = 60;

/**
 * The intent label of an answer from `docId`: its id as a slug when the id reads like a name
 * (`reset-password` → `reset_password`), else a slug of its title, so the console, the API and
 * the export never show a 64-character hash.
 */
export function readableIntent(docId: string, title: string): string {
  const slug = (s: string) =>
    s
      .normalize('NFKC')
      .toLowerCase()
      .replace(/[^\p{L}\p{N}]+/gu, '_')
      .replace(/^_+|_+$/g, '')
      .slice(0, MAX_INTENT)
      .replace(/_+$/, '');
  const fromId = slug(docId);
  if (fromId && !HASH_LIKE.test(docId) && docId.length <= MAX_INTENT) return fromId;
  return slug(title) || fromId.slice(0, 16) || 'unknown';
}

export class OfflineResponder implements Responder {
  readonly name = 'offline' as const;

  async respond({ ticket, chunks, queryTerms: searched, selection: selected, evidence }: ResponderInput): Promise<ResponderResult> {
    const started = Date.now();
    const query = `${ticket.subject}\n${ticket.text}`;
    const language = guessLanguage(query);
    const terms = searched ?? queryTerms(query);
    const selection = selected !== undefined ? selected : selectAnswer(terms, chunks);
    const top = selection?.ranked[0]?.chunks[0] as RetrievedChunk | undefined;
    const call = {
      model: 'offline-extractive',
      role: 'offline' as const,
      inputTokens: 0,
      outputTokens: 0,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      costUsd: 0,
    };
    if (!top) {
      return {
        response: {
          intent: 'unknown',
          suggested_reply: '',
          confidence_score: 0,
          escalate: true,
          escalation_reason: 'No help-center article matches this ticket.',
          doc_sources: [],
          language,
        },
        failure: null,
        calls: [{ ...call, latencyMs: Date.now() - started, outcome: 'ok' }],
      };
    }
    const used = chunks.filter((c) => c.docId === top.docId).slice(0, 2);
    const source = top.url ? `${top.title}: ${top.url}` : top.title;
    // "Hi," only: the display name is the sender's to choose, and a hostile one must not reach the reply.
    const reply = `Hi,\n\nthanks for reaching out. Our help center article "${top.title}" covers this:\n\n${answerExtract(terms, used)}\n\nThe full article: ${source}`;
    return {
      response: {
        intent: readableIntent(top.docId, top.title),
        suggested_reply: reply,
        confidence_score: calibrate(DEFAULT_CALIBRATION, evidence ?? confidenceFeatures(terms, chunks, null, selection)),
        escalate: false,
        escalation_reason: null,
        doc_sources: used.map((c) => c.chunkId),
        language,
      },
      failure: null,
      calls: [{ ...call, latencyMs: Date.now() - started, outcome: 'ok' }],
    };
  }
}
