// The compact request-type artifact: what `npm run train` encodes the Worker decodes
// exactly, a damaged artifact fails loudly, and the shipped one is the version it says.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import artifact from '../../src/decide/request-type-model.json';
import { base64Decode, base64Encode } from '../../src/security/encoding';
import { decodeSparse, encodeSparse, toDense, WEIGHT_LEVELS } from '../../src/decide/request-type-artifact';
import { loadModel, REQUEST_TYPE_MODEL_VERSION, scoreRequestType, type RequestTypeArtifact } from '../../src/decide/request-type';

const weightTable = (buckets: number, classes: number) =>
  fc
    .array(fc.oneof(fc.constant(0), fc.integer({ min: -WEIGHT_LEVELS, max: WEIGHT_LEVELS })), { minLength: buckets * classes, maxLength: buckets * classes })
    .map((values) => Int8Array.from(values));

describe('request-type artifact storage', () => {
  it('decodes exactly what it encoded, zero buckets included', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 12 }), (buckets, classes) => {
        fc.assert(
          fc.property(weightTable(buckets, classes), (dense) => {
            const decoded = toDense(decodeSparse(encodeSparse(dense, classes), buckets, classes), classes);
            expect(Array.from(decoded)).toEqual(Array.from(dense));
          }),
          { numRuns: 5 },
        );
      }),
      { numRuns: 30 },
    );
  });

  it('stores nothing for a bucket whose weights are all zero', () => {
    const dense = new Int8Array(16 * 2);
    dense.set([3, -7], 5 * 2);
    const stored = encodeSparse(dense, 2);
    expect(stored.weights).toBe('KA');
    expect(Array.from(base64Decode(stored.rows))).toEqual([0b0010_0000, 0]);
  });

  it('refuses a weight that does not fit four bits', () => {
    expect(() => encodeSparse(Int8Array.from([0, 8]), 2)).toThrow(/outside -7..7/);
  });

  it('throws on a damaged artifact instead of scoring with it', () => {
    const good = encodeSparse(Int8Array.from([1, 2, 0, 0, -3, 4]), 2);
    expect(() => decodeSparse({ ...good, weights: good.weights.slice(0, -1) }, 3, 2)).toThrow(/fewer weights/);
    expect(() => decodeSparse({ ...good, weights: `${good.weights}HH` }, 3, 2)).toThrow(/more weights/);
    expect(() => decodeSparse({ ...good, weights: `${good.weights.slice(0, -1)}z` }, 3, 2)).toThrow(/bad weight letter/);
    expect(() => decodeSparse(good, 64, 2)).toThrow(/bitset/);
  });

  it('base64 helpers round-trip every byte value', () => {
    const bytes = Uint8Array.from({ length: 70_000 }, (_, i) => (i * 7) & 0xff);
    expect(Array.from(base64Decode(base64Encode(bytes)))).toEqual(Array.from(bytes));
  });
});

describe('the shipped request-type model', () => {
  it('is the version it records: rt- and the sha256 of the rest of the artifact', async () => {
    const { version, ...body } = artifact as RequestTypeArtifact;
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(JSON.stringify(body))));
    const hex = Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
    expect(version).toBe(`rt-${hex.slice(0, 12)}`);
    expect(REQUEST_TYPE_MODEL_VERSION).toBe(version);
  });

  it('refuses an artifact of another format', () => {
    expect(() => loadModel({ ...(artifact as RequestTypeArtifact), format: 1 } as unknown as RequestTypeArtifact)).toThrow(/format 1 is not 2/);
  });

  it('still tells a how-to from a refund and a person request', () => {
    expect(scoreRequestType('How do I reset my password?').type).toBe('how_to');
    expect(scoreRequestType('I want my money back for last month, please refund me.').type).toBe('refund_request');
    expect(scoreRequestType('Let me talk to a human agent, not a bot.').type).toBe('human_request');
  });
});
