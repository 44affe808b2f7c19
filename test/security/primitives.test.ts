// The primitives every verifier is built from, on published test vectors:
// RFC 4648 §10 (base16/base64), FIPS 180-2 (SHA-256), RFC 4231 (HMAC-SHA256),
// RFC 7617 §2 and RFC 6750 §2.1 (Basic and Bearer).
import { describe, expect, it } from 'vitest';
import { parseBasic, parseBearer } from '../../src/security/credentials';
import { secretsEqual } from '../../src/security/constant-time';
import { hmacKey, hmacSign, hmacVerify, randomBytes, sha256Hex } from '../../src/security/crypto';
import {
  base64Decode,
  base64Encode,
  base64urlDecode,
  base64urlEncode,
  escapeHtml,
  escapeMarkup,
  hexDecode,
  hexEncode,
  utf8Bytes,
} from '../../src/security/encoding';

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const repeat = (byte: number, length: number) => new Uint8Array(length).fill(byte);

describe('encodings (RFC 4648 §10)', () => {
  const vectors: [string, string, string][] = [
    ['', '', ''],
    ['f', 'Zg==', '66'],
    ['fo', 'Zm8=', '666f'],
    ['foo', 'Zm9v', '666f6f'],
    ['foob', 'Zm9vYg==', '666f6f62'],
    ['fooba', 'Zm9vYmE=', '666f6f6261'],
    ['foobar', 'Zm9vYmFy', '666f6f626172'],
  ];

  it.each(vectors)('encodes and decodes %j', (plain, base64, hex) => {
    expect(base64Encode(utf8Bytes(plain))).toBe(base64);
    expect(text(base64Decode(base64))).toBe(plain);
    expect(hexEncode(utf8Bytes(plain))).toBe(hex);
  });

  it.each(vectors.slice(1))('reads %j back from hex in either case', (plain, _, hex) => {
    expect(text(hexDecode(hex)!)).toBe(plain);
    expect(text(hexDecode(hex.toUpperCase())!)).toBe(plain);
  });

  it('uses the URL alphabet without padding for base64url (RFC 4648 §5) and reads it back padded or not', () => {
    const bytes = new Uint8Array([0xfb, 0xff, 0xbf]);
    expect(base64Encode(bytes)).toBe('+/+/');
    expect(base64urlEncode(bytes)).toBe('-_-_');
    expect(base64urlEncode(new Uint8Array([0xfb]))).toBe('-w');
    expect([...base64urlDecode('-w')]).toEqual([0xfb]);
    expect([...base64urlDecode('-w==')]).toEqual([0xfb]);
    expect(() => base64urlDecode('not base64!')).toThrow();
  });

  it('encodes a body larger than one String.fromCharCode call takes', () => {
    const large = new Uint8Array(70_000).map((_, i) => (i * 7) % 256);
    expect(hexEncode(base64Decode(base64Encode(large)))).toBe(hexEncode(large));
  });

  it('refuses hex that is not whole bytes of hex digits', () => {
    expect(hexDecode('')).toBeNull();
    expect(hexDecode('abc')).toBeNull();
    expect(hexDecode('zz')).toBeNull();
    expect(hexDecode('0g')).toBeNull();
  });

  it('escapes markup, and quotes too for HTML', () => {
    const hostile = `<a href="x">Tom & Jerry</a>`;
    expect(escapeMarkup(hostile)).toBe('&lt;a href="x"&gt;Tom &amp; Jerry&lt;/a&gt;');
    expect(escapeHtml(hostile)).toBe('&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&lt;/a&gt;');
    expect(escapeHtml('&amp;')).toBe('&amp;amp;');
  });
});

describe('sha256Hex (FIPS 180-2 examples)', () => {
  it.each([
    ['', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
    ['abc', 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'],
    ['abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq', '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1'],
  ])('hashes %j', async (message, digest) => {
    expect(await sha256Hex(message)).toBe(digest);
  });
});

describe('randomBytes (drawn from the CSPRNG a pool at a time)', () => {
  it('hands out each drawn byte once, across refills of the pool', () => {
    // 12-byte ids, enough of them to refill the 4096-byte pool several times.
    const ids = Array.from({ length: 2000 }, () => hexEncode(randomBytes(12)));
    expect(ids.every((id) => id.length === 24)).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('gives copies: changing one changes neither the pool nor the next id', () => {
    const first = randomBytes(16);
    first.fill(0);
    const next = randomBytes(16);
    expect(next.some((b) => b !== 0)).toBe(true);
  });

  it('serves a length larger than the pool in one draw', () => {
    const large = randomBytes(10_000);
    expect(large.length).toBe(10_000);
    // 10,000 uniform bytes take every value: a zero-filled or short buffer would not.
    expect(new Set(large).size).toBe(256);
  });
});

describe('HMAC-SHA256 (RFC 4231 §4)', () => {
  const cases: [string, Uint8Array<ArrayBuffer> | string, Uint8Array<ArrayBuffer> | string, string][] = [
    ['1', repeat(0x0b, 20), 'Hi There', 'b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7'],
    ['2: a key shorter than the hash', 'Jefe', 'what do ya want for nothing?', '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843'],
    ['3', repeat(0xaa, 20), repeat(0xdd, 50), '773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe'],
    ['4', Uint8Array.from({ length: 25 }, (_, i) => i + 1), repeat(0xcd, 50), '82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b'],
    ['6: a key larger than the block', repeat(0xaa, 131), 'Test Using Larger Than Block-Size Key - Hash Key First', '60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54'],
    [
      '7: key and data larger than the block',
      repeat(0xaa, 131),
      'This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm.',
      '9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2',
    ],
  ];

  it.each(cases)('signs test case %s', async (_, key, data, mac) => {
    expect(hexEncode(await hmacSign(await hmacKey(key), data))).toBe(mac);
  });

  it.each(cases)('verifies test case %s and refuses it with one bit flipped', async (_, key, data, mac) => {
    const expected = hexDecode(mac)!;
    expect(await hmacVerify(await hmacKey(key), expected, data)).toBe(true);
    const flipped = expected.slice();
    flipped[31]! ^= 1;
    expect(await hmacVerify(await hmacKey(key), flipped, data)).toBe(false);
    expect(await hmacVerify(await hmacKey(key), expected.slice(0, 16), data)).toBe(false);
  });
});

describe('secretsEqual', () => {
  it('is true only for the same secret, whatever the lengths', async () => {
    expect(await secretsEqual('s3cret-token', 's3cret-token')).toBe(true);
    expect(await secretsEqual('s3cret-tokeN', 's3cret-token')).toBe(false);
    expect(await secretsEqual('s3cret', 's3cret-token')).toBe(false);
    expect(await secretsEqual('', 's3cret-token')).toBe(false);
  });
});

describe('Authorization header parsing', () => {
  it("reads RFC 7617's Basic example and a password that holds a colon", () => {
    expect(parseBasic('Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==')).toEqual({ user: 'Aladdin', password: 'open sesame' });
    expect(parseBasic(`basic ${btoa('user:pa:ss')}`)).toEqual({ user: 'user', password: 'pa:ss' });
  });

  it('refuses Basic without the colon, not base64, or another scheme', () => {
    expect(parseBasic(`Basic ${btoa('no-colon')}`)).toBeNull();
    expect(parseBasic('Basic !!!')).toBeNull();
    expect(parseBasic('Basic Zg')).toBeNull();
    expect(parseBasic('Bearer abc')).toBeNull();
    expect(parseBasic(undefined)).toBeNull();
  });

  it('reads a Bearer token (scheme case-insensitive, RFC 6750 §2.1) and nothing else', () => {
    expect(parseBearer('Bearer mF_9.B5f-4.1JqM')).toBe('mF_9.B5f-4.1JqM');
    expect(parseBearer('bearer  token  ')).toBe('token');
    expect(parseBearer('Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==')).toBeNull();
    expect(parseBearer('Bearer')).toBeNull();
    expect(parseBearer(undefined)).toBeNull();
  });
});
