/** The Dataset Overview's tuning messages from the webview are validated like the rest (the webview is untrusted). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validateFromWebview } from '../../src/shared/dashboardProtocol';

describe('dashboard protocol: tuning messages', () => {
  it('accepts Apply / Copy with a cell index', () => {
    assert.deepEqual(validateFromWebview({ type: 'tuningApply', index: 3 }), { ok: true, message: { type: 'tuningApply', index: 3 } });
    assert.deepEqual(validateFromWebview({ type: 'tuningCopy', index: 0 }), { ok: true, message: { type: 'tuningCopy', index: 0 } });
    assert.deepEqual(validateFromWebview({ type: 'runTuning' }), { ok: true, message: { type: 'runTuning' } });
  });
  for (const bad of [{ type: 'tuningApply' }, { type: 'tuningApply', index: -1 }, { type: 'tuningApply', index: 1.5 }, { type: 'tuningCopy', index: '2' }, { type: 'tuningApply', index: 1, key: 'predict.threshold' }, { type: 'runTuning', grid: 'x' }]) {
    it(`rejects ${JSON.stringify(bad)}`, () => assert.equal(validateFromWebview(bad).ok, false));
  }
});
