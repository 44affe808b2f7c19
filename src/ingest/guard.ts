// The guard: mail that must never be answered is set aside before any model sees it.
// Each refusal is a stable reason code, audited as an `ignore` decision.
import type { Config } from '../config';
import type { TicketDraft } from '../ticket';

export function guardDraft(draft: TicketDraft, config: Pick<Config, 'SUPPORT_ADDRESS'>): string | null {
  if (draft.from.address.toLowerCase() === config.SUPPORT_ADDRESS.toLowerCase()) return 'own_address';
  if (!draft.text.trim() && !draft.subject.trim()) return 'empty_message';
  return null;
}
