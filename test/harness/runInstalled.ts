/**
 * The "installed" stage of npm test: the product as a user gets it.
 * 1. `node scripts/package.js` builds the linux-x64 VSIX (after `npm run build`); its archive is
 *    listed and checked (no sources/tests/maps/dev dependencies; linux-x64 natives, no others).
 * 2. `code-server --install-extension` installs it into a fresh extensions folder outside the
 *    repository; test/installed/*.e2e.js run in that VS Code with no development path.
 * 3. `node scripts/packCli.js` packs the CLI; `npm install -g --prefix <tmp>` installs the tarball;
 *    `--version`, `validate` and `score` run from another directory and give the documented JSON.
 * Prints `installed: N passed, N failed`. Usage: node out/test/harness/runInstalled.js [vsix|e2e|cli ...]
 */
import { execFileSync, spawnSync } from 'child_process';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { installVsix } from './installVsix';
import { assertSampleDataset, repoRoot, sampleDataset } from './paths';
import { vsixViolations, zipEntries } from '../../scripts/zipEntries';

const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { name: string; version: string; publisher: string };
const vsixPath = path.join(repoRoot, `${pkg.name}-${pkg.version}-linux-x64.vsix`);
const counts = { passed: 0, failed: 0 };

async function check(name: string, f: () => void | Promise<void>): Promise<boolean> {
  const t0 = Date.now();
  try {
    await f();
    counts.passed++;
    console.log(`  ✔ ${name} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    return true;
  } catch (e) {
    counts.failed++;
    console.log(`  ✖ ${name} (${((Date.now() - t0) / 1000).toFixed(1)} s)\n    ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
    return false;
  }
}

function runNode(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): string {
  return execFileSync(process.execPath, args, { cwd: opts.cwd ?? repoRoot, env: opts.env ?? process.env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 << 20 });
}

async function vsixStage(): Promise<boolean> {
  console.log('\nVSIX');
  let built = false;
  await check('npm run package builds the linux-x64 VSIX (<= 30 MB)', () => {
    const out = runNode([path.join(repoRoot, 'scripts', 'package.js')]);
    process.stdout.write(out.split('\n').filter((l) => l.startsWith('package:') || /^\s+\d/.test(l)).map((l) => `    ${l}\n`).join(''));
    assert.ok(fs.existsSync(vsixPath), vsixPath);
    assert.ok(fs.statSync(vsixPath).size <= 30 * 1024 * 1024, `${fs.statSync(vsixPath).size} bytes`);
    built = true;
  });
  await check('the VSIX archive holds no src/, test/, .map, node_modules/typescript and holds the linux-x64 natives only', () => {
    assert.ok(built, 'no VSIX to list');
    const names = zipEntries(vsixPath).map((e) => e.name);
    assert.deepEqual(vsixViolations(names, 'linux-x64'), []);
    // Spelled out, beside the shared rule list: what the issue names.
    assert.equal(names.filter((n) => /^extension\/(src|test)\//.test(n) || n.endsWith('.map') || n.startsWith('extension/node_modules/typescript/')).length, 0);
    assert.ok(names.includes('extension/node_modules/onnxruntime-node/bin/napi-v6/linux/x64/onnxruntime_binding.node'));
    assert.ok(names.some((n) => /^extension\/node_modules\/@img\/sharp-libvips-linux-x64\/lib\/libvips-cpp\.so/.test(n)));
    assert.equal(names.filter((n) => /darwin|win32|arm64/.test(n)).length, 0, names.filter((n) => /darwin|win32|arm64/.test(n)).join('\n'));
    // Every bundle the build made is shipped (workers and webviews added later included), but the CLI's.
    const bundles = [...fs.readdirSync(path.join(repoRoot, 'dist')).filter((n) => n.endsWith('.js') && n !== 'cli.js'),
      ...fs.readdirSync(path.join(repoRoot, 'dist', 'webview')).filter((n) => n.endsWith('.js')).map((n) => `webview/${n}`)];
    for (const b of bundles) assert.ok(names.includes(`extension/dist/${b}`), `dist/${b} is not in the VSIX`);
    // The rule list catches what it should: a file list with a source map and a darwin binary fails it.
    assert.equal(vsixViolations([...names, 'extension/dist/extension.js.map', 'extension/node_modules/onnxruntime-node/bin/napi-v6/darwin/arm64/onnxruntime_binding.node'], 'linux-x64').length, 2);
  });
  return built;
}

async function e2eStage(): Promise<void> {
  console.log('\ninstalled VS Code');
  const extensionsDir = fs.mkdtempSync(path.join(os.tmpdir(), 've-installed-extensions-'));
  try {
    let ok = false;
    await check('code-server --install-extension installs the VSIX into a fresh extensions folder', () => {
      const r = installVsix(vsixPath, extensionsDir);
      console.log(`    installed into ${r.folder} in ${(r.ms / 1000).toFixed(1)} s`);
      assert.ok(fs.existsSync(path.join(r.folder, 'dist', 'extension.js')));
      ok = true;
    });
    if (!ok) return;
    // The same runner as the e2e stage (fresh code-server per test, one retry), on the installed copy.
    const r = spawnSync(process.execPath, [path.join(repoRoot, 'out', 'test', 'harness', 'runE2e.js'), path.join(repoRoot, 'out', 'test', 'installed', 'installed.e2e.js')], {
      cwd: repoRoot, stdio: 'inherit', env: { ...process.env, VE_E2E_INSTALLED_EXTENSIONS_DIR: extensionsDir },
    });
    await check('the installed extension in a real VS Code: tree counts, viewer polygons, Predict overlay, dashboard (runE2e)', () => {
      assert.equal(r.status, 0, `runE2e exited ${r.status}`);
    });
  } finally {
    fs.rmSync(extensionsDir, { recursive: true, force: true });
  }
}

async function cliStage(): Promise<void> {
  console.log('\nCLI package');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 've-cli-installed-'));
  try {
    let tgz = '';
    await check('npm run package:cli packs vasculature-explorer-cli-<version>.tgz', () => {
      runNode([path.join(repoRoot, 'scripts', 'packCli.js'), tmp]);
      tgz = path.join(tmp, `vasculature-explorer-cli-${pkg.version}.tgz`);
      assert.ok(fs.existsSync(tgz), tgz);
    });
    const prefix = path.join(tmp, 'prefix');
    const bin = path.join(prefix, 'bin', 'vasculature-explorer');
    let installed = false;
    await check('npm install -g --prefix <tmp> installs it (sharp and onnxruntime-node as its dependencies)', () => {
      const env = { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'skip', npm_config_fund: 'false', npm_config_audit: 'false', npm_config_update_notifier: 'false' };
      execFileSync('npm', ['install', '-g', '--prefix', prefix, '--prefer-offline', '--loglevel=error', tgz], { cwd: tmp, env, stdio: ['ignore', 'inherit', 'inherit'], timeout: 300_000 });
      assert.ok(fs.existsSync(bin), bin);
      const lib = path.join(prefix, 'lib', 'node_modules', 'vasculature-explorer-cli');
      for (const dep of ['sharp', 'onnxruntime-node']) assert.ok(fs.existsSync(path.join(lib, 'node_modules', dep, 'package.json')), `${dep} installed as a dependency`);
      installed = true;
    });
    if (!installed) return;
    const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), 've-cli-cwd-'));
    const cli = (...args: string[]) => spawnSync(bin, args, { cwd: elsewhere, encoding: 'utf8', maxBuffer: 64 << 20, timeout: 240_000, env: { ...process.env, PATH: `${path.join(prefix, 'bin')}:${process.env.PATH}` } });
    try {
      await check('vasculature-explorer --version (from another directory)', () => {
        const r = cli('--version');
        assert.equal(r.status, 0, r.stderr);
        assert.equal(r.stdout.trim(), `vasculature-explorer-cli ${pkg.version}`);
      });
      await check('validate <sample> --json: the documented object, exit 0', () => {
        const r = cli('validate', sampleDataset, '--json');
        assert.equal(r.status, 0, r.stderr);
        const j = JSON.parse(r.stdout) as { tiles: { meta: number; train: number; test: number }; polygonLines: number; annotatedTiles: number; classes: Record<string, { instances: number; tiles: number }>; wsis: Record<string, { tiles: number }>; problems: { file: string; line: number; severity: string; code: string }[] };
        const metaRows = fs.readFileSync(path.join(sampleDataset, 'tile_meta.csv'), 'utf8').trim().split('\n').length - 1;
        assert.equal(j.tiles.meta, metaRows);
        assert.equal(j.tiles.train, fs.readdirSync(path.join(sampleDataset, 'train')).length);
        assert.equal(j.polygonLines, fs.readFileSync(path.join(sampleDataset, 'polygons.jsonl'), 'utf8').split('\n').filter((l) => l.trim()).length);
        assert.deepEqual(Object.keys(j.classes).sort(), ['blood_vessel', 'glomerulus', 'unsure']);
        assert.equal(j.wsis['1'].tiles, 507);
        assert.ok(j.problems.some((p) => p.code === 'images-missing' && p.file.endsWith('tile_meta.csv')), 'the partial-download finding');
      });
      await check("every worker the CLI starts is in the package, and stain-stats runs in its worker thread", () => {
        const lib = path.join(prefix, 'lib', 'node_modules', 'vasculature-explorer-cli', 'dist');
        const workers = fs.readdirSync(path.join(repoRoot, 'dist')).filter((n) => n.endsWith('.js') && n !== 'extension.js' && n !== 'galleryThumbWorker.js');
        assert.ok(workers.includes('cli.js') && workers.includes('inferenceWorker.js'), workers.join(','));
        for (const w of workers) assert.ok(fs.existsSync(path.join(lib, w)), `${w} missing from the installed CLI`);
        const r = cli('stain-stats', sampleDataset, '--no-cache', '--out', 'stats.yaml');
        assert.equal(r.status, 0, r.stderr);
        assert.match(r.stdout, /measured in [\d.]+ s \(worker thread\)/);
        assert.ok(fs.statSync(path.join(elsewhere, 'stats.yaml')).size > 0);
      });
      await check('predict --shard, merge and score with the installed package give the documented JSON', () => {
        const tiles = ['00da70813521', '1f0d3cd4b621', '2cad7b97ea7e'].map((id) => path.join(sampleDataset, 'train', `${id}.tif`));
        for (const k of [1, 2]) {
          const r = cli('predict', ...tiles, '--provider', 'cpu', '--shard', `${k}/2`, '--out', `part-${k}.csv`);
          assert.equal(r.status, 0, r.stderr);
        }
        const m = cli('merge', 'part-1.csv', 'part-2.csv', '--out', 'all.csv');
        assert.equal(m.status, 0, m.stderr);
        const s = cli('score', 'all.csv', sampleDataset, '--json');
        assert.equal(s.status, 0, s.stderr);
        const j = JSON.parse(s.stdout) as { ap: number | null; tp: number; fp: number; fn: number; perWsi: unknown[]; convention: string; problems: unknown[]; scoredRows: number };
        assert.equal(j.scoredRows, 3);
        assert.ok(typeof j.ap === 'number' && j.ap >= 0 && j.ap <= 1, String(j.ap));
        for (const k of ['tp', 'fp', 'fn'] as const) assert.ok(Number.isInteger(j[k]), k);
        assert.ok(Array.isArray(j.perWsi) && typeof j.convention === 'string' && Array.isArray(j.problems));
        const dup = cli('merge', 'part-1.csv', 'all.csv', '--out', 'dup.csv');
        assert.equal(dup.status, 1, 'a tile in two inputs is an error');
        assert.match(dup.stderr, /all\.csv:\d+:1: error \[submission-merge-duplicate\]/);
      });
    } finally {
      fs.rmSync(elsewhere, { recursive: true, force: true });
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

async function main(): Promise<number> {
  assertSampleDataset();
  const only = process.argv.slice(2);
  const want = (s: string) => only.length === 0 || only.includes(s);
  const t0 = Date.now();
  let built = fs.existsSync(vsixPath);
  if (want('vsix')) built = await vsixStage();
  if (want('e2e')) {
    if (built) await e2eStage();
    else { counts.failed++; console.log('  ✖ installed VS Code: no VSIX was built'); }
  }
  if (want('cli')) await cliStage();
  console.log(`installed: ${counts.passed} passed, ${counts.failed} failed (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
  return counts.failed > 0 ? 1 : 0;
}

main().then((code) => process.exit(code), (err: unknown) => {
  console.error(err);
  process.exit(1);
});
