// `npm run train -- --feedback`: reviewed tickets retrain the classifier, but a
// retrain that sends fewer person-needed held-out cases to a person, or more
// held-out how-to questions to a person for their wording, is refused (issue 14
// item 5). Pure: two held-out reports in, the regressions out.

export type HeldOutNumbers = { person_recall: number | null; how_to_false_person: number | null };
export type HeldOutReport = { version: string; held_out: Record<string, HeldOutNumbers> };

export type Regression = { source: string; metric: keyof HeldOutNumbers; before: number; after: number };

/** Every source both reports measured where the new model is worse; empty when it may ship. */
export function regressions(before: HeldOutReport, after: HeldOutReport): Regression[] {
  const found: Regression[] = [];
  for (const [source, next] of Object.entries(after.held_out)) {
    const previous = before.held_out[source];
    if (!previous) continue;
    const recall = [previous.person_recall, next.person_recall];
    if (recall[0] !== null && recall[1] !== null && recall[1]! < recall[0]!) found.push({ source, metric: 'person_recall', before: recall[0]!, after: recall[1]! });
    const alarms = [previous.how_to_false_person, next.how_to_false_person];
    if (alarms[0] !== null && alarms[1] !== null && alarms[1]! > alarms[0]!) found.push({ source, metric: 'how_to_false_person', before: alarms[0]!, after: alarms[1]! });
  }
  return found;
}

export function formatRegressions(found: readonly Regression[], before: string): string {
  const lines = found.map((r) => `  ${r.source} ${r.metric}: ${r.before} → ${r.after}`);
  return `refused: the retrained model is worse than ${before} on held-out cases it never saw:\n${lines.join('\n')}\nthe shipped model and its report are kept; --allow-regression writes it anyway`;
}
