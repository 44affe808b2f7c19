// Byte and text encodings, each written once: hex, base64 (RFC 4648 §4) and
// base64url (RFC 4648 §5, unpadded as JWTs and our cookies use it), and the
// escaping that keeps customer text inert inside markup.

const utf8 = new TextEncoder();

/** TextEncoder always returns a fresh, ArrayBuffer-backed array; the type says so for crypto.subtle. */
export function utf8Bytes(text: string): Uint8Array<ArrayBuffer> {
  return utf8.encode(text) as Uint8Array<ArrayBuffer>;
}

function bytesOf(data: ArrayBuffer | Uint8Array): Uint8Array {
  return data instanceof Uint8Array ? data : new Uint8Array(data);
}

export function hexEncode(data: ArrayBuffer | Uint8Array): string {
  let hex = '';
  for (const byte of bytesOf(data)) hex += byte.toString(16).padStart(2, '0');
  return hex;
}

/** Null for anything but whole bytes of hex digits (either case). */
export function hexDecode(hex: string): Uint8Array<ArrayBuffer> | null {
  if (!/^(?:[0-9a-f]{2})+$/i.test(hex)) return null;
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}

export function base64Encode(data: ArrayBuffer | Uint8Array): string {
  const bytes = bytesOf(data);
  let binary = '';
  // Chunks keep String.fromCharCode's argument list under the engine's limit on large bodies.
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/** Throws on text that is not base64 (atob's own check). */
export function base64Decode(base64: string): Uint8Array<ArrayBuffer> {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

export function base64urlEncode(data: ArrayBuffer | Uint8Array): string {
  return base64Encode(data).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Accepts padded or unpadded input; throws on text that is not base64url. */
export function base64urlDecode(text: string): Uint8Array<ArrayBuffer> {
  const base64 = text.replace(/-/g, '+').replace(/_/g, '/');
  return base64Decode(base64.padEnd(Math.ceil(base64.length / 4) * 4, '='));
}

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };

/** `&`, `<` and `>` as entities: what Slack mrkdwn and our prompt's tags need (a quote stays a quote there). */
export function escapeMarkup(text: string): string {
  return text.replace(/[&<>]/g, (ch) => ENTITIES[ch]!);
}

/** Markup escaping plus `"`, so the text is inert in HTML element content and attribute values alike. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (ch) => ENTITIES[ch]!);
}
