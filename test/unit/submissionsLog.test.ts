/** The submissions log: record / update by hash keeping typed leaderboard scores, broken files named, CV vs LB line and r against numpy; entries with local AP per fold / per WSI (numpy on the submitted masks) and the settings. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { cvVersusLeaderboard, fileHash, groupAps, readSubmissionsLog, recordSubmission, submissionSettings, writeSubmissionsLog } from '../../src/core/tuning/submissionsLog';
import { scoreCommand } from '../../src/cli/scoreCommand';
import { indexDataset } from '../../src/core/dataset/datasetIndex';
import type { InstanceMask } from '../../src/core/geometry/instanceMask';
import { writeSubmissionCsv } from '../../src/core/metric';
import { DEFAULT_PREDICT_SETTINGS, rasterizeGroundTruth } from '../../src/core/predict/pipeline';
import { tileAnnotations } from '../../src/core/predict/tileInputs';
import { SAMPLE, tempDir } from './helpers/paths';
import { runPython } from './support/runPython';

describe('submissions log', () => {
  it('records submissions once per file hash, keeps typed LB scores, and round-trips through the JSON file', () => {
    const dir = tempDir('vex-subs-');
    const csv = path.join(dir, 'submission.csv');
    fs.writeFileSync(csv, 'id,height,width,prediction_string\n');
    const file = path.join(dir, 'vasculature-submissions.json');
    const log = readSubmissionsLog(file);
    assert.equal(log.submissions.length, 0);
    recordSubmission(log, { path: csv, hash: fileHash(csv), localAp: 0.41, model: 'demo-unet.onnx', perWsi: { '1': 0.4 } });
    log.submissions[0].publicLb = 0.39;
    recordSubmission(log, { path: csv, hash: fileHash(csv), localAp: 0.42 });
    assert.equal(log.submissions.length, 1);
    assert.equal(log.submissions[0].localAp, 0.42);
    assert.equal(log.submissions[0].publicLb, 0.39);
    writeSubmissionsLog(file, log);
    assert.deepEqual(readSubmissionsLog(file), log);
  });

  it('a broken log is an error naming the file and the entry', () => {
    const dir = tempDir('vex-subs-');
    const file = path.join(dir, 'log.json');
    fs.writeFileSync(file, '{"version":1,"submissions":[{"path":"a","hash":"b","localAp":0.3,"publicLb":"high"}]}');
    assert.throws(() => readSubmissionsLog(file), /log\.json: submissions\[0\]\.publicLb must be a number/);
    fs.writeFileSync(file, '{oops');
    assert.throws(() => readSubmissionsLog(file), /log\.json: not valid JSON/);
  });

  it('the CV vs leaderboard line and correlation equal numpy polyfit / corrcoef', () => {
    const log = { version: 1 as const, submissions: [[0.41, 0.55], [0.45, 0.51], [0.52, 0.60], [0.38, 0.47], [0.50, null]].map(([cv, lb], k) => ({ path: `s${k}.csv`, hash: String(k), at: '', localAp: cv, ...(lb === null ? {} : { privateLb: lb }) })) };
    const r = cvVersusLeaderboard(log, 'privateLb');
    assert.equal(r.points.length, 4);
    const py = runPython<{ slope: number; intercept: number; r: number }>('fit_ref.py', { x: r.points.map((p) => p.x), y: r.points.map((p) => p.y) });
    for (const k of ['slope', 'intercept', 'r'] as const) assert.ok(Math.abs(r.fit![k] - py[k]) < 1e-9, `${k}: ${r.fit![k]} vs numpy ${py[k]}`);
  });
});

describe('submissions log entries: local AP overall / per fold / per WSI and the settings', () => {
  it('score --log --folds records path, hash, settings and the local AP overall, per fold and per WSI, equal to numpy on the submitted masks', async () => {
    const index = await indexDataset(SAMPLE);
    const ids = [...index.tiles.values()].filter((t) => t.polygonsLine !== undefined).map((t) => t.id);
    const dir = tempDir('vex-subs-folds-');
    // A submission: every other ground-truth vessel of each tile (distinct confidences) plus one false square per tile.
    let rank = 0;
    const tiles = await Promise.all(ids.map(async (id) => ({ id, gt: rasterizeGroundTruth((await tileAnnotations(index, id))!, 512, 512).vessels })));
    const fp = (): InstanceMask => ({ x: 500, y: 500, width: 12, height: 12, data: new Uint8Array(144).fill(1), area: 144 });
    // Confidences k / 10^5 (exact through the CSV's text), all distinct, the false squares ranked among the vessels.
    const preds = tiles.map((t) => [...t.gt.filter((_, i) => i % 2 === 0), fp()].map((mask) => ({ mask, confidence: (90_000 - 37 * rank++) / 100_000 })));
    const csv = path.join(dir, 'submission.csv');
    fs.writeFileSync(csv, writeSubmissionCsv(tiles.map((t, k) => ({ id: t.id, height: 512, width: 512, predictions: preds[k] }))));
    // Folds as the training-data exporter writes them, the last two tiles left out, plus a bad line.
    const folds = path.join(dir, 'folds.csv');
    fs.writeFileSync(folds, ['id,fold', ...ids.slice(0, -2).map((id, k) => `${id},${k % 3}`), `${ids[0]},x`].join('\n'));
    const logFile = path.join(dir, 'vasculature-submissions.json');
    const err: string[] = [];
    const code = await scoreCommand([csv, SAMPLE, '--log', logFile, '--folds', folds, '--json'], { out: () => undefined, err: (s) => err.push(s) });
    assert.equal(code, 0);
    assert.ok(err.some((e) => /folds\.csv:\d+: .*fold "x"/.test(e)), `the bad folds line is reported: ${err.join(' | ')}`);
    const entry = readSubmissionsLog(logFile).submissions[0];
    assert.equal(entry.path, csv);
    assert.equal(entry.hash, fileHash(csv));
    assert.equal(entry.foldsFile, folds);
    assert.deepEqual(entry.settings, { ignoreMode: 'count' });
    const foldOf = new Map(ids.slice(0, -2).map((id, k) => [id, String(k % 3)]));
    const crop = (m: InstanceMask) => ({ x: m.x, y: m.y, w: m.width, h: m.height, b64: Buffer.from(m.data.buffer, m.data.byteOffset, m.data.byteLength).toString('base64') });
    const py = runPython<{ cells: { ap: number | null; perWsi: Record<string, number | null>; perFold: Record<string, number | null> }[] }>('tuning_ref.py', {
      h: 512, w: 512, cells: 1,
      tiles: tiles.map((t, k) => ({ wsi: String(index.tiles.get(t.id)!.wsi ?? ''), fold: foldOf.get(t.id) ?? null, gts: t.gt.map(crop), cells: [preds[k].map((p) => ({ conf: p.confidence, mask: crop(p.mask) }))] })),
    }).cells[0];
    const close = (a: number | null | undefined, b: number | null | undefined, what: string) => assert.ok(a !== null && a !== undefined && b !== null && b !== undefined && Math.abs(a - b) < 1e-9, `${what}: ${a} vs numpy ${b}`);
    close(entry.localAp, py.ap, 'overall');
    assert.deepEqual(Object.keys(entry.perFold!).sort(), ['0', '1', '2']);
    for (const f of ['0', '1', '2']) close(entry.perFold![f], py.perFold[f], `fold ${f}`);
    assert.deepEqual(Object.keys(entry.perWsi!).sort(), Object.keys(py.perWsi).sort());
    for (const w of Object.keys(py.perWsi)) close(entry.perWsi![w], py.perWsi[w], `WSI ${w}`);
    assert.ok(new Set(Object.values(entry.perFold!)).size > 1, 'the folds score differently (the comparison is not vacuous)');
  });

  it('groupAps leaves out tiles without a group; submissionSettings records the model and every post-processing setting', () => {
    assert.deepEqual(groupAps([], () => '0', 'count'), {});
    const s = submissionSettings({ ...DEFAULT_PREDICT_SETTINGS, modelPath: '/m/demo.onnx', threshold: 0.45, dilation: 1, minArea: 16, tta: ['identity', 'hflip'], removeInsideGlomerulus: true, ignoreMode: 'ignore' });
    assert.deepEqual(s, { modelPath: '/m/demo.onnx', provider: DEFAULT_PREDICT_SETTINGS.provider, threshold: 0.45, scoreThreshold: DEFAULT_PREDICT_SETTINGS.scoreThreshold, minArea: 16, dilation: 1, tta: ['identity', 'hflip'], removeInsideGlomerulus: true, ignoreMode: 'ignore' });
  });
});
