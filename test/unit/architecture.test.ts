import { strict as assert } from 'node:assert';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';

/**
 * The folder map of docs/architecture.md, checked: which folder may import which. Type-only
 * imports count too: a cycle through types is still two folders that cannot be read apart.
 */
const ROOT = resolve(import.meta.dirname, '../..');
const SOURCE_DIRS = ['shared', 'functions', 'infra', 'cli', 'scripts'];

interface Import {
  from: string;
  to: string;
  spec: string;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(join(ROOT, path)).isDirectory()) return sourceFiles(path);
    return /\.(ts|mjs)$/.test(entry) ? [path] : [];
  });
}

const IMPORT = /(?:from|import)\s*\(?\s*'([^']+)'/g;

function importsOf(file: string): Import[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  return [...text.matchAll(IMPORT)].map(([, spec]) => ({
    from: file,
    spec: spec!,
    to: spec!.startsWith('.') ? relative(ROOT, resolve(ROOT, dirname(file), spec!)) : spec!,
  }));
}

const imports = SOURCE_DIRS.flatMap(sourceFiles).flatMap(importsOf);
const local = imports.filter((i) => i.spec.startsWith('.'));
const folderOf = (path: string) => dirname(path);

function folderGraph(): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const { from, to } of local) {
    const [a, b] = [folderOf(from), folderOf(to)];
    if (a === b) continue;
    graph.set(a, (graph.get(a) ?? new Set()).add(b));
  }
  return graph;
}

function findCycle(graph: Map<string, Set<string>>): string[] | undefined {
  const done = new Set<string>();
  const visit = (node: string, path: string[]): string[] | undefined => {
    if (path.includes(node)) return [...path.slice(path.indexOf(node)), node];
    if (done.has(node)) return undefined;
    for (const next of graph.get(node) ?? []) {
      const cycle = visit(next, [...path, node]);
      if (cycle) return cycle;
    }
    done.add(node);
    return undefined;
  };
  for (const node of graph.keys()) {
    const cycle = visit(node, []);
    if (cycle) return cycle;
  }
  return undefined;
}

const importsFrom = (folder: string) =>
  local.filter((i) => folderOf(i.from) === folder || i.from.startsWith(`${folder}/`));
const under = (path: string, folder: string) => path === folder || path.startsWith(`${folder}/`);

describe('Architecture: the folder map', () => {
  it('reads every source folder (the check is not vacuous)', () => {
    const folders = new Set(local.map((i) => folderOf(i.from)));
    for (const folder of [
      'shared/steps',
      'shared/ports',
      'shared/issuers/acme',
      'shared/solvers',
      'shared/wiring/aws',
      'scripts/rigs',
    ])
      assert.ok(folders.has(folder), `${folder} has no imports`);
    assert.ok(local.length > 500, `only ${local.length} imports found`);
  });

  it('finds a cycle when one is planted (the detector works)', () => {
    const graph = folderGraph();
    graph.set('shared/ports', new Set([...(graph.get('shared/ports') ?? []), 'shared/steps']));
    assert.ok(findCycle(graph));
  });

  it('has no import cycle between folders', () => {
    assert.deepEqual(findCycle(folderGraph()), undefined);
  });

  it('lets ports import only the domain types', () => {
    const outside = importsFrom('shared/ports').filter(
      (i) => !under(i.to, 'shared/domain') && !under(i.to, 'shared/ports'),
    );
    assert.deepEqual(outside, []);
  });

  it('keeps the steps, the sweep and the sync out of each other’s folders', () => {
    const apart = ['shared/steps', 'shared/renewal', 'shared/delivery'];
    const crossing = apart.flatMap((folder) =>
      importsFrom(folder).filter((i) => apart.some((other) => other !== folder && under(i.to, other))),
    );
    assert.deepEqual(crossing, []);
  });

  it('imports shared/steps only from the handlers, the wiring and local mode', () => {
    const users = local.filter((i) => under(i.to, 'shared/steps') && !under(i.from, 'shared/steps'));
    const strangers = users.filter(
      (i) => !['functions', 'shared/wiring', 'shared/local', 'scripts'].some((f) => under(i.from, f)),
    );
    assert.deepEqual(strangers, []);
  });

  it('keeps scripts/ from importing test/ (the rigs both use live in scripts/rigs)', () => {
    const intoTests = importsFrom('scripts').filter((i) => under(i.to, 'test'));
    assert.deepEqual(intoTests, []);
  });

  it('imports the AWS SDK only in adapters and the wiring', () => {
    const sdk = imports.filter(
      (i) => under(i.from, 'shared') && /^@aws-sdk\//.test(i.spec) && !/\/adapters\/|^shared\/wiring\//.test(i.from),
    );
    assert.deepEqual(sdk, []);
  });
});
