// Sensitive topics, detected by code so that no model answer (and nothing a ticket
// says about itself) can auto-reply to them. Patterns cover the languages the
// sample corpus sees; each hit is a `sensitive:<topic>` reason code. Every pattern
// here runs in linear time on any input: gaps are bounded (`.{0,40}`), no two
// adjacent unbounded quantifiers can share characters, multi-line anchors never
// span lines, and HTML comments are found by indexOf scanning, not a pattern.
// Callers cap and normalise the text first (policy.ts ticketTexts).
// The request-type classifier comes first; a pattern stays only if it never fires on a how-to,
// an acknowledgement or spam in the labelled sets (scripts/measure-sensitive.ts measures each one).
// Dropped that way: a bare "chargeback", "GDPR", "hacked", "compromised", "breach", "want … refund",
// "delete my account", "transfer ownership", "charged extra": each escalated how-to questions.
import type { SensitiveTopic } from '../config';

/**
 * Not inside a condition the customer sets for themselves ("if I want a refund later, who do
 * I ask?", "au cas où je voudrais être remboursé", "falls ich mein Geld zurück möchte"): that
 * asks how the policy works. A condition on the team ("if you don't refund me") is not read
 * here, so only the customer's wishes go through this.
 */
const CONDITIONAL = String.raw`(?<!(?:\b(?:if|in case|should|si|quand|lorsque|wenn|falls)\b|\bau cas o[uù])[^.?!\n]{0,20})`;
const unlessConditional = (pattern: RegExp): RegExp => new RegExp(`${CONDITIONAL}(?:${pattern.source})`, pattern.flags);

/** Exported for scripts/measure-sensitive.ts, which measures what each pattern adds to the classifier. */
export const SENSITIVE_PATTERNS: Record<SensitiveTopic, RegExp[]> = {
  billing_dispute: [
    // A chargeback the customer files, not one their own customer files ("what happens if a client files a chargeback?").
    /\b(i|we)('ll| will| am going to|'m going to| have|'ve| had| already)?\s*(file|filed|open|opened|raise|raised|start|started|initiate|initiated|request|requested|do|did)\b.{0,20}\bcharge\s?backs?\b/i,
    /\b(bank|card issuer|credit card company)\b.{0,40}\b(dispute|reverse|claim)/i,
    /\breverse (the|this|that) (charge|payment)/i,
    /\bfraudulent (charge|payment|transaction)/i,
  ],
  // Asking for money back, not asking about the refund policy ("What are your refund terms?" is a how-to).
  refund: [
    // A first-person demand ("I want a refund", "we'd like a full refund", "refund me"), not a question about the
    // policy ("in what cases can I request a refund?") nor a refund already under way ("I expect a refund of $12").
    unlessConditional(/\b(i|we)('d| would)? (want|need|demand|like|am requesting|are requesting) (a |an |my |our |the )?(full |partial |immediate )?refund\b(?! (polic|terms|rules|process|window))/i),
    /\b(refund|reimburse) (me|us)\b/i,
    /\b(give|send|pay) (me|us) (my |our |the )?money back\b/i,
    /\brembourse[zr]?[- ]moi\b/i,
    // The verb, not the noun: "combien de temps prend une demande de remboursement ?" asks about the process.
    unlessConditional(/\b(voudrais|veux|exige|(je|nous) (vous )?demand(e|ons))\b.{0,20}\b(un |le |mon )?rembours/i),
    // Wanting one's money back, not "bekomme ich dann anteilig Geld zurück?" about the policy.
    unlessConditional(/\b((mir|uns) (das|mein|unser)|mein|unser)(e[nm]?)? geld\b[^.?!\n]{0,30}\bzurück|\b(möchte|möchten|will|wollen|verlange|verlangen|fordere|fordern)\b[^.?!\n]{0,25}\bgeld zurück|\brückerstattung (beantrag|verlang|fordern|möchte)/i),
    unlessConditional(/\b(quiero|exijo|solicito)\b.{0,30}\b(reembolso|devoluci[oó]n|dinero)\b/i),
    /\bdevuelvan el dinero\b/i,
  ],
  legal: [
    // The customer's own lawyer, not "Where should a lawyer send a formal notice?" (rt1341).
    /\b(my|our) lawyers?\b(?! (asked|wants to know|would like to know) (whether|if|where))|\b(get|getting|hire|hiring) a lawyer\b/i,
    /\battorneys?\b/i, /\blegal action\b/i, /\bsu(e|ing)\b (you|your|tallybook|the company)/i, /\blawsuit\b/i, /\bcourt\b/i, /\bsubpoena/i, /\bsmall claims\b/i, /\banwalt/i, /\bavocat\b/i, /\babogad[oa]\b/i, /\bconsumer protection\b/i,
    /\blitigation\b/i,
    /\bpreserve and produce\b/i,
    /\b(police|law enforcement|detective|warrant|court order)\b/i,
    /\bhipaa\b/i,
    /\bbusiness associate agreement\b/i,
  ],
  security_incident: [
    /\b(sign(ed)?[- ]?in|log(ged)?[- ]?in|used|access(ed)?)\b.{0,60}\b(wasn'?t|was not) me\b/i,
    // Not after an "if" in the same sentence: "if I ever see a charge I don't recognise, what's the process?".
    /(?<!\b(if|whether|in case|should)\b[^.?!\n]{0,60})\b(don'?t|do not|didn'?t|did not) recogni[sz]e\b/i,
    /\b(api key|password|token|secret|credentials?)\b.{0,60}\b(leak(ed)?|exposed|pushed|posted|published)\b/i,
    /\b(leak(ed)?|exposed|pushed|posted|published|committed)\b.{0,40}\b(api key|password|token|secret|credentials?)\b/i,
    // A researcher with a finding; "do you have a bug bounty?" (researcher or not) asks for the policy.
    /\bsecurity researcher\b.{0,80}\b(found|discovered|identified|noticed) (a|an|that|what|some|several|multiple|two|three)\b|\bidor\b/i,
    /(?<!\b(if|whether|when)\b.{0,30})\b(former|ex-?)\s?(employee|staff|colleague|admin|contractor)\b.{0,60}\b(access|logg|still)/i,
    /\b(belong(s|ing)? to|from) (another|some other|a different) (company|business|account|customer)/i,
    // Not "an unauthorized user": a security bulletin's "commands with unauthorized user succeed" is a how-to (TechQA).
    /\bunauthori[sz]ed\b.{0,30}\b(access|login|log-?in|sign-?in|charge|transaction)/i,
    // Someone reporting a vulnerability, not a customer asking what a published bulletin means
    // ("Help with Security Bulletin: Vulnerabilities in OpenSSL affect …", 45 TechQA how-tos).
    // "disclose", not "disclosure": "do you have a responsible disclosure programme for vulnerability reports?" asks for the policy.
    /\b(found|discovered|identified|spotted|report(ing)?|disclos(e|ed|ing))\b.{0,40}\bvulnerabilit(y|ies)\b/i,
    // A finding named by its kind ("found what looks like a stored XSS in the invoice notes field", h-029 of
    // corpus/history.jsonl), not a page or an error about it ("I found your docs about XSS", "found the CSRF token
    // missing error", "have you found any SQL injection issues?").
    /\b(found|discovered|identified|spotted)( (an?|the|some|several|multiple|\d+|two|three|what (looks|seems) like an?))?( (possible|potential|critical|serious|severe|stored|reflected|persistent|dom[- ]based|blind))* (xss|cross[- ]site scripting|sql injection|sqli|csrf|remote code execution|security (hole|flaw|bug))\b(?![- ]?(protection|prevention|token|error|filter|setting|bounty|article|guide|docs|documentation|polic|page))/i,
    /\bvulnerabilit(y|ies)\b.{0,20}\b(in|on) your\b/i,
    /\bexploit\b/i,
    // Phishing the customer received or fell for, not "how do I tell a real alert from a phishing mail?".
    /\b(clicked|entered|typed|fell for|received)\b.{0,40}\bphishing\b|\bphishing\b.{0,60}\b(clicked|entered|typed|fell for)\b/i,
    // What the customer sees happen on their account that their team did not do, in their own words
    // ("invoices none of us created", "projects are being deleted and none of us is doing it"). Where a
    // subject starts the sentence, an "if" shortly before it makes it a hypothetical, which is a how-to
    // ("what do I do if I think someone got into my account?", "si quelqu'un…"). `(?!\w)` ends a word
    // where `\b` cannot: without the u flag an accented letter is not a word character ("a utilisé").
    /\b(none of us|no ?one (here|else|on (my|our) team)|nobody (here|else|on (my|our) team))\b.{0,20}\b(is doing|was doing|did|created|made|bought|placed|ordered|sent|changed|deleted|removed|added)\b/i,
    /\b(that|which) (i|we|none of us) ((didn'?t|did not) (make|create|buy|order|place|send|delete|change|add)\b(?! (it )?yet)|never (made|created|bought|ordered|placed|sent|deleted|changed|added)\b)/i,
    /(?<!\b(if|whether|in case)\b.{0,20})\bsomeone( else)?\b.{0,10}\b(is using|has been using|used|got into|logged into|is logging into|keeps logging into|accessed|changed|deleted)\b.{0,10}\b(my|our)\b/i,
    /(?<!\b(si|quand|lorsque)\b.{0,20})\bquelqu'un\b.{0,20}\b(utilise|a utilisé|s'est connecté|se connecte|a accédé|accède|a modifié|a changé|a supprimé)(?!\w)/i,
    /\b(supprimée?s?|modifiée?s?|créée?s?|changée?s?)(?!\w).{0,20}\bsans (moi|nous|notre|mon)\b/i,
    /(?<!\b(wenn|falls|ob)\b.{0,20})\bjemand\b.{0,30}\b(hat|nutzt|benutzt|verwendet)\b.{0,30}\b(mein|meine|meinen|unser|unsere|unseren)\b.{0,20}\b(konto|account|zugang|passwort|e-?mail)/i,
    /(?<!\bsi\b.{0,20})\balguien\b.{0,20}\b(accedi[oó]|entr[oó]|est[aá] (usando|entrando|accediendo)|us[oó]|cambi[oó]|borr[oó]|elimin[oó])/i,
    /(?<!\bse\b.{0,20})\bqualcuno\b.{0,20}(?<!\w)(ha (usato|cambiato|eliminato|cancellato|modificato)|sta usando|è entrato|ha accesso|accede)/i,
    /(?<!\bse\b.{0,20})\balgu[eé]m(?!\w).{0,20}\b(acessou|entrou|est[aá] usando|usou|mudou|alterou|apagou|excluiu)/i,
    /(?<!\b(als|of)\b.{0,20})\biemand\b.{0,20}\b(heeft|gebruikt)\b.{0,30}\b(mijn|ons|onze)\b.{0,20}\b(account|wachtwoord|e-?mail)/i,
  ],
  data_deletion: [
    /\bright to (be forgotten|erasure)\b/i,
    /\b(data|subject) (access|export|portability) request\b/i,
    /\bdsar\b/i,
    /\bccpa\b/i,
    // Asking the team to erase ("supprimez mes données", "bitte löschen Sie …", "solicito la eliminación …"),
    // not "comment supprimer mon compte ?", a how-to the docs answer.
    /\bsupprimez\b.{0,20}\b(compte|données)|\b(veuillez|merci de|je (vous )?demande de)\b.{0,20}\bsupprimer\b.{0,20}\b(compte|données)/i,
    /\blöschen sie\b|\bbitte\b[^.?!\n]{0,40}\blöschen\b|\b(verlange|verlangen|fordere|fordern|beantrage|beantragen)\b[^.?!\n]{0,40}\blöschung/i,
    /\b(eliminen|borren|supriman)\b.{0,20}\b(cuenta|datos)|\b(solicito|exijo|pido)\b.{0,20}\b(la )?(eliminaci[oó]n|supresi[oó]n|borrado)\b/i,
  ],
  threat: [/\b(kill|shoot|hurt|bomb|attack)\b.{0,20}\b(you|your|staff|office|people)/i, /\byou('ll| will) regret\b/i, /\bi know where (you|your|he|she|they|to find you)\b/i],
  human_requested: [
    // Not a question about when people answer ("is there any way to talk to a human on weekends?").
    /\b(speak|talk|chat)\b.{0,15}\b(to|with)\b.{0,10}\b(a |an |the )?(human|person|real person|someone|agent|manager|supervisor|representative)\b(?! (on |at |during |outside )?(the )?(weekends?|evenings?|nights?|holidays|business hours)\b| after hours\b)/i,
    // Nor whether one reads the mail ("will a real person read it or a bot?", rt1363).
    /(?<!\b(will|would|does|do|did) (a |an |any )?)\b(real|actual) (human|person)\b(?! (on |at |during |outside )?(the )?(weekends?|evenings?|nights?|holidays|business hours)\b| after hours\b)/i,
    /\bescalate (this|my)\b/i,
    // "a manager" alone is also a role ("she logs in as a manager", "I want a manager to be able to see
    // every calendar", "a manager user for Sam", "a manager who can approve"): only a request for one.
    /\byour (manager|supervisor)\b/i,
    /\b(i want|i demand|i need|i'd like|i would like|get me|give me|put me through to|transfer me to|connect me (to|with)) (a|the) (manager|supervisor)\b(?!'s|[\s-]+(role|login|account|seat|permission|access|level|view|dashboard|user)s?\b|\s+to be able\b|\s+(who|that) (can|only|sees?|has)\b|\s+for (my|our|the|her|his|each|every)\b)/i,
  ],
  account_ownership: [
    // Someone else who has gone: an owner who is still leaving can hand the account over ("Our owner is
    // leaving at the end of the year. Can support transfer the ownership?", rt1343), and so can one
    // writing about their own departure ("I'm the account owner but I quit next month").
    /(?<!\b(i'?m|i am) (the |an? )?(account |workspace )?)\b(owner|admin)\b.{0,60}\b(left|quit|departed|passed away|died|no longer (works|with))\b/i,
    // An estate asking for a late owner's records: a person checks who may have them (t069).
    /\b(passed away|deceased|(my|our|his|her) late (husband|wife|father|mother|partner|son|daughter))\b|\b(he|she|father|mother|husband|wife|partner|owner) (has )?died\b/i,
    /\b(left|quit|departed)\b.{0,40}\b(owner|admin)\b/i,
    /\b(get|gain|regain|take) (back )?control of\b.{0,20}\baccount\b/i,
    /\b(never|didn'?t|did not|don'?t|do not|no)\b.{0,25}\b(saved?|have|kept|keep|stored?|wrote down)\b.{0,25}\b(recovery|backup) codes?\b/i,
    /\b(can'?t|cannot|no longer)\b.{0,30}\b(access|get into|log into)\b.{0,30}\b(e-?mail|inbox|mailbox)\b/i,
  ],
  account_specific_billing: [
    // A statement, not the question "charged twice? Is that how an authorisation hold works?" (rt1072),
    // which the classifier reads.
    // Nor a client's report passed on as a question: "Guest says they were charged twice", or a subject
    // that goes on to ask, "charged twice - who handles it" (rt1298).
    /(?<!\b(say|says|said|tell me|tells me|told me|claim|claims|claimed) (they|he|she) (were|was|got|have been|had been) )\b(charged|billed) (me )?(twice|double|two times|2 times)\b(?![ \t]*(\?|[-–:][ \t]*(who|what|how|where|when|why|is|are|do|does|can)\b))/i,
    /\bover-?charged\b/i,
    /\bdidn'?t (authori[sz]e|sign up for)\b/i,
  ],
};

// Text that tries to steer the responder. It cannot move a threshold (policy is
// code), but such a ticket deserves a human's eyes rather than an automatic answer.
const INJECTION = [
  /\b(ignore|disregard|forget) (all |any )?(of )?(the |your )?(previous |prior |above |earlier )?(instructions|prompts?|rules|guidelines|policies)\b/i,
  /\b(ignora|ignorez|ignoriere|ignorieren Sie)\b.{0,30}\b(instrucciones|instructions|anweisungen|consignes)\b/i,
  /^[^\w\n]*(system|assistant|developer)[ \t]*:/im,
  /\brole\s*:\s*(system|assistant|developer)\b/i,
  /\bconfidence(_score)?\b[ \t]*(["'][ \t]*)?[:=]/i,
  /\bconfidence_score\b/i,
  /"escalate"\s*:/i,
  /\b(do not|don'?t|no need to|never) escalate\b|\bno escalation\b/i,
  /\byou are now\b/i,
  /\b(new|updated) instructions?\b/i,
  /\bnote to (the )?(ai|assistant|bot|model)\b/i,
  /\bpre-?approved\b/i,
  /\b(verification|identity)\b.{0,30}\b(already|been)\b.{0,20}\b(completed|done|verified|confirmed)\b/i,
  /<\/?(system|instructions?|prompt)>/i,
];

// Instructions hidden where a person reading the rendered mail would not see them.
const HIDDEN_INSTRUCTION = /\b(ai|assistant|bot|model|llm|instructions?|system|escalat\w*|confidence|approve\w*|auto-?reply)\b/i;

/** Whether an HTML comment addresses the assistant. One left-to-right scan: each opener finds its closer once, an unclosed one runs to the end. */
function hasHiddenInstruction(text: string): boolean {
  let from = text.indexOf('<!--');
  while (from !== -1) {
    const end = text.indexOf('-->', from + 4);
    if (HIDDEN_INSTRUCTION.test(text.slice(from + 4, end === -1 ? text.length : end))) return true;
    if (end === -1) return false;
    from = text.indexOf('<!--', end + 3);
  }
  return false;
}

// `(?<!\d)` starts a bare amount only at its first digit: a long digit run is scanned once, not from every position.
const MONEY = /(?:[$€£]\s?(\d{1,3}(?:[,.]\d{3})*(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?))|(?:(?<![\d.,])(\d+(?:[.,]\d{1,2})?)\s?(?:usd|eur|gbp|dollars|euros?))/gi;

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
    if (!SENSITIVE_PATTERNS[topic].some((p) => p.test(text))) continue;
    if (topic === 'refund' && refundLimitUsd > 0) {
      const amount = largestAmount(text);
      if (amount !== null && amount <= refundLimitUsd) continue;
    }
    found.push(topic);
  }
  return found;
}

export function looksLikeInjection(text: string): boolean {
  return INJECTION.some((p) => p.test(text)) || hasHiddenInstruction(text);
}

// Where a mail's own words end: a signature delimiter, a phone's "Sent from my …",
// a quoted line or a client's "On … wrote:" header. Tested line by line (linear).
/** Where the quoted history or a signature starts: after it, nothing is the customer's new text. */
const HISTORY_START = [/^-- ?$/, /^_{2,}\s*$/, /^sent from my \w+/i, /^on .{0,200} wrote:\s*$/i, /^-{2,} ?original message ?-{2,}/i];
const TAIL_START = [...HISTORY_START, /^>/];

/** The customer's own words and what follows them (signature, quoted history); the tail is checked separately. */
export function splitQuotedTail(text: string): { head: string; tail: string } {
  const lines = text.split('\n');
  const cut = lines.findIndex((line) => TAIL_START.some((p) => p.test(line.trimEnd().slice(0, 300))));
  if (cut <= 0) return cut === 0 ? { head: '', tail: text } : { head: text, tail: '' };
  return { head: lines.slice(0, cut).join('\n'), tail: lines.slice(cut).join('\n') };
}

/**
 * The customer's own lines: every line that is not quoted ("> …"), up to the quoted
 * history or signature. Unlike splitQuotedTail's head it keeps what a customer writes
 * between inline quotes, where a reply to "> Did that work?" asks its next question.
 */
export function customerLines(text: string): string {
  const own: string[] = [];
  for (const line of text.split('\n')) {
    const probe = line.trimEnd().slice(0, 300);
    if (HISTORY_START.some((p) => p.test(probe))) break;
    if (!/^\s*>/.test(line)) own.push(line);
  }
  return own.join('\n');
}

// Messages that close a conversation rather than open one: nothing to answer.
const CLOSERS = [
  /^(many |thanks?|thank you|thx|ty|cheers|great|perfect|awesome|ok(ay)?|got it|all good|solved|that (fixed|worked|did) it|works now|danke|merci|gracias)\b[\s\S]{0,80}$/i,
  /^[\s\p{P}\p{S}\p{Extended_Pictographic}\u200d\ufe0f]*$/u,
  /^\s*sent from my \w+\s*$/i,
];

// Machine-sent mail that slipped past the header guard (a forward, a webhook
// without headers): out-of-office notes, ticket-system receipts, newsletters.
const BULK = [
  /\bI('m| am| will be) (currently )?(out of (the )?office|on (annual |parental )?leave|away from (the office|my desk))\b/i,
  /\blimited access to (e-?mail|my inbox)\b/i,
  /^[ \t]*(automatic reply|auto-?reply|out of office)[ \t]*:/im,
  /\b(this is an automated (message|confirmation|reply|response)|do not reply to this (message|e-?mail))\b/i,
  // A newsletter's footer ("To unsubscribe, click here."), not a customer asking how to unsubscribe
  // ("help to unsubscribe from your newsletter") or a question that mentions it ("I try to unsubscribe the event").
  /(^|[.!?]\s+)to unsubscribe\b/im,
  /\b(unsubscribe (here|below|at any time)|you are receiving this (e-?mail|message) because)\b/i,
];

export function needsNoAction(text: string, subject = ''): boolean {
  const trimmed = text.trim();
  if (BULK.some((p) => p.test(`${subject}\n${trimmed}`))) return true;
  if (trimmed.includes('?')) return false;
  return CLOSERS.some((p) => p.test(trimmed));
}
