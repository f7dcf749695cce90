/** The gallery protocol: packed items round-trip, and the retry flag is validated. */
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { packItems, unpackItems, validateFromGallery, type GalleryItem } from '../../src/shared/galleryProtocol';

describe('gallery items are packed for the trip to the webview', () => {
  const items: GalleryItem[] = [
    { id: '0033bbc76b6b', hasImage: true, counts: [12, 1, 0] },
    { id: 'abc', hasImage: false, counts: [0, 0, 70000] },
    { id: 'x.y_z-1', hasImage: true, counts: [3, 0, 2] },
  ];

  it('packs ids into one newline-joined string and counts into a typed array', () => {
    const p = packItems(items);
    assert.equal(p.ids, '0033bbc76b6b\nabc\nx.y_z-1');
    assert.deepEqual([...p.counts], [12, 1, 0, 0, 0, 70000, 3, 0, 2]);
    assert.deepEqual([...p.hasImage], [1, 0, 1]);
  });

  it('unpacks to the same items, and an empty list to none', () => {
    assert.deepEqual(unpackItems(packItems(items)), items);
    assert.deepEqual(unpackItems(packItems([])), []);
  });
});

describe('needThumbs from the webview', () => {
  it('accepts the safety net\'s retry flag and rejects a non-boolean one', () => {
    const ok = validateFromGallery({ type: 'needThumbs', generation: 3, ids: ['a'], retry: true });
    assert.deepEqual(ok, { ok: true, message: { type: 'needThumbs', generation: 3, ids: ['a'], retry: true } });
    assert.equal(validateFromGallery({ type: 'needThumbs', generation: 3, ids: ['a'], retry: 'yes' }).ok, false);
    assert.equal(validateFromGallery({ type: 'needThumbs', generation: 3, ids: ['a'], other: 1 }).ok, false);
  });
});
