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
  max_removed_share?: number;
};

/** What an upload would change against the active version, by doc id. */
export type UploadPlan = {
  version: string;
  active: string | null;
  /** The folder is the active version already: nothing to do. */
  upToDate: boolean;
  added: string[];
  changed: string[];
  removed: string[];
  unchanged: number;
  /** Share of the active docs this upload drops, and the Worker's limit without `replace`. */
  removedShare: number;
  maxRemovedShare: number;
};

/** Refused before anything is written: the plan drops too many docs, or there are none. */
export class UploadRefused extends Error {}

export type UploadOptions = {
  baseUrl: string;
  token: string;
  fetcher?: Fetcher;
  onProgress?: (p: UploadProgress) => void;
  /** Allow a version that drops more than the Worker's max_removed_share of the active docs. */
  replace?: boolean;
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

type CorpusState = { settings: Settings; active: string | null; versions: { version: string; status?: string }[] };

function client(options: UploadOptions) {
  const fetcher = options.fetcher ?? ((input, init) => fetch(input, init));
  const base = options.baseUrl.replace(/\/$/, '');
  return <T>(path: string, init?: RequestInit) => callWithRetry<T>(options, fetcher, `${base}${path}`, init);
}

/** Compare a folder's docs with the active version, writing nothing. */
export async function planUpload(docs: SourceDoc[], options: UploadOptions): Promise<UploadPlan> {
  return (await prepare(docs, client(options))).plan;
}

async function prepare(docs: SourceDoc[], request: ReturnType<typeof client>) {
  if (docs.length === 0) throw new UploadRefused('no documents to upload: an empty folder would leave the help center empty');
  const state = await request<CorpusState>('/admin/corpus');
  const { chunker, embedding_model: embeddingModel, dimensions } = state.settings;
  const version = await corpusVersion({ docs, chunker, embeddingModel, dimensions });
  const hashes = new Map(await Promise.all(docs.map(async (doc) => [doc.id, await contentHash(doc)] as const)));
  const before = state.active
    ? (await request<{ documents: { doc_id: string; content_hash: string }[] }>(`/admin/corpus/versions/${state.active}/documents`)).documents
    : [];
  const previous = new Map(before.map((d) => [d.doc_id, d.content_hash]));
  const added = docs.filter((d) => !previous.has(d.id)).map((d) => d.id);
  const changed = docs.filter((d) => previous.has(d.id) && previous.get(d.id) !== hashes.get(d.id)).map((d) => d.id);
  const removed = before.filter((d) => !hashes.has(d.doc_id)).map((d) => d.doc_id);
  const plan: UploadPlan = {
    version,
    active: state.active,
    upToDate: state.active === version,
    added,
    changed,
    removed,
    unchanged: docs.length - added.length - changed.length,
    removedShare: before.length === 0 ? 0 : removed.length / before.length,
    maxRemovedShare: state.settings.max_removed_share ?? 1,
  };
  return { state, plan, hashes };
}

/**
 * Upload a folder's docs as one corpus version. Idempotent and resumable: the
 * version is a hash of the content and settings, docs already stored are skipped,
 * and an active version with the same hash means there is nothing to do. A version
 * that would drop too many active docs is refused before anything is written
 * (unless `replace`), and one the Worker refuses at activation is abandoned, so no
 * unfinished version is left behind by a refusal.
 */
export async function uploadCorpus(docs: SourceDoc[], options: UploadOptions): Promise<UploadSummary> {
  const request = client(options);
  const { state, plan, hashes } = await prepare(docs, request);
  const { chunker, embedding_model: embeddingModel, dimensions } = state.settings;
  const { version } = plan;
  const chunked = docs.map((doc) => ({ doc, chunks: chunkDoc(doc, chunker) }));
  const totals = {
    docs: docs.length,
    chunks: chunked.reduce((n, d) => n + d.chunks.length, 0),
    tokens: chunked.reduce((n, d) => n + d.chunks.reduce((m, c) => m + c.tokenCount, 0), 0),
  };
  const vectors = state.settings.vectors;
  if (plan.upToDate) {
    return { version, created: false, activated: false, vectors, uploadedDocs: 0, pruned: [], ...totals };
  }
  if (!options.replace && plan.removedShare > plan.maxRemovedShare) {
    const activeDocs = plan.unchanged + plan.changed.length + plan.removed.length;
    throw new UploadRefused(
      `this upload would remove ${plan.removed.length} of the ${activeDocs} active docs (limit ${Math.round(plan.maxRemovedShare * 100)}%); ` +
        'check the folder, or pass --replace to replace the help center',
    );
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
          content_hash: hashes.get(doc.id),
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
  try {
    await request(`/admin/corpus/versions/${version}/activate`, { method: 'POST', body: JSON.stringify({ docs: docs.length, replace: options.replace ?? false }) });
  } catch (error) {
    if (error instanceof UploadError && /→ 409: .*corpus_would_shrink/.test(error.message)) {
      await abandonVersion(version, options).catch(() => undefined);
      throw new UploadRefused(error.message);
    }
    throw error;
  }
  const { pruned } = await request<{ pruned: { version: string }[] }>('/admin/corpus/prune', { method: 'POST', body: '{}' });
  return { version, created, activated: true, vectors, uploadedDocs, pruned: pruned.map((p) => p.version), ...totals };
}

/** Delete an unfinished (loading, inactive) version: an interrupted upload that is not going to be resumed. */
export async function abandonVersion(version: string, options: UploadOptions): Promise<void> {
  await client({ ...options, attempts: 1 })(`/admin/corpus/versions/${version}`, { method: 'DELETE' });
}
