// Chunk vectors in Vectorize. One namespace per corpus version, so a query can
// only ever meet vectors of the version (and so the embedding model) it names.
import { sha256 } from '../security/crypto';
import { hexEncode } from '../security/encoding';
import type { Chunk } from './chunk';

/** Vectorize returns at most 20 matches when metadata or values come back. */
export const VECTOR_TOP_K_LIMIT = 20;
/** Workers binding limit per upsert / delete call. */
const VECTOR_WRITE_BATCH = 1000;

export type VectorHit = { chunkId: string; docId: string; score: number };

type VectorMetadata = { chunk_id: string; doc_id: string; version: string };

/**
 * Vector ids are unique across the whole index (namespaces do not scope them)
 * and at most 64 bytes, so the id is a hash of version and chunk id.
 */
export async function vectorId(version: string, chunkId: string): Promise<string> {
  return hexEncode(new Uint8Array(await sha256(`${version}\u0000${chunkId}`)).slice(0, 20));
}

/** What gets embedded for a chunk: where it sits in the doc, then its text. */
export function embeddingText(chunk: Pick<Chunk, 'title' | 'headingPath' | 'text'>): string {
  return [chunk.title, chunk.headingPath, chunk.text].filter(Boolean).join('\n');
}

export class VectorStore {
  constructor(private readonly index: VectorizeIndex) {}

  async upsert(version: string, items: { chunk: Pick<Chunk, 'chunkId' | 'docId'>; values: number[] }[]): Promise<number> {
    const vectors = await Promise.all(
      items.map(async ({ chunk, values }) => ({
        id: await vectorId(version, chunk.chunkId),
        values,
        namespace: version,
        metadata: { chunk_id: chunk.chunkId, doc_id: chunk.docId, version } satisfies VectorMetadata,
      })),
    );
    let count = 0;
    for (let i = 0; i < vectors.length; i += VECTOR_WRITE_BATCH) {
      count += (await this.index.upsert(vectors.slice(i, i + VECTOR_WRITE_BATCH))).count;
    }
    return count;
  }

  async query(version: string, values: number[], topK: number): Promise<VectorHit[]> {
    const result = await this.index.query(values, {
      topK: Math.min(Math.max(1, topK), VECTOR_TOP_K_LIMIT),
      namespace: version,
      returnMetadata: 'all',
    });
    const hits: VectorHit[] = [];
    for (const match of result.matches) {
      const metadata = match.metadata as Partial<VectorMetadata> | undefined;
      // Belt and braces: a match from another version would mix embedding spaces.
      if (match.namespace !== undefined && match.namespace !== version) continue;
      if (!metadata?.chunk_id || !metadata.doc_id || (metadata.version && metadata.version !== version)) continue;
      hits.push({ chunkId: metadata.chunk_id, docId: metadata.doc_id, score: match.score });
    }
    return hits;
  }

  async deleteChunks(version: string, chunkIds: string[]): Promise<number> {
    const ids = await Promise.all(chunkIds.map((id) => vectorId(version, id)));
    let count = 0;
    for (let i = 0; i < ids.length; i += VECTOR_WRITE_BATCH) {
      count += (await this.index.deleteByIds(ids.slice(i, i + VECTOR_WRITE_BATCH))).count;
    }
    return count;
  }
}
