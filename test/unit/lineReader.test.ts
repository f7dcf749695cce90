/** forEachLine hands over every line with its byte offset, whatever the chunk size, with one refilled read buffer (the real file system's reader). */
import { describe, it, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { nodeFileReader } from '../../src/core/dataset/fileReader';
import { forEachLine } from '../../src/core/dataset/lineReader';
import { SAMPLE, tempDir } from './helpers/paths';

const dir = tempDir('vex-lines-');
after(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Lines and offsets as a plain split finds them (the last line too when it has no newline). */
function expected(bytes: Buffer): [number, string][] {
  const out: [number, string][] = [];
  let at = 0;
  for (;;) {
    const nl = bytes.indexOf(0x0a, at);
    if (nl < 0) { if (at < bytes.length) out.push([at, bytes.toString('latin1', at)]); return out; }
    out.push([at, bytes.toString('latin1', at, nl)]);
    at = nl + 1;
  }
}

describe('forEachLine', () => {
  const sample = fs.readFileSync(path.join(SAMPLE, 'polygons.jsonl'));
  const cases: [string, Buffer][] = [
    ['the real sample', sample],
    ['no final newline, empty lines, a line longer than many chunks', Buffer.from(`a\n\n${'x'.repeat(5000)}\nb\n\nlast`)],
    ['only newlines', Buffer.from('\n\n\n')],
  ];
  for (const [what, bytes] of cases) {
    it(`${what}: every line and offset, chunks of 7, 1000 and 4 MiB bytes`, async () => {
      const f = path.join(dir, `${what.length}.jsonl`);
      fs.writeFileSync(f, bytes);
      for (const size of [7, 1000, 4 << 20]) {
        const got: [number, string][] = [];
        await forEachLine(nodeFileReader, f, (buf, s, e, off) => got.push([off, buf.toString('latin1', s, e)]), undefined, { chunkSize: size });
        assert.deepEqual(got, expected(bytes), `chunk size ${size}`);
      }
    });
  }
});
