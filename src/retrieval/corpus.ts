// The corpus version: one hash over everything that changes what a query finds.
// Vectors live in a Vectorize namespace named by it, so a new embedding model or
// chunker can never be mixed with the old vectors.
import { sha256Hex } from '../security/crypto';
import { CHUNKER_REVISION, type ChunkerParams, type SourceDoc } from './chunk';

/** cls pooling is what Cloudflare recommends for bge; mean-pooled vectors are another space, so it is hashed too. */
export const EMBEDDING_POOLING = 'cls' as const;

export type CorpusIdentity = {
  docs: Pick<SourceDoc, 'id' | 'title' | 'url' | 'body'>[];
  chunker: ChunkerParams;
  embeddingModel: string;
  dimensions: number;
};


export async function contentHash(doc: Pick<SourceDoc, 'id' | 'title' | 'url' | 'body'>): Promise<string> {
  return sha256Hex(JSON.stringify([doc.id, doc.title, doc.url, doc.body]));
}

/** `v_` + 16 hex chars: short enough for a Vectorize namespace (≤ 64 bytes). */
export async function corpusVersion(identity: CorpusIdentity): Promise<string> {
  const docHashes = await Promise.all([...identity.docs].sort((a, b) => (a.id < b.id ? -1 : 1)).map(contentHash));
  const material = JSON.stringify({
    docs: docHashes,
    chunker: [CHUNKER_REVISION, identity.chunker.targetTokens, identity.chunker.overlapTokens],
    embedding: [identity.embeddingModel, identity.dimensions, EMBEDDING_POOLING],
  });
  return `v_${(await sha256Hex(material)).slice(0, 16)}`;
}
