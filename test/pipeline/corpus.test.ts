import { env } from 'cloudflare:workers';
import { SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { planUpload, uploadCorpus, UploadRefused, type Fetcher } from '../../scripts/lib/corpus-client';
import { database } from '../../src/db/client';
import { LexicalRetriever } from '../../src/retrieval/lexical';
import { activeChunkIds, ADMIN_TOKEN, indexedChunkIds, loadCorpus, request, sampleDocs } from '../helpers';

const db = database(env.DB);
const retriever = new LexicalRetriever(db);

async function count(table: 'chunks' | 'documents' | 'corpus_versions'): Promise<number> {
  return (await env.DB.prepare(`SELECT count(*) AS n FROM ${table}`).first<{ n: number }>())!.n;
}

async function activeVersion(): Promise<string | null> {
  const body = (await (await request('/admin/corpus', { token: ADMIN_TOKEN })).json()) as { active: string | null };
  return body.active;
}

/** The sample corpus with the password article rewritten: a new version's worth of change. */
function changedDocs() {
  return sampleDocs().map((d) =>
    d.id === 'reset-password' ? { ...d, body: `${d.body}\n\n## Passkeys\n\nSign in with a zygomorphic passkey instead of a password.\n` } : d,
  );
}

describe('corpus upload protocol', () => {
  it('uploading the same corpus twice creates no new version and no duplicate rows', async () => {
    const first = await loadCorpus();
    expect(first).toMatchObject({ activated: true, uploadedDocs: 42, docs: 42 });
    const rows = { chunks: await count('chunks'), documents: await count('documents'), versions: await count('corpus_versions'), indexed: (await indexedChunkIds()).length };
    expect(rows.chunks).toBe(first.chunks);

    const second = await loadCorpus();
    expect(second).toMatchObject({ version: first.version, created: false, activated: false, uploadedDocs: 0 });
    expect({ chunks: await count('chunks'), documents: await count('documents'), versions: await count('corpus_versions'), indexed: (await indexedChunkIds()).length }).toEqual(rows);
  });

  it('a changed doc makes a new version; queries keep the old one until the upload completes, then flip', async () => {
    const old = await loadCorpus();
    const failActivation: Fetcher = (input, init) =>
      input.endsWith('/activate') ? Promise.resolve(new Response('{"error":{"code":"internal_error"}}', { status: 400 })) : SELF.fetch(input, init);
    await expect(uploadCorpus(changedDocs(), { baseUrl: 'https://deflect.test', token: ADMIN_TOKEN, fetcher: failActivation })).rejects.toThrow(/activate → 400/);

    expect(await activeVersion()).toBe(old.version);
    const before = await retriever.retrieve('zygomorphic passkey', 5);
    expect(before).toMatchObject({ corpusVersion: old.version, chunks: [] });

    const resumed = await loadCorpus(changedDocs());
    expect(resumed.version).not.toBe(old.version);
    expect(resumed).toMatchObject({ created: false, activated: true, uploadedDocs: 0 });
    const after = await retriever.retrieve('zygomorphic passkey', 5);
    expect(after.corpusVersion).toBe(resumed.version);
    expect(after.chunks[0]!.docId).toBe('reset-password');
    expect(after.chunks[0]!.text).toContain('Passkeys\nSign in with a zygomorphic passkey');
  });

  it('an interrupted upload resumes with only the documents not yet stored', async () => {
    const docs = changedDocs().map((d) => (d.id === 'refund-policy' ? { ...d, body: `${d.body}\n\nResumed uploads are idempotent.\n` } : d));
    let documentPuts = 0;
    const dropAfterTen: Fetcher = (input, init) => {
      if (input.includes('/documents/') && ++documentPuts > 10) return Promise.reject(new TypeError('network connection lost'));
      return SELF.fetch(input, init);
    };
    await expect(uploadCorpus(docs, { baseUrl: 'https://deflect.test', token: ADMIN_TOKEN, fetcher: dropAfterTen, attempts: 1 })).rejects.toThrow(/network connection lost/);
    const resumed = await loadCorpus(docs);
    expect(resumed).toMatchObject({ activated: true, uploadedDocs: 32 });
  });

  it('refuses to activate a version that does not hold every document', async () => {
    const summary = await loadCorpus();
    const response = await request(`/admin/corpus/versions/${summary.version}/activate`, {
      method: 'POST',
      token: ADMIN_TOKEN,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ docs: summary.docs + 1 }),
    });
    expect(response.status).toBe(409);
    expect(await response.json()).toMatchObject({ error: { code: 'conflict' } });
  });

  it('prunes versions beyond CORPUS_KEEP_VERSIONS, never the active one, with their chunks; only the active one is indexed', async () => {
    const latest = await loadCorpus(sampleDocs().map((d) => (d.id === 'api-rate-limits' ? { ...d, body: `${d.body}\n\nPruned.\n` } : d)));
    expect(latest.pruned.length).toBeGreaterThan(0);
    const versions = (await env.DB.prepare('SELECT version, active FROM corpus_versions ORDER BY created_at').all<{ version: string; active: number }>()).results;
    expect(versions.length).toBe(2);
    expect(versions.find((v) => v.active)!.version).toBe(latest.version);
    const orphans = await env.DB.prepare('SELECT count(*) AS n FROM chunks WHERE version NOT IN (SELECT version FROM corpus_versions)').first<{ n: number }>();
    expect(orphans!.n).toBe(0);
    expect(await indexedChunkIds()).toEqual(await activeChunkIds());
  });
});

describe('corpus safety: an upload never replaces a help center by accident', () => {
  const worker = { baseUrl: 'https://deflect.test', token: ADMIN_TOKEN, fetcher: ((input, init) => SELF.fetch(input, init)) as Fetcher };
  const oneDoc = [{ id: 'shipping', title: 'Shipping', url: null, body: '# Shipping\n\nWe ship worldwide in three days.\n' }];

  async function loadingVersions(): Promise<number> {
    return (await env.DB.prepare("SELECT count(*) AS n FROM corpus_versions WHERE status = 'loading'").first<{ n: number }>())!.n;
  }

  it('plans an upload against the active version: added, changed, removed, unchanged, writing nothing', async () => {
    const active = await loadCorpus();
    const docs = changedDocs().filter((d) => d.id !== 'zapier-integration').concat(oneDoc);
    const versionsBefore = await count('corpus_versions');
    const plan = await planUpload(docs, worker);
    expect(plan).toMatchObject({ active: active.version, upToDate: false, added: ['shipping'], changed: ['reset-password'], removed: ['zapier-integration'], unchanged: 40 });
    expect(plan.removedShare).toBeCloseTo(1 / 42);
    expect(await count('corpus_versions')).toBe(versionsBefore);
  });

  it('refuses a one-doc folder over a 42-doc corpus before writing anything, and keeps the corpus active', async () => {
    const active = await loadCorpus();
    const versionsBefore = await count('corpus_versions');
    await expect(uploadCorpus(oneDoc, worker)).rejects.toThrow(UploadRefused);
    await expect(uploadCorpus(oneDoc, worker)).rejects.toThrow(/remove 42 of the 42 active docs/);
    expect(await activeVersion()).toBe(active.version);
    expect(await count('corpus_versions')).toBe(versionsBefore);
  });

  it('the Worker itself refuses the activation (409 corpus_would_shrink) without replace, and the client abandons the version', async () => {
    const active = await loadCorpus();
    // A client that skips the plan's check: the Worker's guard is what holds.
    const skipPlan: Fetcher = async (input, init) => {
      const response = await SELF.fetch(input, init);
      if (!input.endsWith('/admin/corpus')) return response;
      const body = (await response.json()) as { settings: Record<string, unknown> };
      return Response.json({ ...body, settings: { ...body.settings, max_removed_share: 1 } });
    };
    await expect(uploadCorpus(oneDoc, { ...worker, fetcher: skipPlan })).rejects.toThrow(/corpus_would_shrink/);
    expect(await activeVersion()).toBe(active.version);
    expect(await loadingVersions()).toBe(0);
  });

  it('replaces the help center when asked to', async () => {
    await loadCorpus();
    const replaced = await uploadCorpus(oneDoc, { ...worker, replace: true });
    expect(replaced).toMatchObject({ activated: true, docs: 1 });
    expect(await activeVersion()).toBe(replaced.version);
    const listed = (await (await request(`/admin/corpus/versions/${replaced.version}/documents`, { token: ADMIN_TOKEN })).json()) as { documents: { doc_id: string; title: string }[] };
    expect(listed.documents).toEqual([expect.objectContaining({ doc_id: 'shipping', title: 'Shipping' })]);
  });

  it('an empty folder is refused before any request, leaving no loading version', async () => {
    const versionsBefore = await count('corpus_versions');
    await expect(uploadCorpus([], worker)).rejects.toThrow(/no documents to upload/);
    expect(await count('corpus_versions')).toBe(versionsBefore);
  });

  it('abandons an unfinished upload on request, and never a complete or active version', async () => {
    const active = await loadCorpus();
    const docs = changedDocs().map((d) => (d.id === 'refund-policy' ? { ...d, body: `${d.body}\n\nAbandoned.\n` } : d));
    const failAfterFive: Fetcher = (input, init) => {
      if (input.includes('/documents/') && init?.method === 'PUT' && docs.findIndex((d) => input.endsWith(`/${d.id}`)) >= 5) return Promise.reject(new TypeError('gone'));
      return SELF.fetch(input, init);
    };
    await expect(uploadCorpus(docs, { ...worker, fetcher: failAfterFive, attempts: 1 })).rejects.toThrow(/gone/);
    const plan = await planUpload(docs, worker);
    expect(await loadingVersions()).toBe(1);
    const abandon = await request(`/admin/corpus/versions/${plan.version}`, { method: 'DELETE', token: ADMIN_TOKEN });
    expect(abandon.status).toBe(200);
    expect(await loadingVersions()).toBe(0);
    const refused = await request(`/admin/corpus/versions/${active.version}`, { method: 'DELETE', token: ADMIN_TOKEN });
    expect(refused.status).toBe(409);
    expect(await activeVersion()).toBe(active.version);
  });
});
