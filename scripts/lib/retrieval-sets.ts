// The three public question sets retrieval is checked on: the sample help center with
// its labelled tickets (queried as the pipeline does, subject then body), and the
// WixQA and TechQA samples in ../shared/data/retrieval.
import { readFile } from 'node:fs/promises';
import type { SourceDoc } from '../../src/retrieval/chunk';
import { parseCases } from './cases';
import { readDocs } from './docs';

export type RetrievalSet = { name: string; docs: SourceDoc[]; queries: string[] };

const byId = (a: SourceDoc, b: SourceDoc) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

async function questions(file: string): Promise<string[]> {
  const text = await readFile(file, 'utf8');
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => (JSON.parse(line) as { question: string }).question);
}

export async function retrievalSets(): Promise<RetrievalSet[]> {
  const { cases } = parseCases(await readFile('corpus/tickets.jsonl', 'utf8'));
  return [
    { name: 'sample', docs: (await readDocs('corpus/docs')).sort(byId), queries: cases.flatMap((c) => (c.question ? [`${c.subject}\n${c.question}`] : [])) },
    { name: 'wixqa', docs: (await readDocs('../shared/data/retrieval/wixqa/docs')).sort(byId), queries: await questions('../shared/data/retrieval/wixqa/questions.jsonl') },
    { name: 'techqa', docs: (await readDocs('../shared/data/retrieval/techqa/docs')).sort(byId), queries: await questions('../shared/data/retrieval/techqa/questions.jsonl') },
  ];
}
