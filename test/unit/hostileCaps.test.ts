/**
 * The caps of issue 18 that refuse before any work is done, each met with a crafted input: a small
 * file whose header claims a huge size, or a cap lowered through the limits API. Every refusal is
 * located (the file, or the line) and names the cap, its setting and its CLI name.
 */
import { describe, it, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { decodeTile, readTileInfo, TileImageError } from '../../src/core/image/tileImage';
import { parseCoco } from '../../src/core/interchange/cocoImport';
import { ModelContractError, resolveModelContract, type ModelIo } from '../../src/core/model/modelContract';
import { DEFAULT_LIMITS, setLimits } from '../../src/core/limits/limits';
import { InferenceError, SessionCache, SIDECAR_MAX_BYTES } from '../../src/inference/sessionCache';
import { pyramidTiff } from './support/hostileFixtures';
import { REPO_ROOT, SAMPLE, tempDir } from './helpers/paths';

const BIN = path.join(REPO_ROOT, 'bin', 'vasculature-explorer.js');
const DEMO_MODEL = path.join(REPO_ROOT, 'media', 'model', 'demo-unet.onnx');
const cli = (...args: string[]) => spawnSync(process.execPath, ['--max-old-space-size=256', BIN, ...args], { encoding: 'utf8', maxBuffer: 16 << 20, timeout: 60_000 });
const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The refusal names the cap's setting (vasculatureExplorer.<setting>) and its CLI name, and says what it is now. */
function assertRaiseHint(message: string, setting: string, cliName: string, now: string): void {
  assert.match(message, new RegExp(`cap is ${esc(now)}; raise it with the setting vasculatureExplorer\\.${esc(setting)} \\(CLI: --limit ${cliName}=<`), message);
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const ort = (): typeof import('onnxruntime-node') => require('onnxruntime-node') as typeof import('onnxruntime-node');

afterEach(() => setLimits({}));

describe('TIFF header bytes cap (limits.tiffHeaderKiB)', () => {
  /** A classic TIFF whose first directory claims `entries` 12-byte entries; the file itself is 10 bytes. */
  const classicClaiming = (entries: number): Buffer => {
    const b = Buffer.alloc(10);
    b.write('II', 0, 'ascii');
    b.writeUInt16LE(42, 2);
    b.writeUInt32LE(8, 4);
    b.writeUInt16LE(entries, 8);
    return b;
  };

  it('a 10-byte TIFF whose directory claims 60000 entries (720 KB) is refused under a 64 KiB cap, naming file, cap and setting', async () => {
    const file = path.join(tempDir(), 'claims.tif');
    fs.writeFileSync(file, classicClaiming(60_000));
    setLimits({ tiffHeaderBytes: 64 << 10 });
    await assert.rejects(readTileInfo(file), (e: unknown) => {
      assert.ok(e instanceof TileImageError, String(e));
      assert.equal(e.code, 'limit');
      assert.ok(e.message.startsWith(`${file}: refused, `), e.message);
      assert.match(e.message, /directories hold more than 65536 bytes of entries \(directory 1 lists 60000 entries\)/);
      assertRaiseHint(e.message, 'limits.tiffHeaderKiB', 'tiffHeaderKiB', '64 KiB');
      return true;
    });
    // Under the default 4096 KiB cap the same claim is no cap refusal (the short file is sharp's error to name).
    setLimits({});
    await assert.rejects(readTileInfo(file), (e: unknown) => e instanceof TileImageError && e.code !== 'limit');
  });

  it('a 24-byte BigTIFF claiming 2^40 entries is refused under the default cap in well under 100 ms; validate prints it located and exits 1', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'huge-ifd.tif');
    const b = Buffer.alloc(24);
    b.write('II', 0, 'ascii');
    b.writeUInt16LE(43, 2);
    b.writeUInt16LE(8, 4);
    b.writeBigUInt64LE(16n, 8);
    b.writeBigUInt64LE(2n ** 40n, 16);
    fs.writeFileSync(file, b);
    const t0 = performance.now();
    const err = await readTileInfo(file).then(() => undefined, (e: unknown) => e);
    const ms = performance.now() - t0;
    assert.ok(err instanceof TileImageError && err.code === 'limit', String(err));
    assert.ok(ms < 100, `refused after ${ms.toFixed(1)} ms`);
    assert.match(err.message, /more than 4194304 bytes of entries \(directory 1 lists 1099511627776 entries\)/);
    assertRaiseHint(err.message, 'limits.tiffHeaderKiB', 'tiffHeaderKiB', '4096 KiB');
    const r = cli('validate', file);
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /huge-ifd\.tif.*: error \[[a-z-]+\] .*vasculatureExplorer\.limits\.tiffHeaderKiB \(CLI: --limit tiffHeaderKiB=<KiB>\)/);
    // Raised on the command line as the message says, the header cap no longer refuses it (the file is still no image).
    const raised = cli('validate', file, '--limit', 'tiffHeaderKiB=1000000000000');
    assert.doesNotMatch(raised.stdout, /limits\.tiffHeaderKiB/, raised.stdout);
  });
});

describe('BigTIFF meets the directory caps too', () => {
  it('a BigTIFF chain of 1000 empty directories (16 KB) is refused by the levels cap, like a classic TIFF', async () => {
    const n = 1000;
    const b = Buffer.alloc(16 + n * 16);
    b.write('II', 0, 'ascii');
    b.writeUInt16LE(43, 2);
    b.writeUInt16LE(8, 4);
    b.writeBigUInt64LE(16n, 8);
    for (let k = 0; k < n; k++) {
      const at = 16 + k * 16;
      b.writeBigUInt64LE(0n, at);
      b.writeBigUInt64LE(k + 1 < n ? BigInt(at + 16) : 0n, at + 8);
    }
    const file = path.join(tempDir(), 'levels.btf.tif');
    fs.writeFileSync(file, b);
    await assert.rejects(readTileInfo(file), (e: unknown) => {
      assert.ok(e instanceof TileImageError && e.code === 'limit', String(e));
      assert.match(e.message, /more than 64 directories/);
      assertRaiseHint(e.message, 'limits.tiffLevels', 'tiffLevels', '64 levels');
      return true;
    });
  });
});

describe('image pixels cap (limits.imageMegapixels)', () => {
  it('a 300-byte TIFF claiming 30000x30000 px is refused before decoding, with the file, the size and the setting', async () => {
    const file = path.join(tempDir(), 'claims-30000.tif');
    fs.writeFileSync(file, pyramidTiff(1, 30_000));
    assert.ok(fs.statSync(file).size < 1000);
    const info = await readTileInfo(file);
    assert.deepEqual([info.width, info.height], [30_000, 30_000], 'the header is read');
    await assert.rejects(decodeTile(file), (e: unknown) => {
      assert.ok(e instanceof TileImageError, String(e));
      assert.equal(e.code, 'too-large');
      assert.ok(e.message.startsWith(`${file}: decoding 30000x30000 px`), e.message);
      assert.match(e.message, new RegExp(`exceeds the ${DEFAULT_LIMITS.imagePixels} px limit`));
      assertRaiseHint(e.message, 'limits.imageMegapixels', 'imageMegapixels', '16 Mpx');
      return true;
    });
  });

  it('a real 512x512 tile under a lowered 0.25 Mpx cap: refused whole, a 256x256 region still decodes', async () => {
    const file = path.join(SAMPLE, 'train', fs.readdirSync(path.join(SAMPLE, 'train')).filter((n) => n.endsWith('.tif')).sort()[0]);
    setLimits({ imagePixels: 256 * 256 });
    await assert.rejects(decodeTile(file), (e: unknown) => {
      assert.ok(e instanceof TileImageError && e.code === 'too-large', String(e));
      assert.ok(e.message.startsWith(`${file}: decoding 512x512 px`), e.message);
      assertRaiseHint(e.message, 'limits.imageMegapixels', 'imageMegapixels', '0.06 Mpx');
      return true;
    });
    const part = await decodeTile(file, { region: { left: 0, top: 0, width: 256, height: 256 } });
    assert.equal(part.width * part.height, 256 * 256);
  });

  it('COCO: an RLE whose size claims 100000x100000 px is an error at its annotation line naming the cap; the other annotation loads', () => {
    const doc = {
      images: [{ id: 1, file_name: '0033bbc76b6b.tif', width: 512, height: 512 }],
      categories: [{ id: 1, name: 'blood_vessel' }],
      annotations: [
        { id: 7, image_id: 1, category_id: 1, segmentation: [[10, 10, 40, 10, 40, 40, 10, 40]] },
        { id: 8, image_id: 1, category_id: 1, segmentation: { size: [100_000, 100_000], counts: [0, 5, 99] } },
      ],
    };
    const text = JSON.stringify(doc, null, 2);
    const r = parseCoco(text, 'bomb.json');
    const p = r.problems.find((q) => q.code === 'coco-limit');
    assert.ok(p, JSON.stringify(r.problems));
    assert.equal(p.severity, 'error');
    const lines = text.split('\n');
    assert.match(lines[p.line - 1], /"id": 8,/, `line ${p.line} is annotation 8's`);
    assert.equal(lines[p.line - 1].indexOf('"id"') + 1, p.column);
    assert.match(p.message, /^Annotation 8 of image 1 \(0033bbc76b6b\.tif\): RLE size 100000x100000 is more pixels than an image may have: /);
    assertRaiseHint(p.message, 'limits.imageMegapixels', 'imageMegapixels', '16 Mpx');
    assert.equal(r.tiles.get('0033bbc76b6b')?.length, 1, 'the polygon annotation still loads');
    assert.equal(r.problems.filter((q) => q.code === 'coco-bad-segmentation').length, 0, 'the refusal is not lumped with bad segmentations');
  });
});

describe('ONNX model file size cap (limits.modelFileMiB) and the sidecar cap', () => {
  it('a sparse 2 GiB + 1 byte .onnx is refused from its size alone, never read', async () => {
    const file = path.join(tempDir(), 'huge.onnx');
    fs.writeFileSync(file, '');
    fs.truncateSync(file, DEFAULT_LIMITS.modelFileBytes + 1);
    const rss0 = process.memoryUsage().rss;
    const cache = new SessionCache(ort(), () => undefined);
    await assert.rejects(cache.get({ modelPath: file, provider: 'cpu', threads: 1 }), (e: unknown) => {
      assert.ok(e instanceof InferenceError, String(e));
      assert.equal(e.code, 'model-load-failed');
      assert.ok(e.message.startsWith(`${file} is ${DEFAULT_LIMITS.modelFileBytes + 1} bytes; it was not loaded: `), e.message);
      assertRaiseHint(e.message, 'limits.modelFileMiB', 'modelFileMiB', '2048 MiB');
      return true;
    });
    assert.ok(process.memoryUsage().rss - rss0 < 256 << 20, 'the file was not read into memory');
  });

  it('the demo model (2.8 MB) under a lowered 1 MiB cap is refused; at the default it loads', async () => {
    const cache = new SessionCache(ort(), () => undefined);
    setLimits({ modelFileBytes: 1 << 20 });
    await assert.rejects(cache.get({ modelPath: DEMO_MODEL, provider: 'cpu', threads: 1 }), (e: unknown) => {
      assert.ok(e instanceof InferenceError && e.code === 'model-load-failed', String(e));
      assert.ok(e.message.startsWith(`${DEMO_MODEL} is ${fs.statSync(DEMO_MODEL).size} bytes`), e.message);
      assertRaiseHint(e.message, 'limits.modelFileMiB', 'modelFileMiB', '1 MiB');
      return true;
    });
    setLimits({});
    const { entry } = await cache.get({ modelPath: DEMO_MODEL, provider: 'cpu', threads: 1 });
    assert.equal(entry.contract.outputKind, 'semantic');
    await cache.releaseAll();
  });

  it('a sidecar over 1 MiB (valid JSON) is refused before the model loads, naming the sidecar and the fixed cap', async () => {
    const dir = tempDir();
    const model = path.join(dir, 'm.onnx');
    fs.copyFileSync(DEMO_MODEL, model);
    const sidecar = `${model}.json`;
    const big = JSON.stringify({ classNames: ['blood_vessel'], note: 'x'.repeat(SIDECAR_MAX_BYTES) });
    fs.writeFileSync(sidecar, big);
    assert.equal(SIDECAR_MAX_BYTES, 1 << 20);
    let created = 0;
    const o = ort();
    const counting = { ...o, InferenceSession: { create: (...a: Parameters<typeof o.InferenceSession.create>) => { created++; return o.InferenceSession.create(...a); } } } as typeof o;
    const cache = new SessionCache(counting, () => undefined);
    await assert.rejects(cache.get({ modelPath: model, provider: 'cpu', threads: 1 }), (e: unknown) => {
      assert.ok(e instanceof InferenceError, String(e));
      assert.equal(e.code, 'contract');
      assert.ok(e.message.startsWith(`${sidecar} is ${Buffer.byteLength(big)} bytes; it was not read: the sidecar contract cap is 1 MiB`), e.message);
      assert.match(e.message, /Fix or delete the sidecar/);
      return true;
    });
    assert.equal(created, 0, 'no session was created for a refused sidecar');
    // At 1 MiB exactly it is read (and used).
    fs.writeFileSync(sidecar, JSON.stringify({ classNames: ['blood_vessel'], note: 'x'.repeat(SIDECAR_MAX_BYTES - 100) }).padEnd(SIDECAR_MAX_BYTES, ' '));
    assert.equal(fs.statSync(sidecar).size, SIDECAR_MAX_BYTES);
    const { entry } = await cache.get({ modelPath: model, provider: 'cpu', threads: 1 });
    assert.equal(entry.contract.source, 'sidecar');
    assert.deepEqual(entry.contract.classNames, ['blood_vessel']);
    await cache.releaseAll();
  });
});

describe('contract sizes cap (limits.modelInputSide)', () => {
  const unetIo: ModelIo = { inputs: [{ name: 'image', shape: [1, 3, 'height', 'width'] }], outputs: [{ name: 'logits', shape: [1, 1, 'height', 'width'] }] };
  const refused = (io: ModelIo, sidecar: unknown, what: RegExp, now: string) =>
    assert.throws(() => resolveModelContract(io, { modelPath: '/models/u.onnx', sidecar, sidecarPath: '/models/u.onnx.json' }), (e: unknown) => {
      assert.ok(e instanceof ModelContractError, String(e));
      assert.ok(e.message.startsWith('/models/u.onnx: '), e.message);
      assert.match(e.message, what);
      assert.match(e.message, /the model was not run/);
      assertRaiseHint(e.message, 'limits.modelInputSide', 'modelInputSide', now);
      return true;
    });

  it('a sidecar inputSize of 100000x512 or a sizeMultiple of 65536 is refused at the default 4096 px', () => {
    refused(unetIo, { inputSize: [100_000, 512] }, /input size 100000x512 is larger than 4096 px/, '4096 px');
    refused(unetIo, { sizeMultiple: 65_536 }, /sizeMultiple 65536 is larger than 4096 px/, '4096 px');
  });

  it('a model whose fixed input is 8192x8192 is refused; under a lowered 256 px cap a 512 input is too, and a raised cap lets 8192 through', () => {
    const fixed = (side: number): ModelIo => ({ inputs: [{ name: 'image', shape: [1, 3, side, side] }], outputs: [{ name: 'logits', shape: [1, 1, side, side] }] });
    refused(fixed(8192), undefined, /input size 8192x8192 is larger than 4096 px/, '4096 px');
    setLimits({ modelInputSide: 256 });
    refused(fixed(512), undefined, /input size 512x512 is larger than 256 px/, '256 px');
    refused(unetIo, { sizeMultiple: 300 }, /sizeMultiple 300 is larger than 256 px/, '256 px');
    setLimits({ modelInputSide: 8192 });
    assert.deepEqual(resolveModelContract(fixed(8192), { modelPath: 'u.onnx' }).inputSize, [8192, 8192]);
  });
});
