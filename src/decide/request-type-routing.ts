// From classifier scores (and Claude's opinion, when there is one) to the request
// type a decision records. Pure. The classifier reads the main text, and separately
// every part a customer wrote that is not the question itself (the display name,
// the quoted history and signature, the parts ingest stripped): a person-needed
// type in any of them sends the ticket to a person.
import { scoreRequestType, REQUEST_TYPE_MODEL_VERSION, type RequestTypeScores } from './request-type';
import { words } from './request-type-features';
import { NEEDS_PERSON, needsPerson, REQUEST_TYPES, type DecisionRequestType, type RequestType } from './request-types';

const SIDE_MIN_WORDS = 3;
/**
 * The parts beside the question are mostly names, signatures and our own quoted reply,
 * where six person-needed types sharing a quarter of the probability is noise ("Dana
 * Whitfield / Whitfield Design" read as a billing dispute); a request hidden there reads
 * clearly. So there a person-needed reading must be the more likely one.
 */
const SIDE_PERSON_PROBABILITY = 0.5;

export type RequestTypeConfig = {
  /** Top probability under this floor: the type is `unclear`. */
  REQUEST_TYPE_MIN_PROBABILITY: number;
  /** Share of known words under this: a language (or jargon) the model was not trained on, `unclear`. */
  REQUEST_TYPE_MIN_KNOWN_WORDS: number;
  /** Person-needed types together at least this likely: the most likely of them wins over how_to. */
  REQUEST_TYPE_PERSON_PROBABILITY: number;
  /** A how_to with person-needed types together at least this likely is near a person-needed reading. */
  REQUEST_TYPE_HOLD_PROBABILITY: number;
};

export type RequestTypeVerdict = {
  /** The type the decision records and the policy routes on. */
  type: DecisionRequestType;
  /** The classifier's own type and probability for the main text. */
  classifierType: RequestType;
  classifierProbability: number;
  /** The classifier's person-needed types together, on the main text. */
  classifierPersonProbability: number;
  modelVersion: string;
  /** Claude's type, when the responder gave one. */
  claudeType: RequestType | null;
  /** A person-needed type found only outside the main text (name, quote, signature, stripped parts). */
  sideType: RequestType | null;
  /**
   * Routed as how_to while the classifier's person-needed types together are at least
   * REQUEST_TYPE_HOLD_PROBABILITY: close enough to the floor that the draft waits for a person.
   */
  nearPerson: boolean;
};

/** The six person-needed types' probability together. */
export const personProbability = (scores: RequestTypeScores): number =>
  REQUEST_TYPES.reduce((sum, type) => (NEEDS_PERSON.has(type) ? sum + scores.probabilities[type] : sum), 0);

/** Enough of the text's words were seen in training for the scores to mean something. */
const knowsTheWords = (scores: RequestTypeScores, config: RequestTypeConfig): boolean =>
  scores.knownWordShare >= config.REQUEST_TYPE_MIN_KNOWN_WORDS;

/** The classifier's type for one text, with the person-needed preference and the unsure floor applied. */
export function typeFromScores(scores: RequestTypeScores, config: RequestTypeConfig): DecisionRequestType {
  let person: RequestType | null = null;
  for (const type of REQUEST_TYPES) {
    if (!NEEDS_PERSON.has(type)) continue;
    if (person === null || scores.probabilities[type] > scores.probabilities[person]) person = type;
  }
  const personMass = personProbability(scores);
  // Wording the model does not know (another language, a bare name) says nothing, person-needed or not.
  if (!knowsTheWords(scores, config)) return 'unclear';
  if (person && personMass >= config.REQUEST_TYPE_PERSON_PROBABILITY) return person;
  if (scores.probability < config.REQUEST_TYPE_MIN_PROBABILITY) return 'unclear';
  return scores.type;
}

/**
 * Nothing to answer is never a mail that asks something: "thanks, it mostly worked! How do
 * I merge the doubles?" read as a thank-you would be ignored, and nobody would read it. No
 * labelled no_action mail has a question mark in its own text; the keyword closers
 * (needsNoAction) hold the same rule. Unsure instead, so a person or Claude decides.
 */
function unlessAsked(type: DecisionRequestType, body: string): DecisionRequestType {
  return type === 'no_action' && /[?？¿]/.test(body) ? 'unclear' : type;
}

export type TicketTexts = {
  /** Subject and customer text as the responder sees them. */
  main: string;
  /** The customer's own lines (customerLines): no subject, no quoted history. */
  body: string;
  /** Everything else the customer sent: display name, quoted and signature parts, the unstripped body. */
  side: string[];
};

export function judgeRequestType(texts: TicketTexts, claudeType: RequestType | null, config: RequestTypeConfig): RequestTypeVerdict {
  const scores = scoreRequestType(texts.main);
  const classified = unlessAsked(typeFromScores(scores, config), texts.body);
  let sideType: RequestType | null = null;
  const sideConfig = { ...config, REQUEST_TYPE_PERSON_PROBABILITY: Math.max(config.REQUEST_TYPE_PERSON_PROBABILITY, SIDE_PERSON_PROBABILITY) };
  for (const side of texts.side) {
    // A name or a two-word signature is not a request; a sentence hidden there is.
    if (words(side).length < SIDE_MIN_WORDS) continue;
    const type = typeFromScores(scoreRequestType(side), sideConfig);
    if (needsPerson(type) && !needsPerson(classified)) {
      sideType = type as RequestType;
      break;
    }
  }
  // Either opinion naming a person-needed type wins; otherwise Claude (who read the docs) settles an unsure classifier.
  let type: DecisionRequestType = classified;
  if (needsPerson(classified)) type = classified;
  else if (sideType) type = sideType;
  else if (claudeType && (needsPerson(claudeType) || classified === 'unclear')) type = unlessAsked(claudeType, texts.body);
  // Claude's how_to does not lift it: one opinion leaning towards a person is worth a review, as either
  // opinion naming a person-needed type is worth a person. Wording the model does not know says nothing here either.
  const personMass = personProbability(scores);
  const nearPerson = type === 'how_to' && knowsTheWords(scores, config) && personMass >= config.REQUEST_TYPE_HOLD_PROBABILITY;
  return {
    type,
    classifierType: scores.type,
    classifierProbability: scores.probability,
    classifierPersonProbability: personMass,
    modelVersion: REQUEST_TYPE_MODEL_VERSION,
    claudeType,
    sideType,
    nearPerson,
  };
}
