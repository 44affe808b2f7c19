// The shared real-world samples as exact bytes (the `?bytes` import of vitest.config.ts),
// and a hand-built Email Routing message: vitest-pool-workers has no email() helper.
const mimeFiles = import.meta.glob('../../../shared/data/mime/*.eml', { query: '?bytes', import: 'default', eager: true }) as Record<string, string>;
const webhookFiles = import.meta.glob('../../../shared/data/webhooks/{postmark,sendgrid,mailgun}/*', {
  query: '?bytes',
  import: 'default',
  eager: true,
}) as Record<string, string>;

export function fromBase64(base64: string): Uint8Array {
  return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
}

const byName = (files: Record<string, string>) =>
  Object.fromEntries(Object.entries(files).map(([path, base64]) => [path.split('/').slice(-2).join('/'), fromBase64(base64)]));

/** `mime/<file>.eml` → bytes. */
export const MIME_SAMPLES: Record<string, Uint8Array> = Object.fromEntries(
  Object.entries(byName(mimeFiles)).map(([name, bytes]) => [name.replace(/^mime\//, ''), bytes]),
);

/** `<provider>/<file>` → bytes. */
export const WEBHOOK_SAMPLES: Record<string, Uint8Array> = byName(webhookFiles);

export function webhookSample(name: string): Uint8Array {
  const bytes = WEBHOOK_SAMPLES[name];
  if (!bytes) throw new Error(`no webhook sample ${name}`);
  return bytes;
}

/** A captured `.http` dump: header lines, a blank line (CRLF or LF, as captured), then the body bytes untouched. */
export function httpCapture(name: string): { headers: Headers; body: Uint8Array } {
  const bytes = webhookSample(name);
  let headEnd = bytes.length;
  let bodyStart = bytes.length;
  for (let i = 0; i < bytes.length - 1; i++) {
    if (bytes[i] === 10 && bytes[i + 1] === 10) [headEnd, bodyStart] = [i, i + 2];
    else if (bytes[i] === 10 && bytes[i + 1] === 13 && bytes[i + 2] === 10) [headEnd, bodyStart] = [i, i + 3];
    else continue;
    break;
  }
  const headers = new Headers();
  for (const line of new TextDecoder().decode(bytes.subarray(0, headEnd)).split(/\r?\n/).slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.append(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
  }
  return { headers, body: bytes.subarray(bodyStart) };
}

export type TestEmail = ForwardableEmailMessage & { replies: EmailMessage[]; rejections: string[]; forwards: { to: string; headers: Record<string, string> }[] };

/** A one-shot ForwardableEmailMessage over these bytes (raw can be read once, like the real one). */
export function emailMessage(bytes: Uint8Array, envelope: { from: string; to?: string }, options: { replyFails?: boolean; forwardFails?: boolean } = {}): TestEmail {
  const headerBlock = new TextDecoder().decode(bytes.subarray(0, 64 * 1024)).split(/\r?\n\r?\n/)[0] ?? '';
  const headers = new Headers();
  for (const line of headerBlock.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    // Only well-formed ASCII headers are exposed here; the handler reads the raw bytes anyway.
    const name = line.slice(0, colon);
    if (/^[\w!#$%&'*+.^`|~-]+$/.test(name) && /^[\x20-\x7e\t]*$/.test(line)) headers.append(name, line.slice(colon + 1).trim());
  }
  const replies: EmailMessage[] = [];
  const rejections: string[] = [];
  const forwards: TestEmail['forwards'] = [];
  return {
    from: envelope.from,
    to: envelope.to ?? 'support@tallybook.example',
    raw: new Response(bytes).body!,
    rawSize: bytes.byteLength,
    headers,
    replies,
    rejections,
    setReject: (reason: string) => void rejections.push(reason),
    forwards,
    forward: async (to: string, headers?: Headers) => {
      if (options.forwardFails) throw new Error('forward refused: destination address not verified');
      forwards.push({ to, headers: Object.fromEntries(headers ?? []) });
      return { messageId: 'forwarded' };
    },
    reply: async (message: EmailMessage) => {
      if (options.replyFails) throw new Error('reply refused: DMARC');
      replies.push(message);
      return { messageId: 'replied' };
    },
  };
}
