/** The Dataset Overview protocol: every message from the webview is validated; malformed ones are rejected with a reason. */
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { RequestTracker, validateFromWebview, type ResponseMessage } from '../../src/shared/dashboardProtocol';

const png = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';

describe('validateFromWebview accepts the protocol', () => {
  const good: unknown[] = [
    { type: 'ready' },
    { type: 'clearFilter' },
    { type: 'select', chart: 'tilesPerWsi', x: 3 },
    { type: 'select', chart: 'areaHist', x: 0, series: 2 },
    { type: 'selectQuality', key: 'border' },
    { type: 'openTile', id: '0033bbc76b6b' },
    { type: 'openProblems', code: 'json-malformed' },
    { type: 'exportCsv', table: 'wsiMeta' },
    { type: 'exportPng', chart: 'slideMap', dataUrl: png },
    { type: 'rendered', charts: 7, ms: 12.5 },
    { type: 'response', inReplyTo: 4, ok: true, result: { charts: [] } },
  ];
  for (const m of good) {
    it(`accepts ${JSON.stringify(m).slice(0, 60)}`, () => {
      const r = validateFromWebview(m);
      assert.equal(r.ok, true, r.ok ? '' : r.error);
      if (r.ok) assert.deepEqual(r.message, m);
    });
  }
});

describe('validateFromWebview rejects malformed messages', () => {
  const bad: [unknown, RegExp][] = [
    [null, /not an object/],
    ['ready', /not an object/],
    [[{ type: 'ready' }], /not an object/],
    [{}, /unknown message type undefined/],
    [{ type: 'eval', code: 'alert(1)' }, /unknown message type "eval"/],
    [{ type: 'ready', extra: 1 }, /unexpected fields/],
    [{ type: 'select', chart: 'nope', x: 1 }, /unknown chart/],
    [{ type: 'select', chart: '__proto__', x: 1 }, /unknown chart/],
    [{ type: 'select', chart: 'tilesPerWsi', x: -1 }, /x must be/],
    [{ type: 'select', chart: 'tilesPerWsi', x: 1.5 }, /x must be/],
    [{ type: 'select', chart: 'tilesPerWsi', x: '1' }, /x must be/],
    [{ type: 'select', chart: 'tilesPerWsi', x: 1, series: NaN }, /series must be/],
    [{ type: 'selectQuality', key: 'all' }, /unknown key/],
    [{ type: 'openTile', id: '' }, /id must be/],
    [{ type: 'openTile', id: 'x'.repeat(201) }, /id must be/],
    [{ type: 'openTile', id: { toString: 'x' } }, /id must be/],
    [{ type: 'openProblems' }, /code must be/],
    [{ type: 'exportCsv', table: '../../etc/passwd' }, /unknown table/],
    [{ type: 'exportPng', chart: 'areaHist', dataUrl: 'data:text/html;base64,PHNjcmlwdD4=' }, /base64 PNG/],
    [{ type: 'exportPng', chart: 'areaHist', dataUrl: 'data:image/png;base64,<script>' }, /base64 PNG/],
    [{ type: 'exportPng', chart: 'areaHist', dataUrl: `data:image/png;base64,${'A'.repeat(17 << 20)}` }, /under 16 MiB/],
    [{ type: 'rendered', charts: 7, ms: Infinity }, /rendered/],
    [{ type: 'response', inReplyTo: 'a', ok: true }, /inReplyTo/],
    [{ type: 'response', inReplyTo: 1, ok: false, error: 5 }, /error must be/],
  ];
  for (const [m, why] of bad) {
    it(`rejects ${JSON.stringify(m)?.slice(0, 70)}`, () => {
      const r = validateFromWebview(m);
      assert.equal(r.ok, false);
      if (!r.ok) assert.match(r.error, why);
    });
  }
});

describe('RequestTracker pairs replies with requests', () => {
  it('resolves by inReplyTo, rejects error replies and unknown ids are ignored', async () => {
    const sent: { id: number; request: string }[] = [];
    const t = new RequestTracker<string>((m) => sent.push(m), 1000);
    const a = t.request<number>('one');
    const b = t.request<number>('two');
    assert.deepEqual(sent.map((s) => s.request), ['one', 'two']);
    assert.notEqual(sent[0].id, sent[1].id);
    const reply = (m: Omit<ResponseMessage, 'type'>) => t.handleResponse({ type: 'response', ...m });
    assert.equal(reply({ inReplyTo: 999, ok: true }), false);
    assert.equal(reply({ inReplyTo: sent[1].id, ok: false, error: 'nope' }), true);
    assert.equal(reply({ inReplyTo: sent[0].id, ok: true, result: 42 }), true);
    assert.equal(await a, 42);
    await assert.rejects(b, /nope/);
  });

  it('times out and rejects pending requests on dispose', async () => {
    const t = new RequestTracker<string>(() => undefined, 20);
    await assert.rejects(t.request('slow'), /no reply to request 1 within 20 ms/);
    const p = t.request('x');
    t.dispose();
    await assert.rejects(p, /closed/);
  });
});

it('stainSelect with many real tile ids is accepted (every() must not pass the index as the length cap)', () => {
  const ids = ['00da70813521', '0033bbc76b6b', '00656c6f2690', '00d75ad65de3'];
  const v = validateFromWebview({ type: 'stainSelect', ids, label: 'stain: WSI 2 (4 measured tiles)' });
  assert.ok(v.ok, JSON.stringify(v));
  assert.equal(validateFromWebview({ type: 'stainSelect', ids: [...ids, ''], label: 'x' }).ok, false, 'an empty id is still refused');
  assert.equal(validateFromWebview({ type: 'stainSelect', ids: ['x'.repeat(201)], label: 'x' }).ok, false, 'an over-long id is still refused');
});
