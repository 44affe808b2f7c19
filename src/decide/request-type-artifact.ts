// The request-type model's compact storage (artifact format 2), shared by
// `npm run train` (encode) and the Worker (decode) so both agree exactly.
// The artifact is most of the bundle, so: weights are 4-bit (-7..7 × a per-class
// scale: measured no worse held-out than 8-bit), only the hash buckets training
// gave a weight are stored (a bitset says which), and each weight is one letter,
// which gzip packs to ~2 bits where base64 of bytes hides the zeros from it.
// The Worker decodes them once into a bucket → row lookup (no dense table to fill).

import { base64Decode, base64Encode } from '../security/encoding';

/** Largest weight magnitude in quantisation steps: -7..7 fits one letter of WEIGHT_LETTERS. */
export const WEIGHT_LEVELS = 7;
const WEIGHT_LETTERS = 'ABCDEFGHIJKLMNO'; // A = -7, H = 0, O = 7

export type SparseWeights = {
  /** base64 bitset over the buckets: bit set = the bucket has a stored row. */
  rows: string;
  /** One letter per class for each stored bucket, in bucket order (A = -7 … H = 0 … O = 7). */
  weights: string;
};

/** Dense feature-major weights in -7..7 → the stored form; all-zero buckets are left out. */
export function encodeSparse(dense: Int8Array, classes: number): SparseWeights {
  const buckets = dense.length / classes;
  const bits = new Uint8Array(Math.ceil(buckets / 8));
  let letters = '';
  for (let row = 0; row < buckets; row++) {
    const values = dense.subarray(row * classes, (row + 1) * classes);
    if (values.every((v) => v === 0)) continue;
    bits[row >>> 3]! |= 1 << (row & 7);
    for (const v of values) {
      if (!Number.isInteger(v) || Math.abs(v) > WEIGHT_LEVELS) throw new Error(`weight ${v} is outside -${WEIGHT_LEVELS}..${WEIGHT_LEVELS}`);
      letters += WEIGHT_LETTERS[v + WEIGHT_LEVELS];
    }
  }
  return { rows: base64Encode(bits), weights: letters };
}

/** Stored weights ready to score: the row of each bucket (-1: all zero) and the weights in -7..7, row by row. */
export type DecodedWeights = { rowOf: Int32Array; values: Int8Array };

/** The stored form → lookup tables; a malformed artifact throws rather than scoring with garbage. Linear, a few ms cold. */
export function decodeSparse(stored: SparseWeights, dims: number, classes: number): DecodedWeights {
  const bits = base64Decode(stored.rows);
  if (bits.length !== Math.ceil(dims / 8)) throw new Error(`request-type artifact: row bitset has ${bits.length} bytes for ${dims} buckets`);
  const rowOf = new Int32Array(dims).fill(-1);
  let rows = 0;
  for (let byte = 0; byte < bits.length; byte++) {
    const b = bits[byte]!;
    if (b === 0) continue;
    for (let bit = 0; bit < 8; bit++) if ((b >>> bit) & 1) rowOf[byte * 8 + bit] = rows++;
  }
  if (rows * classes < stored.weights.length) throw new Error('request-type artifact: more weights than rows');
  if (rows * classes > stored.weights.length) throw new Error('request-type artifact: fewer weights than rows');
  // Letters are ASCII, so the encoder's bytes are the letters; 'H' (72) is 0.
  const values = new Int8Array(new TextEncoder().encode(stored.weights).buffer);
  if (values.length !== stored.weights.length) throw new Error('request-type artifact: bad weight letter (not ASCII)');
  for (let i = 0; i < values.length; i++) {
    const v = values[i]! - 72;
    if (v < -WEIGHT_LEVELS || v > WEIGHT_LEVELS) throw new Error(`request-type artifact: bad weight letter at ${i}`);
    values[i] = v;
  }
  return { rowOf, values };
}

/** The dense feature-major table (weights[bucket * classes + class]): for tests and tools, not the hot path. */
export function toDense(decoded: DecodedWeights, classes: number): Int8Array {
  const dense = new Int8Array(decoded.rowOf.length * classes);
  decoded.rowOf.forEach((row, bucket) => {
    if (row >= 0) dense.set(decoded.values.subarray(row * classes, (row + 1) * classes), bucket * classes);
  });
  return dense;
}
