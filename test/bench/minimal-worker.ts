// The smallest Worker that does what ingest must: validate a JSON ticket, one D1
// insert, one queue send. scripts/bench.ts loads it beside deflect on the same
// wrangler/workerd, so deflect's ingest figures are quoted as ratios to it.
type MinimalTicket = { from: string; subject?: string; text: string };

function parse(body: unknown): MinimalTicket | null {
  if (typeof body !== 'object' || body === null) return null;
  const { from, subject, text } = body as Record<string, unknown>;
  if (typeof from !== 'string' || !from.includes('@') || typeof text !== 'string' || text.length === 0) return null;
  if (subject !== undefined && typeof subject !== 'string') return null;
  return { from, subject, text };
}

let tableReady = false;

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname === '/health') return Response.json({ ok: true });
    if (request.method !== 'POST' || url.pathname !== '/api/tickets') return new Response('not found', { status: 404 });
    const ticket = parse(await request.json().catch(() => null));
    if (!ticket) return Response.json({ error: { code: 'invalid_ticket', message: 'from and text are required' } }, { status: 400 });
    if (!tableReady) {
      await env.DB.exec('CREATE TABLE IF NOT EXISTS minimal_tickets (id TEXT PRIMARY KEY, from_address TEXT NOT NULL, subject TEXT, body TEXT NOT NULL, received_at INTEGER NOT NULL)');
      tableReady = true;
    }
    const id = crypto.randomUUID();
    await env.DB.prepare('INSERT INTO minimal_tickets (id, from_address, subject, body, received_at) VALUES (?, ?, ?, ?, ?)')
      .bind(id, ticket.from, ticket.subject ?? '', ticket.text, Date.now())
      .run();
    await env.TICKETS.send({ ticketId: id });
    return Response.json({ ticket_id: id }, { status: 202 });
  },
  async queue(batch) {
    batch.ackAll();
  },
} satisfies ExportedHandler<Env>;
