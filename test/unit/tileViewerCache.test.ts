/** The viewer webview's kept tiles (an LRU the host mirrors) and the protocol messages that drive it. */
import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { RecentTiles, VIEWER_CACHE_TILES } from '../../src/shared/tileViewerCache';
import { expandRgb, packOpaqueRgb } from '../../src/shared/tileViewerPixels';
import { validateFromViewer } from '../../src/shared/tileViewerProtocol';

test('keeps at most capacity tiles, evicting the least recently used (get counts as a use)', () => {
  const c = new RecentTiles<number>(3);
  assert.deepEqual(c.put('a', 1), []);
  c.put('b', 2);
  c.put('c', 3);
  assert.equal(c.get('a'), 1); // a is now the most recent: b is the oldest
  assert.deepEqual(c.put('d', 4), [['b', 2]]);
  assert.deepEqual(c.keys(), ['c', 'a', 'd']);
  assert.equal(c.has('b'), false);
  assert.equal(c.has('c'), true); // has() is no use: c stays the oldest
  assert.deepEqual(c.put('e', 5), [['c', 3]]);
  assert.deepEqual(c.put('a', 6), []); // refresh, no growth
  assert.deepEqual(c.keys(), ['d', 'e', 'a']);
  assert.equal(c.get('a'), 6);
  c.clear();
  assert.equal(c.size, 0);
});

test('a host mirror fed the same steps holds the same keys as the webview (500 switches over 30 tiles)', () => {
  const webview = new RecentTiles<string>();
  const mirror = new RecentTiles<true>();
  assert.equal(webview.capacity, VIEWER_CACHE_TILES);
  let at = 0;
  let step = 1;
  for (let k = 0; k < 500; k++) {
    if (at + step < 0 || at + step >= 30) step = -step;
    at += step;
    const key = `t${at}`;
    if (mirror.has(key)) { mirror.get(key); assert.ok(webview.get(key), `switch ${k}: ${key} is kept`); }
    else { mirror.put(key, true); webview.put(key, key); }
    for (const n of [at + step, at - step]) if (n >= 0 && n < 30 && !mirror.has(`t${n}`)) { mirror.put(`t${n}`, true); webview.put(`t${n}`, `t${n}`); }
    assert.deepEqual(webview.keys(), mirror.keys());
    assert.ok(webview.size <= VIEWER_CACHE_TILES);
  }
});

test('the webview may report its start-up times and a cache miss; anything else is refused', () => {
  assert.deepEqual(validateFromViewer({ type: 'ready', timeOrigin: 1.5e12, scriptAt: 20.5, readyAt: 31 }), { ok: true, message: { type: 'ready', timeOrigin: 1.5e12, scriptAt: 20.5, readyAt: 31 } });
  assert.deepEqual(validateFromViewer({ type: 'ready' }), { ok: true, message: { type: 'ready' } });
  assert.equal(validateFromViewer({ type: 'ready', scriptAt: 'soon' }).ok, false);
  assert.deepEqual(validateFromViewer({ type: 'cacheMiss', seq: 3, key: '/data/train/a.tif' }), { ok: true, message: { type: 'cacheMiss', seq: 3, key: '/data/train/a.tif' } });
  assert.equal(validateFromViewer({ type: 'cacheMiss', seq: 3 }).ok, false);
  assert.equal(validateFromViewer({ type: 'cacheMiss', seq: 1.5, key: 'k' }).ok, false);
  const painted = { type: 'painted', seq: 2, id: 'abc123def456', drawn: { blood_vessel: 1, glomerulus: 0, unsure: 0 }, paintMs: 3 };
  assert.deepEqual(validateFromViewer({ ...painted, cached: true }), { ok: true, message: { ...painted, cached: true } });
  assert.equal(validateFromViewer({ ...painted, cached: 'yes' }).ok, false);
  assert.deepEqual(validateFromViewer({ ...painted, paintedAt: 1.7e12 }), { ok: true, message: { ...painted, paintedAt: 1.7e12 } });
  assert.equal(validateFromViewer({ ...painted, paintedAt: 'now' }).ok, false);
});

test('an opaque tile crosses as RGB and comes back as the same RGBA bytes; a transparent pixel keeps RGBA', () => {
  const rgba = new Uint8Array([10, 20, 30, 255, 0, 255, 128, 255, 1, 2, 3, 255]);
  const rgb = packOpaqueRgb(rgba)!;
  assert.deepEqual([...rgb], [10, 20, 30, 0, 255, 128, 1, 2, 3]);
  assert.deepEqual([...expandRgb(rgb, 3)], [...rgba]);
  assert.equal(packOpaqueRgb(new Uint8Array([10, 20, 30, 255, 1, 2, 3, 254])), undefined);
  assert.throws(() => expandRgb(rgb, 4), /9 RGB bytes for 4 pixels/);
});
