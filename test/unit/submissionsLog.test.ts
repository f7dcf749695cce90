/** The submissions log: record / update by hash keeping typed leaderboard scores, broken files named, CV vs LB line and r against numpy. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { cvVersusLeaderboard, fileHash, readSubmissionsLog, recordSubmission, writeSubmissionsLog } from '../../src/core/tuning/submissionsLog';
import { tempDir } from './helpers/paths';
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
