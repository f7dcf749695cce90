/** Fuzz: on randomly damaged real lines, the index's byte scanner either hands the line back or reads exactly what JSON.parse + flattenParsed read (id included). */
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FlatAnnotations, flattenParsed } from '../../src/core/dataset/flatAnnotations';
import { scanPolygonLine } from '../../src/core/dataset/polygonScan';
import { SAMPLE } from './helpers/paths';
import { seededRandom } from './support/seededRandom';

function flat(f: FlatAnnotations): string {
  const parts: string[] = [];
  for (let a = 0; a < f.nAnn; a++) {
    parts.push(`c${f.cls[a]}`);
    for (let r = f.annRing[a]; r < f.annRing[a + 1]; r++) {
      parts.push('r');
      for (let k = f.ptStart[r]; k < f.ptStart[r + 1]; k++) parts.push(`${f.xs[k]},${f.ys[k]}`);
    }
  }
  return parts.join(' ');
}

const ALPHABET = ['[', ']', '{', '}', ',', ':', '"', '-', '.', 'e', '1', '0', ' ', '\\', 'x', 'null', '1.5', '"type"', '"coordinates"', '"glomerulus"'];

describe('polygons.jsonl line scanner under damage (seeded fuzz on real lines)', () => {
  it('never reads a line differently from JSON.parse + the filter, and never accepts broken JSON', () => {
    const lines = fs.readFileSync(path.join(SAMPLE, 'polygons.jsonl'), 'utf8').split('\n').filter((l) => l.trim()).slice(0, 40);
    const rnd = seededRandom(2024);
    let accepted = 0, handedBack = 0, brokenRejected = 0;
    for (let n = 0; n < 4000; n++) {
      let s = lines[Math.floor(rnd() * lines.length)];
      const edits = 1 + Math.floor(rnd() * 3);
      for (let e = 0; e < edits; e++) {
        const at = Math.floor(rnd() * s.length);
        const op = rnd();
        if (op < 0.4) s = s.slice(0, at) + s.slice(at + 1 + Math.floor(rnd() * 3));
        else if (op < 0.8) s = s.slice(0, at) + ALPHABET[Math.floor(rnd() * ALPHABET.length)] + s.slice(at);
        else s = s.slice(0, at);
      }
      const buf = Buffer.from(`x\n${s}\n{`, 'utf8');
      const f = new FlatAnnotations();
      const id = scanPolygonLine(buf, 2, 2 + Buffer.byteLength(s), f);
      const ok = id !== undefined;
      let ref: string | undefined;
      let refId: unknown;
      try {
        const g = new FlatAnnotations();
        const v = JSON.parse(s) as { id?: unknown };
        flattenParsed(v, g);
        ref = flat(g);
        refId = v?.id;
      } catch {
        ref = undefined;
      }
      if (!ok) {
        handedBack++;
        if (ref === undefined) brokenRejected++;
        continue;
      }
      accepted++;
      assert.notEqual(ref, undefined, `scanner accepted a line JSON.parse rejects: ${s.slice(0, 300)}`);
      assert.equal(flat(f), ref, `scanner read differently: ${s.slice(0, 300)}`);
      assert.equal(id, refId, `scanner read another id: ${s.slice(0, 300)}`);
    }
    // The damage must exercise both roads.
    assert.ok(accepted > 100 && brokenRejected > 100, `accepted ${accepted}, handed back ${handedBack} (${brokenRejected} broken)`);
  });
});
