// The request-type classifier and the policy per ticket (issue 14: median ≤ 1 ms),
// in-process in V8 as in workerd: the same pure code the Worker runs, on every
// labelled utterance and ticket `npm run train` reads (held-out and trained alike:
// speed does not depend on the label). Process CPU, so a loaded machine does not
// inflate the figure with time spent waiting for a core.
import path from 'node:path';
import { scoreRequestType } from '../../src/decide/request-type';
import { routeCase, type RoutingCase } from './eval-routing';
import { loadIntentSets, loadTicketFile, sharedDataDir } from './request-type-data';
import { spread, type Spread } from './stats';

export type RoutingBenchReport = {
  clock: 'process CPU ms (user + system) per ticket, median over rounds';
  tickets: number;
  rounds: number;
  /** scoreRequestType alone: n-gram hashing and the linear model. */
  classifier_ms: Spread;
  /** decide(): the classifier, the keyword net, injection and thread checks, the policy. */
  classifier_and_policy_ms: Spread;
  /** The same for the 5% longest texts (long emails cost the most n-grams). */
  longest_5pct_ms: Spread;
};

function cases(root: string): RoutingCase[] {
  const labelled = [
    ...loadIntentSets(sharedDataDir(root)),
    ...loadTicketFile(path.join(root, 'corpus/tickets.jsonl'), 'tickets'),
    ...loadTicketFile(path.join(root, 'corpus/request-type-tickets.jsonl'), 'tallybook'),
  ];
  return labelled.map((e) => ({ id: e.id, subject: e.subject, text: e.text, expect: e.type, source: e.source }));
}

/** CPU ms per item of one pass over `items`. */
function perItem<T>(items: readonly T[], run: (item: T) => unknown): number {
  const started = process.cpuUsage();
  for (const item of items) run(item);
  const used = process.cpuUsage(started);
  return (used.user + used.system) / 1000 / items.length;
}

export function benchRouting(rounds: number, root = process.cwd()): RoutingBenchReport {
  const all = cases(root);
  const longest = [...all].sort((a, b) => b.text.length - a.text.length).slice(0, Math.max(1, Math.floor(all.length / 20)));
  perItem(all, routeCase); // warm-up: JIT and the artifact's first decode
  const classifier: number[] = [];
  const policy: number[] = [];
  const long: number[] = [];
  for (let i = 0; i < rounds; i++) {
    classifier.push(perItem(all, (c) => scoreRequestType(`${c.subject}\n${c.text}`)));
    policy.push(perItem(all, routeCase));
    long.push(perItem(longest, routeCase));
  }
  return {
    clock: 'process CPU ms (user + system) per ticket, median over rounds',
    tickets: all.length,
    rounds,
    classifier_ms: spread(classifier),
    classifier_and_policy_ms: spread(policy),
    longest_5pct_ms: spread(long),
  };
}
