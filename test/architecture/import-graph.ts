// The import graph of src/, read with the TypeScript compiler's own pre-processor
// (type-only imports count: a type-level cycle is still a cycle), and the layering
// rules the README's "How it works" promises, as data.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

export type ImportGraph = Map<string, string[]>;

/** Every .ts/.tsx file under `root` → the files it imports (relative imports only), as paths relative to `root`. */
export function readImportGraph(root: string): ImportGraph {
  const graph: ImportGraph = new Map();
  for (const file of sourceFiles(root)) {
    const { importedFiles } = ts.preProcessFile(readFileSync(path.join(root, file), 'utf8'), true, true);
    const targets = importedFiles
      .map((ref) => ref.fileName)
      .filter((spec) => spec.startsWith('.'))
      .map((spec) => resolveModule(root, path.join(path.dirname(file), spec)));
    graph.set(file, [...new Set(targets)]);
  }
  return graph;
}

/**
 * The same graph without the imports that vanish at run time (`import type`, `export type`,
 * or every named binding marked `type`): what a module can actually call.
 */
export function readRuntimeImportGraph(root: string): ImportGraph {
  const graph: ImportGraph = new Map();
  for (const file of sourceFiles(root)) {
    const source = ts.createSourceFile(file, readFileSync(path.join(root, file), 'utf8'), ts.ScriptTarget.Latest, false);
    const specs = source.statements.flatMap((statement) => {
      const spec = moduleSpecifierOf(statement);
      return spec?.startsWith('.') && !isTypeOnly(statement) ? [resolveModule(root, path.join(path.dirname(file), spec))] : [];
    });
    graph.set(file, [...new Set(specs)]);
  }
  return graph;
}

function moduleSpecifierOf(statement: ts.Statement): string | undefined {
  if (!ts.isImportDeclaration(statement) && !ts.isExportDeclaration(statement)) return undefined;
  const spec = statement.moduleSpecifier;
  return spec && ts.isStringLiteral(spec) ? spec.text : undefined;
}

function isTypeOnly(statement: ts.Statement): boolean {
  if (ts.isExportDeclaration(statement)) {
    if (statement.isTypeOnly) return true;
    const clause = statement.exportClause;
    return !!clause && ts.isNamedExports(clause) && clause.elements.length > 0 && clause.elements.every((e) => e.isTypeOnly);
  }
  if (!ts.isImportDeclaration(statement)) return false;
  const clause = statement.importClause;
  if (!clause) return false; // `import './x'` runs the module
  if (clause.isTypeOnly) return true;
  const named = clause.namedBindings;
  return !clause.name && !!named && ts.isNamedImports(named) && named.elements.length > 0 && named.elements.every((e) => e.isTypeOnly);
}

function sourceFiles(root: string, dir = ''): string[] {
  return readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const rel = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(root, rel);
    return /\.tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [rel] : [];
  });
}

function resolveModule(root: string, spec: string): string {
  const candidates = [spec, `${spec}.ts`, `${spec}.tsx`, path.join(spec, 'index.ts')];
  const found = candidates.find((c) => existsSync(path.join(root, c)) && statSync(path.join(root, c)).isFile());
  return found ?? spec;
}

/** A layer is a folder of src/ or a top-level file without its extension (`pipeline`, `deps`). */
export function layerOf(file: string): string {
  const [first] = file.split(path.sep);
  return (first ?? file).replace(/\.tsx?$/, '');
}

/**
 * What each layer may not import. `decide/` is pure policy and an ingest adapter
 * turns bytes into a TicketDraft: neither reaches storage, effects or the HTTP edge.
 * `db/` is the bottom of the stack: it imports nothing that sequences or decides.
 */
export const FORBIDDEN: Record<string, readonly string[]> = {
  decide: ['db', 'act', 'routes', 'middleware', 'pipeline', 'deps', 'queues', 'scheduled', 'app', 'index', 'ingest'],
  ingest: ['db', 'act', 'routes', 'middleware', 'pipeline', 'deps', 'queues', 'scheduled', 'app', 'index', 'decide', 'respond'],
  db: ['act', 'routes', 'middleware', 'pipeline', 'deps', 'queues', 'scheduled', 'app', 'index', 'ingest', 'decide', 'respond'],
};

export type Violation = { from: string; to: string; rule: string };

/**
 * The layers that may call `db/`: the pipeline sequences the effects, `deps.ts` and the
 * entry points (`index.ts`, `queues.ts`) compose them, a route reads what it shows,
 * and the D1-backed retrievers (`retrieval/`) are the Retriever port's storage
 * implementations. Anywhere else a row type is fine (`import type`), a query is not.
 */
export const STORAGE_CALLERS: readonly string[] = ['pipeline', 'db', 'deps', 'routes', 'queues', 'index', 'retrieval'];

/** Run-time imports of `db/` from a layer outside STORAGE_CALLERS. */
export function storageViolations(runtimeGraph: ImportGraph, callers = STORAGE_CALLERS): Violation[] {
  const violations: Violation[] = [];
  for (const [from, targets] of runtimeGraph) {
    const layer = layerOf(from);
    if (callers.includes(layer)) continue;
    for (const to of targets) if (layerOf(to) === 'db') violations.push({ from, to, rule: `${layer}/ must not call db` });
  }
  return violations;
}

export function layeringViolations(graph: ImportGraph, forbidden = FORBIDDEN): Violation[] {
  const violations: Violation[] = [];
  for (const [from, targets] of graph) {
    const banned = forbidden[layerOf(from)] ?? [];
    for (const to of targets) {
      const target = layerOf(to);
      if (banned.includes(target)) violations.push({ from, to, rule: `${layerOf(from)}/ must not import ${target}` });
    }
  }
  return violations;
}

/** Each elementary cycle found by a depth-first search, as the list of files around it. */
export function importCycles(graph: ImportGraph): string[][] {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  const visit = (file: string) => {
    state.set(file, 'open');
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === 'open') cycles.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of [...graph.keys()].sort()) if (!state.has(file)) visit(file);
  return cycles;
}
