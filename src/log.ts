// Structured logs, one JSON object a line. Errors are summarised: drizzle puts the
// SQL and its bound parameters (customer text, addresses) into error messages,
// and logs must carry neither customer data nor secrets.

/** The error's message, with any failed query reduced to the database's own reason, at most 300 chars. */
export function errorSummary(error: unknown): string {
  if (!(error instanceof Error)) return String(error).slice(0, 300);
  let message = error.message;
  if (message.startsWith('Failed query:')) {
    const cause = error.cause instanceof Error ? error.cause.message : 'unknown cause';
    message = `database query failed: ${cause}`;
  }
  return message.slice(0, 300);
}

export function logEvent(level: 'info' | 'warn' | 'error', event: string, fields: Record<string, unknown> = {}): void {
  const line = JSON.stringify({ level, event, ...fields });
  if (level === 'error') console.error(line);
  else if (level === 'warn') console.warn(line);
  else console.log(line);
}
