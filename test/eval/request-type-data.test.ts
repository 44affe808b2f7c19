// The labelled examples `npm run train` learns from: the public help-center questions keep the
// confidence fit's split, so the held-out questions `npm run eval` sends as tickets stay unseen.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isHeldOutExample, loadLabelledExamples, loadPublicQuestions, PUBLIC_QUESTION_EXCEPTIONS, sharedDataDir } from '../../scripts/lib/request-type-data';

const ROOT = path.resolve(import.meta.dirname, '../..');
const dataDir = sharedDataDir(ROOT);

describe('public help-center questions as request types', () => {
  const questions = loadPublicQuestions(dataDir);

  it('holds out exactly the questions the confidence fit and the eval hold out', () => {
    const heldOutFile = (set: string) => readFileSync(path.join(ROOT, `corpus/confidence/${set}-held-out.jsonl`), 'utf8').split('\n').filter(Boolean).map((l) => String((JSON.parse(l) as { id: unknown }).id));
    for (const set of ['wixqa', 'techqa'] as const) {
      const ofSet = questions.filter((q) => q.source === set);
      expect(ofSet.length).toBeGreaterThan(90);
      expect(ofSet.filter(isHeldOutExample).map((q) => q.id).sort()).toEqual(heldOutFile(set).sort());
    }
  });

  it('labels every question how_to but the exceptions read one by one', () => {
    const exceptions = questions.filter((q) => q.type !== 'how_to');
    expect(exceptions.map((q) => q.id).sort()).toEqual(Object.keys(PUBLIC_QUESTION_EXCEPTIONS).sort());
    expect(exceptions.every((q) => q.type === PUBLIC_QUESTION_EXCEPTIONS[q.id])).toBe(true);
  });

  it('are part of the labelled examples, with the check set only on request', () => {
    const sources = (check: boolean) => new Set(loadLabelledExamples(ROOT, { check }).map((e) => e.source));
    expect([...sources(false)].sort()).toEqual(['banking77', 'bitext', 'clinc150', 'tallybook', 'techqa', 'tickets', 'wixqa']);
    expect(sources(true).has('check')).toBe(true);
  });
});
