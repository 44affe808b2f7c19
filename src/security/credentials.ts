// The Authorization header schemes we read: Bearer (RFC 6750 §2.1) and Basic
// (RFC 7617). Parsing only; whether a credential is right is the verifiers' call.

/** The token of `Authorization: Bearer <token>`, or null when the header is absent or another scheme. */
export function parseBearer(header: string | undefined): string | null {
  const match = /^Bearer\s+(.+)$/i.exec(header ?? '');
  return match ? match[1]!.trim() : null;
}

export type BasicCredentials = { user: string; password: string };

/** `Authorization: Basic base64(user:password)`; null when absent, not base64, or without the colon. */
export function parseBasic(header: string | undefined): BasicCredentials | null {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!match) return null;
  let decoded: string;
  try {
    decoded = atob(match[1]!);
  } catch {
    return null;
  }
  const colon = decoded.indexOf(':');
  return colon < 0 ? null : { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}
