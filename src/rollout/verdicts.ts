// Which reviewer verdicts a ticket can take (issue 16): "would send" / "would not send"
// on a draft that was not sent, "right" / "wrong" on a reply that was. Pure: the
// console shows these buttons, src/pipeline/verdicts.ts records the choice.
const DRAFT_VERDICTS = ['would_send', 'would_not_send'] as const;
const SENT_VERDICTS = ['right', 'wrong'] as const;
export type ReviewerVerdict = (typeof DRAFT_VERDICTS)[number] | (typeof SENT_VERDICTS)[number];

/** Which verdicts a ticket can take now: on its unsent draft, or on the reply that went out. */
export function verdictsFor(decision: { suggestedReply: string | null } | undefined, replySent: boolean): readonly ReviewerVerdict[] {
  if (!decision) return [];
  if (replySent) return SENT_VERDICTS;
  return decision.suggestedReply?.trim() ? DRAFT_VERDICTS : [];
}
