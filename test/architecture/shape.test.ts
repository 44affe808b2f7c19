// The shape the README promises, read from the source: decide/ is pure, ingest
// adapters only parse, db/ sits at the bottom, only the pipeline and the edges call
// storage, and no import cycle exists.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { importCycles, layeringViolations, readImportGraph, readRuntimeImportGraph, storageViolations, type ImportGraph } from './import-graph';

const SRC = path.join(import.meta.dirname, '../../src');

/**
 * No break of the layering is left; a new one fails this test.
 */
const KNOWN_VIOLATIONS: string[] = [];
const KNOWN_CYCLES: string[] = [];
const KNOWN_STORAGE_CALLS: string[] = [];

describe('the import graph of src/', () => {
  const graph = readImportGraph(SRC);

  it('reads the real tree', () => {
    expect(graph.get('pipeline.ts') ?? graph.get(path.join('pipeline', 'index.ts'))).toBeDefined();
    expect(graph.size).toBeGreaterThan(50);
  });

  it('keeps decide/ and the ingest adapters free of storage, effects and routes, and db/ at the bottom, but for the known breaks', () => {
    expect(layeringViolations(graph).map((v) => `${v.from} → ${v.to}`)).toEqual(KNOWN_VIOLATIONS);
  });

  it('calls db/ only from the pipeline, the composition root, the HTTP and queue edges and the retrievers, but for the known calls', () => {
    expect(storageViolations(readRuntimeImportGraph(SRC)).map((v) => `${v.from} → ${v.to}`)).toEqual(KNOWN_STORAGE_CALLS);
  });

  it('has no import cycle but the known ones, type-only imports included', () => {
    expect(importCycles(graph).map((cycle) => cycle.join(' → '))).toEqual(KNOWN_CYCLES);
  });
});

describe('the checks themselves', () => {
  const wrong: ImportGraph = new Map([
    ['decide/policy.ts', ['db/decisions.ts', 'config.ts']],
    ['db/decisions.ts', ['pipeline.ts']],
    ['pipeline.ts', ['decide/policy.ts']],
    ['ingest/mailgun.ts', ['middleware/auth.ts']],
    ['config.ts', []],
  ]);

  it('flag a pure module importing storage, db importing upward and an adapter importing middleware', () => {
    expect(layeringViolations(wrong).map((v) => v.rule)).toEqual([
      'decide/ must not import db',
      'db/ must not import pipeline',
      'ingest/ must not import middleware',
    ]);
  });

  it('flag a run-time call of db/ from outside the pipeline, and let a row type through', () => {
    const runtime: ImportGraph = new Map([
      ['rollout/verdicts.ts', ['db/feedback.ts', 'rollout/modes.ts']],
      ['act/plan.ts', []], // its `import type { TicketRow }` is not a run-time edge
      ['pipeline/verdicts.ts', ['db/feedback.ts']],
      ['routes/report.ts', ['pipeline/report.ts', 'db/report.ts']],
    ]);
    expect(storageViolations(runtime)).toEqual([{ from: 'rollout/verdicts.ts', to: 'db/feedback.ts', rule: 'rollout/ must not call db' }]);
  });

  it('read a type-only import as no run-time edge, and a value import as one', () => {
    const runtime = readRuntimeImportGraph(SRC);
    expect(readImportGraph(SRC).get(path.join('act', 'plan.ts'))).toContain(path.join('db', 'tickets.ts'));
    expect(runtime.get(path.join('act', 'plan.ts'))).not.toContain(path.join('db', 'tickets.ts'));
    expect(runtime.get(path.join('pipeline', 'verdicts.ts'))).toContain(path.join('db', 'feedback.ts'));
  });

  it('find a cycle through three files', () => {
    expect(importCycles(wrong)).toEqual([['db/decisions.ts', 'pipeline.ts', 'decide/policy.ts', 'db/decisions.ts']]);
  });
});
