/** The model-output cache: byte-exact round trips of the three kinds, uint8 quantisation, the size cap, unreadable entries. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { describe, it } from 'node:test';
import { decodeCachedOutput, encodeCachedOutput, OutputCache, quantiseProbability, type CachedOutput } from '../../src/core/tuning/outputCache';
import { tempDir } from './helpers/paths';

const key = (tileId: string) => ({ modelHash: 'abc', provider: 'cpu', transform: 'identity' as const, tileId });

describe('tuning output cache', () => {
  it('round-trips semantic, instance and YOLOv8-seg outputs byte for byte', () => {
    const outs: CachedOutput[] = [
      { kind: 'semantic', width: 4, height: 2, probability: Uint8Array.from([0, 1, 2, 128, 254, 255, 7, 9]) },
      { kind: 'instance', width: 8, height: 8, classNames: ['blood_vessel'], floor: 0.05, instances: [{ classIndex: 0, score: 0.9, x: 1, y: 2, width: 2, height: 2, data: Uint8Array.from([1, 0, 1, 1]) }, { classIndex: 0, score: 0.3, x: 0, y: 0, width: 1, height: 3, data: Uint8Array.from([1, 1, 1]) }] },
      { kind: 'yolov8-seg', width: 8, height: 8, classNames: ['blood_vessel'], floor: 0.1, geometry: { tileWidth: 8, tileHeight: 8, inputWidth: 8, inputHeight: 8, scaleX: 1, scaleY: 1 }, detections: { dims: [1, 6, 2], data: Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 0.5, 0.25, -1.5, 3e-8]) }, protos: { dims: [1, 1, 2, 2], data: Float32Array.from([0.1, -0.2, 0.3, Math.PI]) } },
    ];
    for (const o of outs) assert.deepEqual(decodeCachedOutput(encodeCachedOutput(o), 'x'), o);
  });

  it('quantises probabilities to round(p * 255), clamped', () => {
    assert.deepEqual([...quantiseProbability(Float32Array.from([-0.1, 0, 0.5, 0.501, 1 / 255, 0.999, 1.2]))], [0, 0, 128, 128, 1, 255, 255]);
  });

  it('an unreadable entry is a miss and is removed; bad bytes name the file', () => {
    const c = new OutputCache(tempDir('vex-cache-'));
    c.write(key('t1'), { kind: 'semantic', width: 1, height: 1, probability: Uint8Array.from([3]) });
    fs.writeFileSync(c.pathOf(key('t1')), 'garbage');
    assert.equal(c.read(key('t1')), undefined);
    assert.equal(fs.existsSync(c.pathOf(key('t1'))), false);
    assert.throws(() => decodeCachedOutput(Buffer.from('VEC1\xff\xff\xff\x7f'), '/x/t.vec'), /\/x\/t\.vec: truncated header/);
  });

  it('keeps under the size cap by deleting the oldest entries; size and clear', () => {
    const dir = tempDir('vex-cache-');
    const big = new Uint8Array(64 * 64).map((_, i) => (i * 7919) % 251); // incompressible enough
    const one = encodeCachedOutput({ kind: 'semantic', width: 64, height: 64, probability: big }).length;
    const c = new OutputCache(dir, one * 3.5);
    for (let k = 0; k < 6; k++) {
      c.write(key(`t${k}`), { kind: 'semantic', width: 64, height: 64, probability: big });
      const t = new Date(Date.now() - (10 - k) * 1000);
      fs.utimesSync(c.pathOf(key(`t${k}`)), t, t);
    }
    assert.ok(c.sizeBytes() <= one * 3.5, `${c.sizeBytes()} > cap`);
    assert.ok(c.has(key('t5')), 'the newest entry stays');
    assert.equal(c.has(key('t0')), false, 'the oldest entry went first');
    c.clear();
    assert.equal(c.sizeBytes(), 0);
  });
});
