// The labelled examples `npm run train` learns from: the public help-center questions keep the
// confidence fit's split, so the held-out questions `npm run eval` sends as tickets stay unseen.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCases } from '../../scripts/lib/cases';
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

describe('the sets corpus/README.md says are never trained on', () => {
  const neverTrained = ['security', 'person', 'multilingual', 'money', 'account', 'delegation', 'ignore'].map((p) => `corpus/${p}-probe.jsonl`);
  const helpCenters = ['check-helpcenter', 'check-helpcenter-2', 'check-helpcenter-3'].map((d) => `corpus/${d}/tickets.jsonl`);
  // Same words in the same order, whatever the case, Unicode form, punctuation or spacing.
  const words = (text: string) => text.normalize('NFKC').toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ').trim();
  /** A text as a probe holds it (subject and body in one), its body alone, and with a separate subject joined; five words or more. */
  const forms = (subject: string, text: string) => [text, text.slice(text.indexOf('\n') + 1), `${subject}\n${text}`].map(words).filter((w) => w.split(' ').length >= 5);

  it('load as eval cases, every line of them', () => {
    for (const file of [...neverTrained, ...helpCenters]) {
      const text = readFileSync(path.join(ROOT, file), 'utf8');
      const { cases, problems } = parseCases(text);
      expect({ file, problems }).toEqual({ file, problems: [] });
      expect(cases.length).toBe(text.split('\n').filter((l) => l.trim()).length);
    }
  });

  it('share no id and no identical text with what training reads, the check set included', () => {
    const trained = loadLabelledExamples(ROOT, { check: true });
    const ids = new Set(trained.map((e) => e.id));
    // A probe line is its subject and body in one text; a training ticket keeps them apart: both sides in every form.
    const texts = new Set(trained.flatMap((e) => forms(e.subject, e.text)));
    for (const file of [...neverTrained, ...helpCenters]) {
      const { cases } = parseCases(readFileSync(path.join(ROOT, file), 'utf8'));
      expect({ file, ids: cases.filter((c) => ids.has(c.id)).map((c) => c.id) }).toEqual({ file, ids: [] });
      expect({ file, texts: cases.filter((c) => forms(c.subject, c.question ?? '').some((f) => texts.has(f))).map((c) => c.id) }).toEqual({ file, texts: [] });
    }
  });
});
