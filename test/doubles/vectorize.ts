// A Vectorize index double with the binding's contract (limits from
// developers.cloudflare.com/vectorize/platform/limits): cosine similarity over
// stored vectors, ids unique across the index, namespaces as partitions, topK ≤ 20
// with values or metadata (≤ 100 without), ≤ 1000 vectors per write, 64-byte ids
// and namespaces, dimension checks, and metadata filters on indexed properties.

const MAX_TOP_K_WITH_DATA = 20;
const MAX_TOP_K = 100;
const MAX_WRITE_BATCH = 1000;
const MAX_ID_BYTES = 64;
const MAX_METADATA_BYTES = 10 * 1024;

type Stored = { id: string; values: number[]; namespace?: string; metadata?: Record<string, VectorizeVectorMetadata> };

const bytes = (text: string) => new TextEncoder().encode(text).length;

export class VectorizeDouble implements VectorizeIndex {
  readonly vectors = new Map<string, Stored>();
  readonly queries: VectorizeQueryOptions[] = [];
  /** When set, every call fails: simulates Vectorize being unreachable. */
  down = false;

  constructor(
    readonly dimensions: number,
    /** Metadata properties with a metadata index; Vectorize filters only on those. */
    private readonly metadataIndexes: string[] = ['doc_id', 'version'],
  ) {}

  async describe(): Promise<VectorizeIndexDetails> {
    this.check();
    return { id: 'double', name: 'deflect-docs', config: { dimensions: this.dimensions, metric: 'cosine' }, vectorsCount: this.vectors.size };
  }

  async query(vector: VectorFloatArray | number[], options: VectorizeQueryOptions = {}): Promise<VectorizeMatches> {
    this.check();
    this.queries.push(options);
    const topK = options.topK ?? 5;
    const withData = options.returnValues === true || options.returnMetadata === true || options.returnMetadata === 'all';
    if (topK < 1 || topK > (withData ? MAX_TOP_K_WITH_DATA : MAX_TOP_K)) {
      throw new Error(
        `VECTOR_QUERY_ERROR (code = 40025): invalid topK ${topK}; must be ≤ ${withData ? MAX_TOP_K_WITH_DATA : MAX_TOP_K}${withData ? ' when returnValues or returnMetadata=all' : ''}`,
      );
    }
    if (vector.length !== this.dimensions) {
      throw new Error(`VECTOR_QUERY_ERROR (code = 40006): query vector has ${vector.length} dimensions, index has ${this.dimensions}`);
    }
    const query = [...vector];
    const matches = [...this.vectors.values()]
      .filter((v) => options.namespace === undefined || v.namespace === options.namespace)
      .filter((v) => !options.filter || this.matchesFilter(v.metadata ?? {}, options.filter))
      .map((v) => ({ v, score: cosine(query, v.values) }))
      .sort((a, b) => b.score - a.score)
      .slice(0, topK)
      .map(({ v, score }) => ({
        id: v.id,
        score,
        namespace: v.namespace,
        ...(options.returnValues ? { values: [...v.values] } : {}),
        ...(options.returnMetadata && options.returnMetadata !== 'none' ? { metadata: this.returnedMetadata(v, options.returnMetadata) } : {}),
      }));
    return { matches, count: matches.length };
  }

  async insert(vectors: VectorizeVector[]): Promise<VectorizeVectorMutation> {
    this.validate(vectors);
    const existing = vectors.find((v) => this.vectors.has(v.id));
    if (existing) throw new Error(`VECTOR_INSERT_ERROR (code = 40014): vector id ${existing.id} already exists`);
    return this.write(vectors);
  }

  async upsert(vectors: VectorizeVector[]): Promise<VectorizeVectorMutation> {
    this.validate(vectors);
    return this.write(vectors);
  }

  async deleteByIds(ids: string[]): Promise<VectorizeVectorMutation> {
    this.check();
    if (ids.length > MAX_WRITE_BATCH) throw new Error(`VECTOR_DELETE_ERROR: at most ${MAX_WRITE_BATCH} ids per call`);
    const deleted = ids.filter((id) => this.vectors.delete(id));
    return { ids: deleted, count: deleted.length };
  }

  async getByIds(ids: string[]): Promise<VectorizeVector[]> {
    this.check();
    return ids.flatMap((id) => {
      const v = this.vectors.get(id);
      return v ? [{ ...v, values: [...v.values] }] : [];
    });
  }

  /** Test view: how many vectors a namespace holds. */
  countIn(namespace: string): number {
    return [...this.vectors.values()].filter((v) => v.namespace === namespace).length;
  }

  private check() {
    if (this.down) throw new Error('VECTOR_QUERY_ERROR (code = 40000): Vectorize is unavailable');
  }

  private validate(vectors: VectorizeVector[]) {
    this.check();
    if (vectors.length > MAX_WRITE_BATCH) throw new Error(`VECTOR_UPSERT_ERROR (code = 40007): at most ${MAX_WRITE_BATCH} vectors per call, got ${vectors.length}`);
    for (const v of vectors) {
      if (!v.id || bytes(v.id) > MAX_ID_BYTES) throw new Error(`VECTOR_UPSERT_ERROR (code = 40008): id "${v.id}" is empty or longer than ${MAX_ID_BYTES} bytes`);
      if (v.namespace !== undefined && bytes(v.namespace) > MAX_ID_BYTES) throw new Error(`VECTOR_UPSERT_ERROR: namespace longer than ${MAX_ID_BYTES} bytes`);
      if (v.values.length !== this.dimensions) {
        throw new Error(`VECTOR_UPSERT_ERROR (code = 40012): vector ${v.id} has ${v.values.length} dimensions, index has ${this.dimensions}`);
      }
      if (v.metadata && bytes(JSON.stringify(v.metadata)) > MAX_METADATA_BYTES) throw new Error(`VECTOR_UPSERT_ERROR: metadata of ${v.id} over 10 KiB`);
    }
  }

  private write(vectors: VectorizeVector[]): VectorizeVectorMutation {
    for (const v of vectors) {
      this.vectors.set(v.id, { id: v.id, values: [...v.values], namespace: v.namespace, metadata: v.metadata && structuredClone(v.metadata) });
    }
    return { ids: vectors.map((v) => v.id), count: vectors.length };
  }

  private returnedMetadata(v: Stored, level: true | VectorizeMetadataRetrievalLevel) {
    const metadata = v.metadata ?? {};
    if (level === 'indexed') return Object.fromEntries(Object.entries(metadata).filter(([k]) => this.metadataIndexes.includes(k)));
    return structuredClone(metadata);
  }

  private matchesFilter(metadata: Record<string, VectorizeVectorMetadata>, filter: VectorizeVectorMetadataFilter): boolean {
    return Object.entries(filter).every(([field, condition]) => {
      // Vectorize filters only on properties with a metadata index; others match nothing.
      if (!this.metadataIndexes.includes(field)) return false;
      const value = metadata[field] as VectorizeVectorMetadataValue | undefined;
      if (condition === null || typeof condition !== 'object') return value === condition;
      return Object.entries(condition).every(([op, operand]) => compare(op, value, operand));
    });
  }
}

function compare(op: string, value: unknown, operand: unknown): boolean {
  switch (op) {
    case '$eq':
      return value === operand;
    case '$ne':
      return value !== operand;
    case '$in':
      return Array.isArray(operand) && operand.includes(value);
    case '$nin':
      return Array.isArray(operand) && !operand.includes(value);
    case '$lt':
      return value !== undefined && (value as number) < (operand as number);
    case '$lte':
      return value !== undefined && (value as number) <= (operand as number);
    case '$gt':
      return value !== undefined && (value as number) > (operand as number);
    case '$gte':
      return value !== undefined && (value as number) >= (operand as number);
    default:
      throw new Error(`VECTOR_QUERY_ERROR: unsupported filter operator ${op}`);
  }
}

function cosine(a: number[], b: number[]): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}
