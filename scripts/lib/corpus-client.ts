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
  /** Whether the Worker embedded the chunks into Vectorize (AI + VECTORIZE bound). */
  vectors: boolean;
  docs: number;
  uploadedDocs: number;
  chunks: number;
  tokens: number;
  pruned: string[];
};

type Settings = {
  chunker: { targetTokens: number; overlapTokens: number };
  embedding_model: string;
  dimensions: number;
  vectors: boolean;
};

export type UploadOptions = {
  baseUrl: string;
  token: string;
  fetcher?: Fetcher;
  onProgress?: (p: UploadProgress) => void;
  /** Attempts per request for network errors, 429 and 5xx (a Workers AI hiccup while embedding). */
  attempts?: number;
  backoffMs?: number;
};

class UploadError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

async function call<T>(fetcher: Fetcher, url: string, token: string, init: RequestInit = {}): Promise<T> {
  let response: Response;
  try {
    response = await fetcher(url, {
      ...init,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...(init.headers ?? {}) },
    });
  } catch (error) {
    throw new UploadError(`${init.method ?? 'GET'} ${url} failed: ${String(error)}`, true);
  }
  const text = await response.text();
  if (!response.ok) {
    const retryable = response.status === 429 || response.status >= 500;
    throw new UploadError(`${init.method ?? 'GET'} ${url} → ${response.status}: ${text.slice(0, 500)}`, retryable);
  }
  return JSON.parse(text) as T;
}

/** Every request is idempotent (PUT by version + doc id), so a retry can never store anything twice. */
async function callWithRetry<T>(options: UploadOptions, fetcher: Fetcher, url: string, init: RequestInit = {}): Promise<T> {
  const attempts = options.attempts ?? 4;
  for (let attempt = 1; ; attempt++) {
    try {
      return await call<T>(fetcher, url, options.token, init);
    } catch (error) {
      if (!(error instanceof UploadError) || !error.retryable || attempt >= attempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, (options.backoffMs ?? 500) * 2 ** (attempt - 1)));
    }
  }
}

/**
 * Upload a folder's docs as one corpus version. Idempotent and resumable: the
 * version is a hash of the content and settings, docs already stored are skipped,
 * and an active version with the same hash means there is nothing to do.
 */
export async function uploadCorpus(docs: SourceDoc[], options: UploadOptions): Promise<UploadSummary> {
  const fetcher = options.fetcher ?? ((input, init) => fetch(input, init));
  const base = options.baseUrl.replace(/\/$/, '');
  const request = <T>(path: string, init?: RequestInit) => callWithRetry<T>(options, fetcher, `${base}${path}`, init);
  const state = await request<{ settings: Settings; active: string | null; versions: { version: string }[] }>('/admin/corpus');
  const { chunker, embedding_model: embeddingModel, dimensions } = state.settings;
  const version = await corpusVersion({ docs, chunker, embeddingModel, dimensions });
  const chunked = docs.map((doc) => ({ doc, chunks: chunkDoc(doc, chunker) }));
  const totals = {
    docs: docs.length,
    chunks: chunked.reduce((n, d) => n + d.chunks.length, 0),
    tokens: chunked.reduce((n, d) => n + d.chunks.reduce((m, c) => m + c.tokenCount, 0), 0),
  };
  const vectors = state.settings.vectors;
  if (state.active === version) {
    return { version, created: false, activated: false, vectors, uploadedDocs: 0, pruned: [], ...totals };
  }
  const created = !state.versions.some((v) => v.version === version);
  const stored = await request<{ stored_doc_ids: string[]; status: string }>(`/admin/corpus/versions/${version}`, {
    method: 'PUT',
    body: JSON.stringify({ chunker, embedding_model: embeddingModel, dimensions }),
  });
  const already = new Set(stored.stored_doc_ids);
  let uploadedDocs = 0;
  for (const [index, { doc, chunks }] of chunked.entries()) {
    const skipped = already.has(doc.id) || stored.status === 'complete';
    if (!skipped) {
      await request(`/admin/corpus/versions/${version}/documents/${encodeURIComponent(doc.id)}`, {
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
  await request(`/admin/corpus/versions/${version}/activate`, { method: 'POST', body: JSON.stringify({ docs: docs.length }) });
  const { pruned } = await request<{ pruned: { version: string }[] }>('/admin/corpus/prune', { method: 'POST', body: '{}' });
  return { version, created, activated: true, vectors, uploadedDocs, pruned: pruned.map((p) => p.version), ...totals };
}
