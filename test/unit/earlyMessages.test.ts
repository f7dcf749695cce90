import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import * as vm from 'node:vm';
import { EARLY_MESSAGES_SCRIPT, takeEarlyMessages } from '../../src/shared/earlyMessages';

test('the page script keeps messages in order until takeEarlyMessages, then keeps none', () => {
  // Run the inline script as a page would, against a window whose message listeners we can fire.
  const listeners: ((e: { data: unknown }) => void)[] = [];
  const win: Record<string, unknown> = { addEventListener: (type: string, f: (e: { data: unknown }) => void) => { if (type === 'message') listeners.push(f); } };
  win.window = win;
  vm.runInNewContext(EARLY_MESSAGES_SCRIPT, win);
  const fire = (data: unknown) => listeners.forEach((f) => f({ data }));
  fire({ type: 'tile', seq: 1 });
  fire({ type: 'prediction', tileId: 'a' });
  const g = globalThis as { __veEarly?: unknown };
  g.__veEarly = win.__veEarly; // takeEarlyMessages reads the page's global
  const early = takeEarlyMessages<{ type: string }>();
  assert.deepEqual(Array.from(early, (e) => e.data.type), ['tile', 'prediction']);
  assert.equal(g.__veEarly, undefined);
  assert.deepEqual(takeEarlyMessages(), [], 'a second take finds nothing');
  // After the take the page's own buffer is gone too: later messages are not kept.
  win.__veEarly = undefined;
  fire({ type: 'tile', seq: 2 });
  assert.equal(win.__veEarly, undefined);
});
