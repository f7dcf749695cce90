/**
 * The layout cannot rot: every import of every file in src/ and webview/ is checked against the
 * rule table in docs/architecture.md (which folder may import which), core folders are entered
 * only through their index.ts, core has no folder cycles, and packages stay where they belong.
 */
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as ts from 'typescript';
import { repoRoot } from './support/runPython';

interface Rule {
  values: string[];
  types: string[];
}

interface ImportRef {
  file: string;
  line: number;
  spec: string;
  typeOnly: boolean;
}

/** Reads the table between the import-rules markers of docs/architecture.md. */
function readRules(): Map<string, Rule> {
  const doc = fs.readFileSync(path.join(repoRoot, 'docs', 'architecture.md'), 'utf8');
  const m = /<!-- import-rules -->([\s\S]*?)<!-- \/import-rules -->/.exec(doc);
  assert.ok(m, 'docs/architecture.md has no <!-- import-rules --> table');
  const rules = new Map<string, Rule>();
  for (const row of m[1].split('\n').map((l) => l.trim()).filter((l) => l.startsWith('|'))) {
    const cells = row.split('|').slice(1, -1).map((c) => c.trim());
    if (cells[0] === 'folder' || /^-+$/.test(cells[0])) continue;
    const list = (c: string | undefined) => (c ?? '').split(',').map((x) => x.trim()).filter(Boolean).map(unitName);
    rules.set(unitName(cells[0]), { values: list(cells[1]), types: list(cells[2]) });
  }
  return rules;
}

/** 'src/core/geometry' -> 'core/geometry', 'src/extension' -> 'extension', 'webview' -> 'webview'. */
function unitName(s: string): string {
  return s.replace(/^src\//, '');
}

/** The unit (rule-table row) a repository-relative path belongs to, if any. */
function unitOf(rel: string): string | undefined {
  const core = /^src\/core\/([^/]+)\//.exec(rel);
  if (core) return `core/${core[1]}`;
  const top = /^src\/([^/]+)\//.exec(rel);
  if (top) return top[1];
  if (rel.startsWith('webview/')) return 'webview';
  return undefined;
}

function allows(list: string[], unit: string): boolean {
  return list.includes(unit) || (unit.startsWith('core/') && list.includes('core/*'));
}

function walk(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? walk(p) : e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

/** Every import, export-from, import() and require() of a file, with whether it is type-only. */
function importsOf(file: string): ImportRef[] {
  const text = fs.readFileSync(file, 'utf8');
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
  const out: ImportRef[] = [];
  const add = (node: ts.Node, spec: string, typeOnly: boolean) =>
    out.push({ file, line: sf.getLineAndCharacterOfPosition(node.getStart()).line + 1, spec, typeOnly });
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const c = node.importClause;
      const named = c?.namedBindings && ts.isNamedImports(c.namedBindings) ? c.namedBindings.elements : undefined;
      const typeOnly = !!c && (c.isTypeOnly || (!c.name && !!named && named.length > 0 && named.every((e) => e.isTypeOnly)));
      add(node, node.moduleSpecifier.text, typeOnly);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      const named = node.exportClause && ts.isNamedExports(node.exportClause) ? node.exportClause.elements : undefined;
      add(node, node.moduleSpecifier.text, node.isTypeOnly || (!!named && named.length > 0 && named.every((e) => e.isTypeOnly)));
    } else if (ts.isCallExpression(node) && node.arguments.length === 1 && ts.isStringLiteral(node.arguments[0]) &&
      (node.expression.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(node.expression) && node.expression.text === 'require'))) {
      add(node, node.arguments[0].text, false);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      add(node, node.argument.literal.text, true);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

/** The repository-relative file a relative specifier points to (.ts, or a folder's index.ts). */
function resolveRel(root: string, from: string, spec: string): string | undefined {
  const base = path.resolve(path.dirname(from), spec);
  const noJs = base.replace(/\.js$/, '');
  for (const c of [noJs + '.ts', base, path.join(noJs, 'index.ts')]) {
    if (fs.existsSync(c) && fs.statSync(c).isFile()) return path.relative(root, c).split(path.sep).join('/');
  }
  return undefined;
}

const BROWSER_SAFE = new Set(['core/types', 'core/palette', 'core/text', 'shared', 'webview']);
const NODE_BUILTINS = new Set(require('node:module').builtinModules as string[]);

interface Scan {
  violations: string[];
  coreEdges: Map<string, Set<string>>;
  files: number;
}

/** Checks every source file against the rules; returns the violations (empty = the layout holds). */
function scan(rules: Map<string, Rule>, root: string = repoRoot): Scan {
  const files = [...walk(path.join(root, 'src')), ...walk(path.join(root, 'webview'))];
  const violations: string[] = [];
  const coreEdges = new Map<string, Set<string>>();
  for (const file of files) {
    const rel = path.relative(root, file).split(path.sep).join('/');
    const from = unitOf(rel);
    if (!from) continue;
    const rule = rules.get(from);
    if (!rule) {
      violations.push(`${rel}: folder ${from} has no row in the rule table of docs/architecture.md`);
      continue;
    }
    for (const imp of importsOf(file)) {
      const where = `${rel}:${imp.line}: '${imp.spec}'`;
      if (!imp.spec.startsWith('.')) {
        const pkg = imp.spec.startsWith('@') ? imp.spec.split('/').slice(0, 2).join('/') : imp.spec.split('/')[0];
        const builtin = pkg.startsWith('node:') || NODE_BUILTINS.has(pkg);
        if (pkg === 'vscode' && from !== 'extension') violations.push(`${where}: 'vscode' is imported only in src/extension`);
        if (pkg === 'onnxruntime-node' && from !== 'inference' && !imp.typeOnly) violations.push(`${where}: onnxruntime-node values are loaded only in src/inference`);
        if (builtin && BROWSER_SAFE.has(from) && !imp.typeOnly) violations.push(`${where}: ${from} is browser-safe and may not import Node's ${pkg}`);
        continue;
      }
      const target = resolveRel(root, file, imp.spec);
      if (!target) {
        if (!/\.(css|json|svg|html)$/.test(imp.spec)) violations.push(`${where}: does not resolve to a .ts file`);
        continue;
      }
      const to = unitOf(target);
      if (!to || to === from) continue;
      const ok = allows(rule.values, to) || (imp.typeOnly && allows(rule.types, to));
      if (!ok) violations.push(`${where}: ${from} may not import ${to}${imp.typeOnly ? ' (even types)' : ''} (docs/architecture.md)`);
      if (to.startsWith('core/') && !/^src\/core\/[^/]+\/index\.ts$/.test(target)) {
        violations.push(`${where}: enters ${to} past its index.ts (import the folder '${path.posix.dirname(imp.spec.replace(/\/index(\.js)?$/, '/x'))}' instead)`);
      }
      if (from.startsWith('core/') && to.startsWith('core/')) {
        if (!coreEdges.has(from)) coreEdges.set(from, new Set());
        coreEdges.get(from)!.add(to);
      }
    }
  }
  return { violations, coreEdges, files: files.length };
}

/** One cycle among core folders, as a path, or undefined. */
function findCycle(edges: Map<string, Set<string>>): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const dfs = (n: string): string[] | undefined => {
    state.set(n, 'open');
    stack.push(n);
    for (const m of edges.get(n) ?? []) {
      if (state.get(m) === 'open') return [...stack.slice(stack.indexOf(m)), m];
      if (!state.has(m)) {
        const c = dfs(m);
        if (c) return c;
      }
    }
    stack.pop();
    state.set(n, 'done');
    return undefined;
  };
  for (const n of edges.keys()) {
    if (!state.has(n)) {
      const c = dfs(n);
      if (c) return c;
    }
  }
  return undefined;
}

describe('import rules (docs/architecture.md)', () => {
  const rules = readRules();

  it('the rule table names every core folder and the other top-level folders', () => {
    const coreDirs = fs.readdirSync(path.join(repoRoot, 'src', 'core'), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => `core/${e.name}`);
    for (const u of [...coreDirs, 'shared', 'inference', 'cli', 'extension', 'webview']) assert.ok(rules.has(u), `no rule row for ${u}`);
    assert.deepEqual(fs.readdirSync(path.join(repoRoot, 'src', 'core')).filter((f) => f.endsWith('.ts')), [], 'src/core has loose files: put them in a capability folder');
  });

  it('every core folder has an index.ts that opens with a two-line header comment', () => {
    for (const d of fs.readdirSync(path.join(repoRoot, 'src', 'core'), { withFileTypes: true }).filter((e) => e.isDirectory())) {
      const idx = path.join(repoRoot, 'src', 'core', d.name, 'index.ts');
      assert.ok(fs.existsSync(idx), `src/core/${d.name}/index.ts is missing`);
      const lines = fs.readFileSync(idx, 'utf8').split('\n');
      assert.ok(/^\/\/ \S/.test(lines[0]) && /^\/\/ \S/.test(lines[1]), `src/core/${d.name}/index.ts does not open with a two-line // header`);
    }
  });

  it('every import in src/ and webview/ is allowed by the table, and enters core folders by their index', () => {
    const { violations, files } = scan(rules);
    assert.ok(files > 100, `only ${files} source files found`);
    assert.deepEqual(violations, []);
  });

  it('core folders import each other without a cycle', () => {
    const cycle = findCycle(scan(rules).coreEdges);
    assert.equal(cycle, undefined, `cycle: ${cycle?.join(' -> ')}`);
  });

  it('the checker catches each kind of violation (on a scratch tree)', () => {
    // The same checker over planted files in a temporary tree, so a checker that saw nothing fails here.
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 've-import-rules-'));
    const put = (rel: string, text: string) => {
      fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
      fs.writeFileSync(path.join(root, rel), text);
    };
    try {
      for (const d of ['dataset', 'geometry', 'types']) put(`src/core/${d}/index.ts`, '// header\n// header\nexport {};\n');
      put('src/core/geometry/ringGeometry.ts', 'export const polygonArea = 1;\n');
      put('src/core/geometry/zzBad.ts', "import { nodeFileReader } from '../dataset';\nimport * as vscode from 'vscode';\nexport const x = [nodeFileReader, vscode];\n");
      put('src/core/types/zzBad.ts', "import * as fs from 'node:fs';\nimport { polygonArea } from '../geometry/ringGeometry';\nexport const y = [fs, polygonArea];\n");
      put('webview/zzBad/zzBad.ts', "import { indexDataset } from '../../src/core/dataset';\nimport type { DatasetIndex } from '../../src/core/types';\nexport const z: [unknown, DatasetIndex?] = [indexDataset];\n");
      const v = scan(rules, root).violations.join('\n');
      assert.match(v, /geometry\/zzBad\.ts:1: '\.\.\/dataset': core\/geometry may not import core\/dataset/);
      assert.match(v, /geometry\/zzBad\.ts:2: 'vscode': 'vscode' is imported only in src\/extension/);
      assert.match(v, /types\/zzBad\.ts:1: 'node:fs': core\/types is browser-safe/);
      assert.match(v, /types\/zzBad\.ts:2: '\.\.\/geometry\/ringGeometry': core\/types may not import core\/geometry/);
      assert.match(v, /types\/zzBad\.ts:2: .*enters core\/geometry past its index\.ts/);
      assert.match(v, /webview\/zzBad\/zzBad\.ts:1: .*webview may not import core\/dataset/);
      assert.doesNotMatch(v, /webview\/zzBad\/zzBad\.ts:2/);
      const cycle = findCycle(new Map([['core/a', new Set(['core/b'])], ['core/b', new Set(['core/a'])]]));
      assert.deepEqual(cycle, ['core/a', 'core/b', 'core/a']);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
