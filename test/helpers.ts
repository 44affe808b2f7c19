// Shared test helpers: talk to the Worker the way a user does (HTTP through
// SELF), and load the real sample corpus through the real admin upload protocol.
import { SELF } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { vi } from 'vitest';
import { uploadCorpus, type UploadSummary } from '../scripts/lib/corpus-client';
import { parseDoc, type SourceDoc } from '../src/retrieval/chunk';

export const API_TOKEN = 'test-api-token';
export const ADMIN_TOKEN = 'test-admin-token';
const BASE = 'https://deflect.test';

const sampleDocSources = import.meta.glob('../corpus/docs/*.md', { query: '?raw', import: 'default', eager: true }) as Record<string, string>;

/** Parses docs imported with `import.meta.glob(..., { query: '?raw' })`, each named by its file. */
export function docsFrom(sources: Record<string, string>): SourceDoc[] {
  return Object.entries(sources).map(([path, source]) => parseDoc(source, path.split('/').pop()!.replace(/\.md$/, '')));
}

export function sampleDocs(): SourceDoc[] {
  return docsFrom(sampleDocSources);
}

/** No stored corpus: a test that compares rankings starts from nothing other tests stored (the index holds the active version only, migration 0011). */
export async function emptyCorpus(): Promise<void> {
  await env.DB.batch(['DELETE FROM chunks', 'DELETE FROM documents', 'DELETE FROM corpus_versions'].map((q) => env.DB.prepare(q)));
}

/**
 * The chunk rowids the FTS5 index holds. `count(*)` on an external-content table reads
 * the content table (chunks), not the index, so the index is read through fts5vocab.
 */
export async function indexedChunkIds(): Promise<number[]> {
  await env.DB.prepare("CREATE VIRTUAL TABLE IF NOT EXISTS chunks_fts_instances USING fts5vocab(chunks_fts, 'instance')").run();
  const { results } = await env.DB.prepare('SELECT DISTINCT doc FROM chunks_fts_instances ORDER BY doc').all<{ doc: number }>();
  return results.map((r) => r.doc);
}

/** The active version's chunk rowids: what the index must hold. */
export async function activeChunkIds(): Promise<number[]> {
  const { results } = await env.DB.prepare('SELECT id FROM chunks WHERE version IN (SELECT version FROM corpus_versions WHERE active = 1) ORDER BY id').all<{ id: number }>();
  return results.map((r) => r.id);
}

export async function request(path: string, init: RequestInit & { token?: string | null } = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  const token = init.token === undefined ? API_TOKEN : init.token;
  if (token) headers.set('authorization', `Bearer ${token}`);
  return SELF.fetch(`${BASE}${path}`, { ...init, headers });
}

export async function postTicket(body: unknown, token: string | null = API_TOKEN): Promise<Response> {
  return request('/api/tickets', {
    method: 'POST',
    token,
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

export async function loadCorpus(docs: SourceDoc[] = sampleDocs()): Promise<UploadSummary> {
  // Tests load whichever corpus they need; the shrink guard is tested on its own (test/pipeline/corpus.test.ts).
  return uploadCorpus(docs, {
    baseUrl: BASE,
    token: ADMIN_TOKEN,
    fetcher: (input, init) => SELF.fetch(input, init),
    replace: true,
  });
}

export type TicketView = {
  ticket: { id: string; status: string; message_id: string; thread_id: string; last_error: string | null } & Record<string, unknown>;
  decision: null | ({ outcome: string; reasons: string[]; confidence: number | null; doc_sources: string[] } & Record<string, unknown>);
  deliveries: ({ kind: string; status: string; attempts: number; payload: string | null } & Record<string, unknown>)[];
};

export async function getTicket(id: string): Promise<TicketView> {
  const response = await request(`/api/tickets/${id}`);
  if (response.status !== 200) throw new Error(`GET ticket ${id}: ${response.status} ${await response.text()}`);
  return response.json();
}

/** Poll until the real queue consumer has finished the ticket (decided and acted on). */
export async function waitForTicket(id: string, done: (view: TicketView) => boolean = (v) => ['done', 'ignored', 'failed'].includes(v.ticket.status)): Promise<TicketView> {
  let view: TicketView | undefined;
  await vi.waitUntil(
    async () => {
      view = await getTicket(id);
      return done(view);
    },
    { timeout: 8000, interval: 25 },
  );
  return view!;
}

export { env };
