// The client side of the corpus upload protocol (routes/admin.ts). Runs in Node
// (scripts/upload-corpus.ts) and inside workerd tests, so it only uses fetch.
import { chunkDoc, type SourceDoc } from '../../src/retrieval/chunk';
import { contentHash, corpusVersion } from '../../src/retrieval/corpus';

export type Fetcher = (input: string, init?: RequestInit) => Promise<Response>;

export type UploadProgress = { done: number; total: number; docId: string; chunks: number; skipped: boolean };

export type UploadSummary = {
  version: string;
  created: boolean;
  activated: boolean;
  docs: number;
  uploadedDocs: number;
  chunks: number;
  tokens: number;
};

type Settings = { chunker: { targetTokens: number; overlapTokens: number }; embedding_model: string; dimensions: number };

async function call<T>(fetcher: Fetcher, url: string, token: string, init: RequestInit = {}): Promise<T> {
  const response = await fetcher(url, {
    ...init,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...(init.headers ?? {}) },
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${init.method ?? 'GET'} ${url} → ${response.status}: ${text.slice(0, 500)}`);
  return JSON.parse(text) as T;
}

/**
 * Upload a folder's docs as one corpus version. Idempotent and resumable: the
 * version is a hash of the content and settings, docs already stored are skipped,
 * and an active version with the same hash means there is nothing to do.
 */
export async function uploadCorpus(
  docs: SourceDoc[],
  options: { baseUrl: string; token: string; fetcher?: Fetcher; onProgress?: (p: UploadProgress) => void },
): Promise<UploadSummary> {
  const fetcher = options.fetcher ?? ((input, init) => fetch(input, init));
  const base = options.baseUrl.replace(/\/$/, '');
  const state = await call<{ settings: Settings; active: string | null; versions: { version: string }[] }>(
    fetcher,
    `${base}/admin/corpus`,
    options.token,
  );
  const { chunker, embedding_model: embeddingModel, dimensions } = state.settings;
  const version = await corpusVersion({ docs, chunker, embeddingModel, dimensions });
  const chunked = docs.map((doc) => ({ doc, chunks: chunkDoc(doc, chunker) }));
  const totals = {
    docs: docs.length,
    chunks: chunked.reduce((n, d) => n + d.chunks.length, 0),
    tokens: chunked.reduce((n, d) => n + d.chunks.reduce((m, c) => m + c.tokenCount, 0), 0),
  };
  if (state.active === version) {
    return { version, created: false, activated: false, uploadedDocs: 0, ...totals };
  }
  const created = !state.versions.some((v) => v.version === version);
  const stored = await call<{ stored_doc_ids: string[]; status: string }>(fetcher, `${base}/admin/corpus/versions/${version}`, options.token, {
    method: 'PUT',
    body: JSON.stringify({ chunker, embedding_model: embeddingModel, dimensions }),
  });
  const already = new Set(stored.stored_doc_ids);
  let uploadedDocs = 0;
  for (const [index, { doc, chunks }] of chunked.entries()) {
    const skipped = already.has(doc.id) || stored.status === 'complete';
    if (!skipped) {
      await call(fetcher, `${base}/admin/corpus/versions/${version}/documents/${encodeURIComponent(doc.id)}`, options.token, {
        method: 'PUT',
        body: JSON.stringify({
          title: doc.title,
          url: doc.url,
          content_hash: await contentHash(doc),
          chunks: chunks.map((c) => ({
            chunk_id: c.chunkId,
            heading_path: c.headingPath,
            text: c.text,
            token_count: c.tokenCount,
            position: c.position,
          })),
        }),
      });
      uploadedDocs += 1;
    }
    options.onProgress?.({ done: index + 1, total: chunked.length, docId: doc.id, chunks: chunks.length, skipped });
  }
  await call(fetcher, `${base}/admin/corpus/versions/${version}/activate`, options.token, { method: 'POST' });
  return { version, created, activated: true, uploadedDocs, ...totals };
}
