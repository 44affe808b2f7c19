// multipart/form-data with every field as its exact bytes. Request.formData() decodes
// text fields as UTF-8, which corrupts the 8-bit charsets SendGrid declares in
// `charsets`; so the body is first widened byte-for-char (Latin-1 → UTF-8) and each
// field narrowed back after parsing.

export type BinaryForm = { field(name: string): Uint8Array | null; files: { name: string; filename: string; type: string; size: number }[] };

function bytesToBinaryString(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return binary;
}

const binaryStringToBytes = (binary: string) => Uint8Array.from(binary, (ch) => ch.charCodeAt(0));

/** Throws (TypeError) when the body is not valid form data for this content type. */
export async function parseBinaryForm(body: Uint8Array, contentType: string): Promise<BinaryForm> {
  if (/^application\/x-www-form-urlencoded/i.test(contentType)) {
    // Percent-encoding already says which bytes were sent; values are UTF-8 (Mailgun encodes into UTF-8).
    const params = new URLSearchParams(new TextDecoder().decode(body));
    const encoder = new TextEncoder();
    return { field: (name) => (params.has(name) ? encoder.encode(params.get(name)!) : null), files: [] };
  }
  if (!/^multipart\/form-data/i.test(contentType)) throw new TypeError(`not form data: ${contentType || 'no content type'}`);
  const widened = new TextEncoder().encode(bytesToBinaryString(body));
  const form = await new Response(widened, { headers: { 'content-type': contentType } }).formData();
  const fields = new Map<string, Uint8Array>();
  const files: BinaryForm['files'] = [];
  for (const [name, value] of form.entries()) {
    if (typeof value === 'string') {
      if (!fields.has(name)) fields.set(name, binaryStringToBytes(value));
    } else {
      files.push({ name, filename: value.name, type: value.type || 'application/octet-stream', size: (await value.text()).length });
    }
  }
  return { field: (name) => fields.get(name) ?? null, files };
}

/** Decode field bytes in the declared charset; an unknown label falls back to UTF-8. */
export function decodeField(bytes: Uint8Array | null, charset: string | undefined): string {
  if (!bytes) return '';
  try {
    return new TextDecoder(charset?.trim() || 'utf-8').decode(bytes);
  } catch {
    return new TextDecoder().decode(bytes);
  }
}
