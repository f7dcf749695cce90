/**
 * The issue-18 hostile files, generated here (never committed), through the core and the CLI:
 * zlib-bomb submissions, the 204 KB crash case, a 1000-level TIFF, ids that try to become paths
 * or terminal escapes, a polygons.jsonl line over the cap, CSV formula cells, submission rows from
 * file names. Each refusal is located and names its cap; the rest of the file still loads.
 */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { countsStringToRuns, decodeRuns, RleDecodeError } from '../../src/core/metric/rleCoco';
import { parseSubmissionCsv, writeSubmissionCsv } from '../../src/core/metric/submissionCsv';
import { readTileInfo, TileImageError } from '../../src/core/image/tileImage';
import { exportTiles } from '../../src/core/interchange/exportSelection';
import { indexDataset } from '../../src/core/dataset/datasetIndex';
import { csvCell } from '../../src/core/text/csv';
import { escapeControls, escapeNotification, safeFileName } from '../../src/core/text/safeText';
import { DEFAULT_LIMITS, setLimits } from '../../src/core/limits/limits';
import { predictBatch } from '../../src/core/predict/batch';
import { forEachLine } from '../../src/core/dataset/lineReader';
import { memoryFileReader } from '../../src/core/dataset/fileReader';
import { seededRandom } from './support/seededRandom';
import { DEFAULT_PREDICT_SETTINGS } from '../../src/core/predict/pipeline';
import type { Annotation } from '../../src/core/types/types';
import { bombSubmission, bombToken, crashCaseSubmission, hexId, pyramidTiff, writeLongLinePolygons } from './support/hostileFixtures';
import { copyDataset, REPO_ROOT, SAMPLE, tempDir } from './helpers/paths';

const BIN = path.join(REPO_ROOT, 'bin', 'vasculature-explorer.js');
const HONEST = fs.readFileSync(path.join(SAMPLE, 'sample_submission.csv'), 'utf8').trim().split('\n')[1];
const cli = (...args: string[]) => spawnSync(process.execPath, ['--max-old-space-size=256', BIN, ...args], { encoding: 'utf8', maxBuffer: 64 << 20, timeout: 60_000 });

after(() => setLimits({}));

describe('hostile submissions', () => {
  it('a 2.8 MB zlib bomb: every bomb row refused at its line and column, naming the cap; the honest row still decodes; < 1 s', () => {
    const text = bombSubmission(2.8e6, 64 << 20, HONEST.replace('72e40acccadf', hexId(0xfff)));
    const c0 = process.cpuUsage();
    const r = parseSubmissionCsv(text);
    const c = process.cpuUsage(c0);
    const cpu = (c.user + c.system) / 1e6;
    const bombRows = text.split('\n').length - 3;
    const limit = r.problems.filter((p) => p.code === 'submission-mask-limit');
    assert.equal(limit.length, bombRows, 'one problem per bomb row');
    assert.equal(limit[0].line, 2);
    assert.equal(limit[0].column, text.split('\n')[1].indexOf(' 0.9 ') + 6, 'located at the first mask of the row');
    assert.match(limit[0].message, /vasculatureExplorer\.limits\.maskInflatedKiB/);
    const honest = r.rows.find((row) => row.id === hexId(0xfff))!;
    assert.equal(honest.ok, true);
    assert.equal(honest.predictions.length, 1);
    assert.ok(cpu < 1, `took ${cpu} s CPU`);
  });

  it('the 204 KB crash case exits 1 through the CLI with the row named (no "invalid size" crash, no signal)', () => {
    const dir = tempDir();
    const file = path.join(dir, 'submission.csv');
    fs.writeFileSync(file, crashCaseSubmission());
    assert.ok(fs.statSync(file).size < 300_000, `${fs.statSync(file).size} bytes`);
    const r = cli('score', file, SAMPLE);
    assert.equal(r.signal, null, r.stderr);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stdout, /submission\.csv:2:\d+: error \[submission-mask-limit\]/);
  });

  it('a per-row budget: masks that each fit but together pass the row cap stop the row', () => {
    setLimits({ submissionRowInflatedBytes: 3 << 20 });
    const tok = bombToken(900 << 10);
    const r = parseSubmissionCsv(`id,height,width,prediction_string\n${hexId(1)},512,512,${Array(6).fill(`0 0.5 ${tok}`).join(' ')}\n`);
    setLimits({});
    const p = r.problems.find((q) => q.code === 'submission-mask-limit')!;
    assert.match(p.message, /limits\.submissionRowInflatedMiB/);
    assert.equal(p.count, 3, 'the 4th mask passes 3 MiB; it and the two after it are refused');
  });

  it('runs are bounded by height*width+1: decoding stops at the first overflow', () => {
    assert.throws(() => countsStringToRuns('1'.repeat(1000), 100), /pass the 100 pixels of the mask at run \d+/);
    assert.throws(() => countsStringToRuns('0'.repeat(1000), 100), /at run 102/);
    assert.throws(() => decodeRuns(bombToken(2 << 20), 512, 512), (e: unknown) => e instanceof RleDecodeError && e.stage === 'limit');
  });

  it('a submission file over the size cap is refused unread, exit 1', () => {
    const dir = tempDir();
    const file = path.join(dir, 'big.csv');
    fs.writeFileSync(file, `id,height,width,prediction_string\n${HONEST}\n`.padEnd(3 << 20, '\n'));
    const r = cli('--limit', 'submissionFileMiB=1', 'score', file, SAMPLE);
    assert.equal(r.status, 1);
    assert.match(r.stdout, /big\.csv: error \[submission-too-large\].*limits\.submissionFileMiB/);
  });

  it('the writer makes rows only of tile ids: a file name with a newline, a fake row and an @ formula adds nothing', () => {
    const mask = { x: 0, y: 0, width: 1, height: 1, data: new Uint8Array([1]), area: 1 };
    const skipped: string[] = [];
    const text = writeSubmissionCsv([
      { id: '72e40acccadf', height: 512, width: 512, predictions: [{ confidence: 0.5, mask }] },
      { id: 'x\n0123456789ab,512,512,@SUM(1+1)', height: 512, width: 512, predictions: [{ confidence: 0.5, mask }] },
    ], skipped);
    assert.equal(text.trim().split('\n').length, 2);
    assert.doesNotMatch(text, /@SUM/);
    assert.deepEqual(skipped, ['x\n0123456789ab,512,512,@SUM(1+1)']);
  });
});

describe('hostile TIFF', () => {
  it('1000 levels at 30000x30000: refused in <= 100 ms, naming the cap; a 20-level one passes the cap', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'pyramid.tif');
    fs.writeFileSync(file, pyramidTiff(1000, 30000));
    const t0 = performance.now();
    const e = await readTileInfo(file).then(() => undefined, (x: unknown) => x);
    const ms = performance.now() - t0;
    assert.ok(e instanceof TileImageError && e.code === 'limit', String(e));
    assert.match((e as Error).message, /more than 64 directories.*limits\.tiffLevels/);
    assert.ok(ms <= 100, `${ms.toFixed(1)} ms`);
    const small = path.join(dir, 'small.tif');
    fs.writeFileSync(small, pyramidTiff(20, 30000));
    const e2 = await readTileInfo(small).then((i) => i, (x: unknown) => x);
    assert.ok(!(e2 instanceof TileImageError && e2.code === 'limit'), 'under the cap: not refused for its levels');
  });

  it('a directory chain that loops is not followed forever', async () => {
    const dir = tempDir();
    const buf = pyramidTiff(3, 64);
    buf.writeUInt32LE(24, 24 + 2 * (2 + 9 * 12 + 4) + 2 + 9 * 12); // the last IFD points back to the first
    const file = path.join(dir, 'loop.tif');
    fs.writeFileSync(file, buf);
    await readTileInfo(file).then(() => undefined, () => undefined); // sharp's verdict; it must return
  });
});

describe('ids that must never become paths', () => {
  const hostile = ['../../escaped', '[click](https://evil.example/)', 'a\u0000b', 'line\nbreak', '\u202Eevil', 'x'.repeat(1000), '.', '..', 'CON', '/abs/path', 'C:\\win'];

  it('safeFileName: tile ids unchanged, anything else a flat, bounded, distinct name', () => {
    assert.equal(safeFileName('72e40acccadf'), '72e40acccadf');
    const names = hostile.map(safeFileName);
    for (const n of names) assert.match(n, /^id-[a-z0-9_-]{0,41}[0-9a-f]{16}$/, n);
    assert.equal(new Set(names).size, names.length);
    assert.notEqual(safeFileName('ABC'), safeFileName('abc'), 'case-insensitive file systems keep them apart');
  });

  it('the export writes every file inside the chosen folder and lists originals in manifest.json', async () => {
    const root = tempDir();
    const out = path.join(root, 'a', 'b', 'export');
    const ann: Annotation = { type: 'blood_vessel', rings: [[[1, 1], [9, 1], [9, 9]]], area: 32, index: 0 };
    const s = await exportTiles([...hostile, '72e40acccadf'].map((id) => ({ id, annotations: [ann] })), { outDir: out, kinds: ['class-masks', 'instance-masks', 'geojson'] });
    const all: string[] = [];
    const walk = (d: string) => { for (const e of fs.readdirSync(d, { withFileTypes: true })) e.isDirectory() ? walk(path.join(d, e.name)) : all.push(path.join(d, e.name)); };
    walk(root);
    for (const f of all) assert.ok(f.startsWith(out + path.sep), `${f} is outside ${out}`);
    assert.ok(fs.existsSync(path.join(out, 'geojson', '72e40acccadf.geojson')));
    const manifest = JSON.parse(fs.readFileSync(path.join(out, 'manifest.json'), 'utf8')) as { renamed: { id: string; name: string }[] };
    assert.deepEqual(manifest.renamed.map((r) => r.id), hostile);
    for (const r of manifest.renamed) assert.ok(fs.existsSync(path.join(out, 'geojson', `${r.name}.geojson`)));
    assert.equal(s.renamed.length, hostile.length);
  });

  it('polygons.jsonl: an unsafe id is an id-not-safe warning at its line; validate prints it with ESC and RTL escaped', async () => {
    const dir = copyDataset();
    const file = path.join(dir, 'polygons.jsonl');
    const lines = fs.readFileSync(file, 'utf8').trim().split('\n');
    lines.push(JSON.stringify({ id: '../../escaped', annotations: [] }), JSON.stringify({ id: '\u001b]0;pwned\u0007\u001b[2J0 errors\u202E', annotations: [] }));
    fs.writeFileSync(file, lines.join('\n') + '\n');
    const ix = await indexDataset(dir);
    const unsafe = ix.problems.filter((p) => p.code === 'id-not-safe');
    assert.deepEqual(unsafe.map((p) => p.line), [lines.length - 1, lines.length]);
    assert.match(unsafe[0].message, /exports write it as "id-escaped-[0-9a-f]{16}"/);
    const r = cli('validate', dir);
    assert.doesNotMatch(r.stdout + r.stderr, /[\u001b\u0007\u202e]/, 'no raw control or bidi character reaches the terminal');
    assert.match(r.stdout, /\\u001b\]0;pwned\\u0007\\u001b\[2J0 errors\\u202e/);
  });

  it('validate: a newline or CR in an id or an annotation type cannot print a line of its own (no fake "0 errors" line)', () => {
    const dir = copyDataset();
    const file = path.join(dir, 'polygons.jsonl');
    const lines = fs.readFileSync(file, 'utf8').trim().split('\n');
    const fake = '\u001b[32mvalidate: 0 errors, 0 warnings';
    lines.push(
      JSON.stringify({ id: `abc\n${fake}`, annotations: [] }),
      JSON.stringify({ id: '0123456789ab', annotations: [{ type: `vessel\r\n${fake}`, coordinates: [[[0, 0], [10, 0], [10, 10]]] }] }),
    );
    fs.writeFileSync(file, lines.join('\n') + '\n');
    for (const args of [['validate', dir], ['validate', file, '--dataset', dir]]) {
      const r = cli(...args);
      assert.equal(r.status, 1, `${args.join(' ')}: the unknown type is an error\n${r.stderr}`);
      const out = r.stdout.split('\n');
      const fakeLine = /^\s*(\\u001b|\u001b)?(\[32m)?validate: 0 errors/;
      assert.deepEqual(out.filter((l) => fakeLine.test(l)), [], `${args.join(' ')}: no output line starts with the fake text`);
      assert.doesNotMatch(r.stdout + r.stderr, /[\r\u001b]/, 'no raw CR or ESC reaches the terminal');
      const idLines = out.filter((l) => l.includes('abc\\u000a\\u001b[32mvalidate: 0 errors, 0 warnings'));
      assert.ok(idLines.length >= 1, `${args.join(' ')}: the id shows with its newline escaped:\n${r.stdout}`);
      for (const l of idLines) assert.match(l, /^ {2}\S*polygons\.jsonl:\d+: (error|warning|info) \[[a-z-]+\] /, 'each shows inside one located problem line');
      assert.ok(out.some((l) => /^ {2}\S*polygons\.jsonl:\d+: error \[unknown-type\] .*"vessel\\u000d\\u000a\\u001b\[32mvalidate: 0 errors, 0 warnings"/.test(l)), `${args.join(' ')}: the type shows with CR and LF escaped:\n${r.stdout}`);
    }
  });

  it('escapeControls / escapeNotification', () => {
    assert.equal(escapeControls('a\u001b[31mb\u202ec\nd'), 'a\\u001b[31mb\\u202ec\\u000ad');
    assert.equal(escapeControls('a\nb', true), 'a\nb');
    assert.equal(escapeNotification('[click](https://evil.example/)'), '[click] (https://evil.example/)');
    // An id shaped as a link in a notification (tileCommands, Predict, export): VS Code's notification link
    // pattern ([text](https:|command:|file:...)) no longer matches, whatever the spacing or target.
    const notificationLink = /\[([^\]]+)\]\(((?:https?:\/\/|command:|file:)[^)\s]+)/i;
    for (const id of ['[x](https://evil.example/)', '[x](command:workbench.action.quit)', '[x]  (file:///etc/passwd)', '[x]\n(https://e.example/)', '[[a](https://u.example/)](command:x)', 'x](y)[z](https://w.example/)']) {
      assert.match(id.replace(/\]\s+\(/g, ']('), notificationLink, `${id} is a link once its spacing is gone`);
      const shown = escapeNotification(id);
      assert.doesNotMatch(shown, notificationLink, `${id} -> ${shown}`);
      assert.doesNotMatch(shown, /\]\(/);
      assert.doesNotMatch(shown, /[\n\r]/);
    }
  });
});

describe('hostile polygons.jsonl and CSV', () => {
  it('forEachLine: any chunk size gives the lines of split(\'\\n\'), long ones reported in order instead', async () => {
    const rand = seededRandom(3);
    for (let trial = 0; trial < 200; trial++) {
      const lines = Array.from({ length: 1 + Math.floor(rand() * 12) }, () => 'x'.repeat(Math.floor(rand() * 40)));
      const text = lines.join('\n') + (rand() < 0.5 ? '\n' : '');
      const chunk = 1 + Math.floor(rand() * 20), cap = 1 + Math.floor(rand() * 30);
      const mem = memoryFileReader({ '/f': text });
      const fr = { ...mem, readChunks: (p: string) => mem.readChunks(p, chunk) };
      const got: string[] = [];
      await forEachLine(fr, '/f', (b, s0, e, off) => got.push(`${off}:${b.toString('utf8', s0, e)}`), undefined, { maxLineBytes: cap, onLongLine: (off, len) => got.push(`${off}:long ${len}`) });
      const want: string[] = [];
      let off = 0;
      const all = text.split('\n');
      if (all[all.length - 1] === '') all.pop();
      for (const l of all) { want.push(`${off}:${l.length > cap ? `long ${l.length}` : l}`); off += l.length + 1; }
      assert.deepEqual(got, want, `chunk ${chunk}, cap ${cap}, ${JSON.stringify(text)}`);
    }
  });

  it('a line over the cap is reported at its line, skipped unread, and every other line indexed', async () => {
    setLimits({ polygonsLineBytes: 1 << 20 });
    try {
      const dir = copyDataset();
      const lineNo = writeLongLinePolygons(path.join(dir, 'polygons.jsonl'), 3 << 20);
      const ix = await indexDataset(dir);
      const p = ix.problems.find((q) => q.code === 'line-too-long')!;
      assert.equal(p.line, lineNo);
      assert.match(p.message, /limits\.polygonsLineMiB/);
      const ref = await indexDataset(SAMPLE);
      assert.equal(ix.stats.polygonLines, ref.stats.polygonLines + 1, 'the long line counts as a line');
      let checked = 0;
      for (const t of ref.tiles.values()) {
        if (t.polygonsLine === undefined) continue;
        assert.equal(ix.tiles.get(t.id)?.polygonsLine, t.polygonsLine + (t.polygonsLine >= lineNo ? 1 : 0), `tile ${t.id} still indexed at its line`);
        checked++;
      }
      assert.ok(checked > 20);
    } finally {
      setLimits({});
    }
  });

  it('a ring over the points cap is reported and left out', async () => {
    setLimits({ pointsPerPolygon: 10 });
    try {
      const dir = copyDataset();
      const ix = await indexDataset(dir);
      const p = ix.problems.find((q) => q.code === 'ring-too-many-points');
      assert.ok(p && p.line > 0 && /limits\.pointsPerPolygon/.test(p.message));
    } finally {
      setLimits({});
    }
    assert.equal(DEFAULT_LIMITS.pointsPerPolygon, 100_000);
    for (const [k, v] of Object.entries(DEFAULT_LIMITS)) assert.ok(Number.isSafeInteger(v) && v > 0, `${k} = ${v}`);
    assert.equal(DEFAULT_LIMITS.modelFileBytes, 2 ** 31);
  });

  it('CSV cells starting with = + - @ tab or CR are written as text', () => {
    for (const v of ['=1+1', '+1', '-1', '@SUM(A1)', '\tx', '\rx']) assert.ok(csvCell(v).replace(/^"/, '').startsWith("'"), JSON.stringify(csvCell(v)));
    assert.equal(csvCell(-1), '-1', 'numbers stay numbers');
  });
});

describe('a model that stops answering', () => {
  it('a batch stops after 3 timeouts in a row; the tiles not run are failures that say why', async () => {
    let calls = 0;
    const predictor = { predict: async () => { calls++; throw Object.assign(new Error('inference took longer than 1.0 s'), { name: 'InferenceTimeoutError' }); } };
    const ids = ['a', 'b', 'c', 'd', 'e'];
    const r = await predictBatch(predictor as never, ids, async (id) => ({ tileId: id, image: { width: 1, height: 1, data: new Uint8Array(3) } } as never), { ...DEFAULT_PREDICT_SETTINGS, modelPath: "none.onnx" });
    assert.equal(calls, 3);
    assert.equal(r.failures.length, 5);
    assert.match(r.failures[4].message, /stopped after 3 tiles in a row timed out/);
  });
});
