// The request-type classifier: multinomial logistic regression over hashed
// n-grams (request-type-features.ts), trained by `npm run train` into a versioned
// artifact (request-type-model.json, stored sparse: request-type-artifact.ts). Pure,
// no dependencies: a dot product per class over the ticket's few hundred features.
import artifact from './request-type-model.json';
import { base64Decode } from '../security/encoding';
import { decodeSparse, type DecodedWeights } from './request-type-artifact';
import { featurize } from './request-type-features';
import { REQUEST_TYPES, type RequestType } from './request-types';

export type RequestTypeArtifact = {
  format: 2;
  /** `rt-` + the first 12 hex digits of the sha256 of everything else in the artifact. */
  version: string;
  dims: number;
  classes: RequestType[];
  bias: number[];
  /** Per class: int8 weight × scale = the weight. */
  scales: number[];
  /** Buckets that kept a weight after pruning (base64 varint gaps); the rest weigh 0. */
  rows: string;
  /** base64 of int8 weights, one per class for each bucket in `rows`. */
  weights: string;
  /** base64 bitset of the word buckets seen in training (how much of a ticket's wording the model knows). */
  knownWords: string;
  trainedOn: Record<string, number>;
};

export type RequestTypeScores = {
  type: RequestType;
  probability: number;
  probabilities: Record<RequestType, number>;
  /** Share of the text's words the model saw in training: low for a language it was not trained on. */
  knownWordShare: number;
};

type LoadedModel = { artifact: RequestTypeArtifact; weights: DecodedWeights; known: Uint8Array };

/** Decoded once per isolate, on the first ticket rather than at startup. */
export function loadModel(source: RequestTypeArtifact): LoadedModel {
  if (source.format !== 2) throw new Error(`request-type artifact format ${String(source.format)} is not 2: run npm run train`);
  const weights = decodeSparse(source, source.dims, source.classes.length);
  return { artifact: source, weights, known: base64Decode(source.knownWords) };
}

let shipped: LoadedModel | null = null;
const shippedModel = (): LoadedModel => (shipped ??= loadModel(artifact as RequestTypeArtifact));

export const REQUEST_TYPE_MODEL_VERSION: string = (artifact as RequestTypeArtifact).version;

export function scoreRequestType(text: string, model: LoadedModel = shippedModel()): RequestTypeScores {
  const { dims, classes, bias, scales } = model.artifact;
  const c = classes.length;
  const logits = bias.slice();
  const { index, value, wordBuckets } = featurize(text, dims);
  const { rowOf, values } = model.weights;
  for (let j = 0; j < index.length; j++) {
    const row = rowOf[index[j]!]!;
    if (row < 0) continue;
    const base = row * c;
    const v = value[j]!;
    for (let k = 0; k < c; k++) logits[k]! += values[base + k]! * scales[k]! * v;
  }
  const max = Math.max(...logits);
  const exp = logits.map((l) => Math.exp(l - max));
  const sum = exp.reduce((a, b) => a + b, 0);
  const probabilities = Object.fromEntries(REQUEST_TYPES.map((t) => [t, 0])) as Record<RequestType, number>;
  let best = 0;
  for (let k = 0; k < c; k++) {
    probabilities[classes[k]!] = exp[k]! / sum;
    if (exp[k]! > exp[best]!) best = k;
  }
  let known = 0;
  for (const bucket of wordBuckets) {
    if ((model.known[bucket >>> 3]! >>> (bucket & 7)) & 1) known++;
  }
  return {
    type: classes[best]!,
    probability: exp[best]! / sum,
    probabilities,
    knownWordShare: wordBuckets.length === 0 ? 0 : known / wordBuckets.length,
  };
}
