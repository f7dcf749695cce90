/**
 * The dataset index (the pass over polygons.jsonl that computes the Dataset Overview's per-tile
 * statistics) runs off the extension host's thread: re-indexing the hostile copy, whose first
 * lines hold 80,000-vertex rings, keeps a timer in the extension host on time, and the Overview
 * then draws from that index.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import { performance } from 'perf_hooks';
import * as path from 'path';
import * as vscode from 'vscode';
import type { VasculatureExplorerApi } from '../../../src/extension/common/api';
import { until } from '../wait';
import { activateOnHostileCopy, folder, repoRoot } from './suiteHost';
import { HUGE_RING_LINES } from './workspace';


describe('The Overview pass off the extension host thread', function () {
  this.timeout(120_000);
  let x: VasculatureExplorerApi;
  before(async () => {
    x = await activateOnHostileCopy();
  });
  after(() => vscode.commands.executeCommand('workbench.action.closeAllEditors'));

  it(`Re-index Dataset with ${HUGE_RING_LINES} 80,000-vertex lines: the host's timer stays within 100 ms (over the idle floor); the Overview draws their tiles`, async () => {
    const big = fs.readFileSync(path.join(folder(), 'polygons.jsonl'), 'utf8').split('\n').slice(0, HUGE_RING_LINES).map((l) => (JSON.parse(l) as { id: string }).id);
    let last = performance.now();
    let worst = 0;
    let ticks = 0;
    const timer = setInterval(() => {
      const now = performance.now();
      worst = Math.max(worst, now - last - 10);
      last = now;
      ticks++;
    }, 10);
    const t0 = performance.now();
    const elu0 = performance.eventLoopUtilization();
    try {
      await vscode.commands.executeCommand('vasculatureExplorer.refresh');
    } finally {
      clearInterval(timer);
    }
    const ms = performance.now() - t0;
    const busyMs = performance.eventLoopUtilization(elu0).active;
    // The floor: the same timer while the host only waits as long (on a loaded shared machine timers are late by themselves).
    let idle = 0;
    last = performance.now();
    const idleTimer = setInterval(() => {
      const now = performance.now();
      idle = Math.max(idle, now - last - 10);
      last = now;
    }, 10);
    await new Promise((r) => setTimeout(r, Math.min(ms, 10_000)));
    clearInterval(idleTimer);
    const loaded = os.loadavg()[0] / os.cpus().length > 1.5;
    console.log(`  re-index took ${ms.toFixed(0)} ms; worst extension-host timer lateness ${worst.toFixed(0)} ms over ${ticks} ticks (${idle.toFixed(0)} ms while idle), host loop busy ${busyMs.toFixed(0)} ms; load ${os.loadavg()[0].toFixed(1)}`);
    // The host's loop did a small part of the work (the pass ran elsewhere)...
    assert.ok(busyMs < ms / 4, `the extension host's loop was busy ${busyMs.toFixed(0)} of ${ms.toFixed(0)} ms`);
    // ...and its timers stayed on time (past 1.5 load per core the OS alone delays timers; the busy-time check above judges there).
    assert.ok(worst < 100 + idle || loaded, `the extension host's timer was ${worst.toFixed(0)} ms late during the re-index (idle floor ${idle.toFixed(0)} ms)`);
    for (const id of big) assert.ok((x.index()!.tiles.get(id)?.polygonStats?.vesselPixels ?? 0) > 0, `${id}: the huge ring's coverage`);
    await x.dashboard.show();
    const snap = await x.dashboard.snapshot();
    assert.ok(snap, 'the Overview drew');
  });
});
