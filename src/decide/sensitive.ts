// Sensitive topics, detected by code so that no model answer (and nothing a ticket
// says about itself) can auto-reply to them. Patterns cover the languages the
// sample corpus sees; each hit is a `sensitive:<topic>` reason code.
import type { SensitiveTopic } from '../config';

const PATTERNS: Record<SensitiveTopic, RegExp[]> = {
  billing_dispute: [
    /\bcharge\s?backs?\b/i,
    /\bdisput(e|ing)\b.{0,40}\b(charge|payment|transaction|bank|card)/i,
    /\b(bank|card issuer|credit card company)\b.{0,40}\b(dispute|reverse|claim)/i,
    /\breverse (the|this|that) (charge|payment)/i,
    /\bfraudulent (charge|payment|transaction)/i,
  ],
  refund: [/\brefund/i, /\bmoney back\b/i, /\breimburs/i, /\brembours/i, /\brückerstatt/i, /\bgeld zurück/i, /\breembols/i, /\bdevol(ver|ución) (el|mi) dinero/i],
  legal: [/\blawyers?\b/i, /\battorneys?\b/i, /\blegal action\b/i, /\bsu(e|ing)\b (you|your|tallybook|the company)/i, /\blawsuit\b/i, /\bcourt\b/i, /\bsubpoena/i, /\bsmall claims\b/i, /\banwalt/i, /\bavocat\b/i, /\babogad[oa]\b/i, /\bconsumer protection\b/i],
  security_incident: [
    /\bhack(ed|er|ers)?\b/i,
    /\b(account|password|data|card)\b.{0,30}\b(compromised|stolen|leaked)\b/i,
    /\bcompromised\b/i,
    /\bunauthori[sz]ed\b.{0,30}\b(access|login|log-?in|sign-?in|charge|transaction|user)/i,
    /\b(data |security )?breach\b/i,
    /\bsomeone (else )?(has )?(logged|signed|got|broke) (in|into)\b/i,
    /\bvulnerabilit(y|ies)\b/i,
    /\bexploit\b/i,
    /\bphishing\b/i,
  ],
  data_deletion: [
    /\b(delete|erase|remove|close)\b.{0,20}\b(my|our|the)\b.{0,15}\b(account|data|information|personal)/i,
    /\bgdpr\b/i,
    /\bdsgvo\b/i,
    /\bright to (be forgotten|erasure)\b/i,
    /\b(data|subject) (access|export|portability) request\b/i,
    /\bdsar\b/i,
    /\bccpa\b/i,
    /\bsupprim(er|ez).{0,20}\b(compte|données)/i,
    /\blösch(en|ung)\b/i,
    /\b(eliminar|borrar)\b.{0,20}\b(cuenta|datos)/i,
  ],
  threat: [/\b(kill|shoot|hurt|bomb|attack)\b.{0,20}\b(you|your|staff|office|people)/i, /\byou('ll| will) regret\b/i, /\bi know where\b/i],
  human_requested: [
    /\b(speak|talk|chat)\b.{0,15}\b(to|with)\b.{0,10}\b(a |an |the )?(human|person|real person|someone|agent|manager|supervisor|representative)/i,
    /\b(real|actual) (human|person)\b/i,
    /\bescalate (this|my)\b/i,
    /\b(your|a) (manager|supervisor)\b/i,
  ],
  account_specific_billing: [
    /\b(charged|billed) (me )?(twice|double|two times|2 times)\b/i,
    /\bdouble[- ]?(charged|billed|charge)\b/i,
    /\bover-?charged\b/i,
    /\b(charged|billed)\b.{0,30}\b(wrong|incorrect|extra)\b/i,
    /\b(wrong|incorrect) (amount|charge)\b/i,
    /\bdidn'?t (authori[sz]e|sign up for)\b/i,
  ],
};

// Text that tries to steer the responder. It cannot move a threshold (policy is
// code), but such a ticket deserves a human's eyes rather than an automatic answer.
const INJECTION = [
  /\bignore (all |any )?(the )?(previous|prior|above|earlier) (instructions|prompts?|rules)/i,
  /^\s*(system|assistant)\s*:/im,
  /\bconfidence_score\b/i,
  /"escalate"\s*:/i,
  /\byou are now\b/i,
  /\b(new|updated) instructions?\s*:/i,
  /<\/?(system|instructions?|prompt)>/i,
];

const MONEY = /(?:[$€£]\s?(\d{1,3}(?:[,.]\d{3})*(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?))|(?:(\d+(?:[.,]\d{1,2})?)\s?(?:usd|eur|gbp|dollars|euros?))/gi;

/** The largest amount of money a ticket mentions, if any (for the refund limit). */
export function largestAmount(text: string): number | null {
  let best: number | null = null;
  for (const m of text.matchAll(MONEY)) {
    const raw = (m[1] ?? m[2] ?? '').replace(/,(?=\d{3}\b)/g, '').replace(',', '.');
    const value = Number(raw);
    if (Number.isFinite(value) && (best === null || value > best)) best = value;
  }
  return best;
}

export function detectSensitiveTopics(text: string, enabled: readonly SensitiveTopic[], refundLimitUsd: number): SensitiveTopic[] {
  const found: SensitiveTopic[] = [];
  for (const topic of enabled) {
    if (!PATTERNS[topic].some((p) => p.test(text))) continue;
    if (topic === 'refund' && refundLimitUsd > 0) {
      const amount = largestAmount(text);
      if (amount !== null && amount <= refundLimitUsd) continue;
    }
    found.push(topic);
  }
  return found;
}

export function looksLikeInjection(text: string): boolean {
  return INJECTION.some((p) => p.test(text));
}

// Messages that close a conversation rather than open one: nothing to answer.
const NO_ACTION = [
  /^(many |thanks?|thank you|thx|ty|cheers|great|perfect|awesome|ok(ay)?|got it|all good|solved|that (fixed|worked|did) it|works now|danke|merci|gracias)\b[\s\S]{0,80}$/i,
  /^\s*[.\-–—!]*\s*$/,
  /^\s*sent from my \w+\s*$/i,
];

export function needsNoAction(text: string): boolean {
  const trimmed = text.trim();
  if (trimmed.includes('?')) return false;
  return NO_ACTION.some((p) => p.test(trimmed));
}
