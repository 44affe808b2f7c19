import { describe, expect, it } from 'vitest';
import { DOC_FEATURE_NAMES, docGroups, selectAnswer, selectedFirst, type SelectionModel } from '../../src/decide/answer-selection';
import { confidenceFeatures, type FeatureChunk } from '../../src/decide/confidence-features';

const chunk = (docId: string, score: number, rank: number, title: string, text = ''): FeatureChunk => ({ docId, title, text, score, lexicalRank: rank, vectorRank: null });
const weights = (w: Partial<SelectionModel['weights']>): SelectionModel => ({
  version: 'test',
  weights: { ...(Object.fromEntries(DOC_FEATURE_NAMES.map((n) => [n, 0])) as SelectionModel['weights']), ...w },
});

// Retrieval puts a doc that shares one frequent word first; the second doc's title names the whole question.
const terms = ['export', 'invoice', 'pdf'];
const chunks = [chunk('invoices-list', 1, 1, 'Invoices list', 'Your invoice list shows every invoice.'), chunk('export-pdf', 0.9, 2, 'Export an invoice as PDF', 'Open the invoice, choose Export, then PDF.')];

describe('answer selection', () => {
  it('groups chunks by doc in retrieval order', () => {
    expect(docGroups([...chunks, chunk('invoices-list', 0.5, 3, 'Invoices list')]).map((g) => [g.docId, g.chunks.length])).toEqual([
      ['invoices-list', 2],
      ['export-pdf', 1],
    ]);
  });

  it('keeps retrieval order when only rank counts', () => {
    expect(selectAnswer(terms, chunks, weights({ rank_reciprocal: 1 }))!.ranked[0]!.docId).toBe('invoices-list');
  });

  it('picks the doc whose title covers the question when title coverage counts', () => {
    const selection = selectAnswer(terms, chunks, weights({ rank_reciprocal: 1, title_coverage: 3 }))!;
    expect(selection.ranked[0]!.docId).toBe('export-pdf');
    expect(selection.probability).toBeGreaterThan(0.5);
    expect(selection.margin).toBeGreaterThan(0);
  });

  it('the shipped model prefers the doc that answers the whole question', () => {
    expect(selectAnswer(terms, chunks)!.ranked[0]!.docId).toBe('export-pdf');
  });

  it('returns null with nothing retrieved, and a full margin for a lone doc', () => {
    expect(selectAnswer(terms, [])).toBeNull();
    expect(selectAnswer(terms, [chunks[0]!])!.margin).toBe(5);
  });

  it('confidence features describe the selected doc, not retrieval’s first', () => {
    const selection = selectAnswer(terms, chunks, weights({ title_coverage: 3 }));
    const features = confidenceFeatures(terms, chunks, null, selection);
    // "Export an invoice as PDF": every title term is in the ticket; "Invoices list": one of two.
    expect(features.title_match).toBe(1);
    expect(confidenceFeatures(terms, chunks, null, selectAnswer(terms, chunks, weights({ rank_reciprocal: 1 }))).title_match).toBeCloseTo(1 / 2);
  });

  it('puts the selected doc’s chunks first and keeps the rest in order', () => {
    expect(selectedFirst(chunks, 'export-pdf').map((c) => c.docId)).toEqual(['export-pdf', 'invoices-list']);
  });
});
