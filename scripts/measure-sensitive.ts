// npx tsx scripts/measure-sensitive.ts: what each keyword pattern of src/decide/sensitive.ts
// adds to the request-type classifier, on the main text the policy reads. A pattern earns its
// place only by catching person-needed cases the classifier misses (on held-out parts and the
// check set, which training never saw) while never firing on a case that does not need a person
// (on every labelled case: patterns are not trained). docs/confidence-and-policy.md "Request types".
import path from 'node:path';
import { parseConfig } from '../src/config';
import { ticketTexts } from '../src/decide/policy';
import { scoreRequestType } from '../src/decide/request-type';
import { typeFromScores } from '../src/decide/request-type-routing';
import { needsPerson } from '../src/decide/request-types';
import { SENSITIVE_PATTERNS } from '../src/decide/sensitive';
import { isHeldOutExample, loadLabelledExamples } from './lib/request-type-data';

const ROOT = path.resolve(import.meta.dirname, '..');
const config = parseConfig({});
const all = loadLabelledExamples(ROOT, { check: true });
const cases = all.map((e) => {
  const main = ticketTexts({ subject: e.subject, text: e.text }, config).main;
  const unseen = e.source === 'check' || isHeldOutExample(e);
  return { ...e, main, unseen, classifierPerson: needsPerson(typeFromScores(scoreRequestType(main), config)) };
});

const rows = Object.entries(SENSITIVE_PATTERNS).flatMap(([topic, patterns]) =>
  patterns.map((pattern) => {
    const fired = cases.filter((c) => pattern.test(c.main));
    const wrong = fired.filter((c) => !needsPerson(c.type));
    return {
      topic,
      pattern: pattern.source.slice(0, 70),
      adds_recall: fired.filter((c) => c.unseen && needsPerson(c.type) && !c.classifierPerson).map((c) => c.id),
      // Also on trained cases: the classifier is optimistic there, so a pattern that still adds recall surely does unseen.
      adds_recall_trained: fired.filter((c) => !c.unseen && needsPerson(c.type) && !c.classifierPerson).length,
      fires_not_person: wrong.length,
      fires_how_to: wrong.filter((c) => c.type === 'how_to').map((c) => c.id),
      fires_other: [...new Set(wrong.filter((c) => c.type !== 'how_to').map((c) => c.type))],
    };
  }),
);
for (const r of rows) {
  // A how-to, an acknowledgement or spam sent to a person is a false alarm; an account_specific case escalated is
  // a stricter route than review (ownership takeovers and double charges in corpus/tickets.jsonl are meant to be).
  const falseAlarm = r.fires_how_to.length > 0 || r.fires_other.some((t) => t === 'no_action' || t === 'spam');
  const verdict = falseAlarm ? 'drop' : r.adds_recall.length > 0 ? 'adds' : 'none';
  console.log(
    `${verdict}  ${r.topic.padEnd(24)} adds ${String(r.adds_recall.length).padStart(3)} (trained ${String(r.adds_recall_trained).padStart(2)})  wrong ${String(r.fires_not_person).padStart(3)} (how_to ${r.fires_how_to.length}${r.fires_other.length ? `; ${r.fires_other.join(',')}` : ''})  /${r.pattern}/`,
  );
  if (process.argv.includes('--ids')) console.log(`      adds: ${r.adds_recall.join(' ')}\n      how_to: ${r.fires_how_to.join(' ')}`);
}
