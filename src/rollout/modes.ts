// Rollout modes, pure (issue 16, ../shared/DESIGN.md §7): which mode a ticket runs in, and what
// that mode lets the policy's decision do. decide/ stays as it is; the mode is
// applied to its result, and the decision row keeps both what the policy would
// have done (`policyOutcome`) and what was done (`outcome`).
import type { DeliveryKind, Outcome, RolloutMode } from '../domain';
import { needsPerson, type DecisionRequestType } from '../decide/request-types';

/** `*` in a rule's address or request type stands for any. */
export const ANY = '*';

export type ModeRule = { address: string; requestType: string; mode: RolloutMode };

/** Reason codes a mode adds: stored, filtered on, documented in docs/confidence-and-policy.md "Decisions and reason codes". */
export const modeReason = (mode: RolloutMode): string => `mode:${mode}`;

/** Addresses compare as mail does in practice: case-insensitively. */
export const normalizeAddress = (address: string | null | undefined): string => (address ?? '').trim().toLowerCase();

/**
 * The mode for a ticket to `address` of type `type`: the rule for (address, type),
 * else (any, type), else (address, any), else (any, any), else the default. A person-needed type
 * never runs in `auto`, whatever a broader rule or the default says: it is `review`.
 */
export function resolveMode(rules: readonly ModeRule[], address: string | null | undefined, type: DecisionRequestType | null, fallback: RolloutMode): RolloutMode {
  const to = normalizeAddress(address);
  // support+billing@ is support@'s mailbox (Postmark's inbound addresses look like that): it runs
  // under support@'s rules, unless it has rules of its own, and then under those alone.
  const mailbox = to.replace(/\+[^@]*@/, '@');
  const at = rules.some((r) => r.address === to) ? to : mailbox;
  const find = (a: string, t: string) => rules.find((r) => r.address === a && r.requestType === t)?.mode;
  const typeKey = type ?? 'unclear';
  const mode = (at ? find(at, typeKey) : undefined) ?? find(ANY, typeKey) ?? (at ? find(at, ANY) : undefined) ?? find(ANY, ANY) ?? fallback;
  return mode === 'auto' && needsPerson(type) ? 'review' : mode;
}

/** True when no request type could run in anything but `off` for this address: then nothing is decided at all. */
export function offForEveryType(rules: readonly ModeRule[], address: string | null | undefined, types: readonly DecisionRequestType[], fallback: RolloutMode): boolean {
  return types.every((t) => resolveMode(rules, address, t, fallback) === 'off');
}

export type ModeChangeProblem = { code: 'mode_not_allowed'; message: string };

/** Person-needed types can never be set to `auto` (their policy outcome is a person anyway; the rule says so out loud). */
export function checkModeChange(requestType: string, mode: RolloutMode | null): ModeChangeProblem | null {
  if (mode === 'auto' && requestType !== ANY && needsPerson(requestType as DecisionRequestType)) {
    return { code: 'mode_not_allowed', message: `${requestType} needs a person and can never be set to auto` };
  }
  return null;
}

export type ModedDecision = { outcome: Outcome; reasons: string[]; mode: RolloutMode; policyOutcome: Outcome; keepDraft: boolean };

/**
 * What the mode lets a decision do. auto: as decided. review: an auto-reply waits
 * for a click. shadow: decided and drafted, a would-be auto-reply waits for a verdict,
 * nothing reaches the customer (see modeAllowsDelivery). off: nothing decided, a person has it.
 */
export function applyMode(decision: { outcome: Outcome; reasons: string[] }, mode: RolloutMode): ModedDecision {
  const base = { mode, policyOutcome: decision.outcome, keepDraft: true };
  switch (mode) {
    case 'auto':
      return { ...base, outcome: decision.outcome, reasons: decision.reasons };
    case 'review':
      if (decision.outcome !== 'auto_reply') return { ...base, outcome: decision.outcome, reasons: decision.reasons };
      return { ...base, outcome: 'review', reasons: [...decision.reasons, modeReason('review')] };
    case 'shadow':
      return { ...base, outcome: decision.outcome === 'auto_reply' ? 'review' : decision.outcome, reasons: [...decision.reasons, modeReason('shadow')] };
    case 'off':
      return { ...base, outcome: 'escalate', reasons: [modeReason('off')], keepDraft: false };
  }
}

const CUSTOMER_KINDS: ReadonlySet<DeliveryKind> = new Set(['email_reply', 'customer_ack']);

/** In shadow and off, deflect writes nothing to the customer: no reply, no acknowledgement. Null is a decision from before modes: auto. */
export function modeAllowsDelivery(mode: RolloutMode | null, kind: DeliveryKind): boolean {
  return !(CUSTOMER_KINDS.has(kind) && (mode === 'shadow' || mode === 'off'));
}

/**
 * Whether an automated reply goes to the customer for this decision. The hand-off
 * (issue 16 item 3) hands off every ticket for which this is false.
 */
export function sendsToCustomer(decision: { outcome: Outcome; mode: RolloutMode | null }): boolean {
  return decision.outcome === 'auto_reply' && modeAllowsDelivery(decision.mode, 'email_reply');
}
