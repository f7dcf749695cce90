/**
 * The dataset's colour statistics in the extension: measured once per index in the worker thread
 * (cached beside the index in the extension's storage), with progress and cancel, shared by the
 * Stain panel, the dashboard's stain section and the Compute Stain Statistics… command.
 */
import * as vscode from 'vscode';
import { DEFAULT_MIN_TISSUE, stainStatsWithCache, STAIN_SPACES, type TileStainStats } from '../../core/stain';
import type { DatasetIndex } from '../../core/types';
import { log } from '../common/log';

/** vasculatureExplorer.stain.minTissue, clamped to 0..1 (the default when unset or not a number). */
export function minTissueSetting(): number {
  const v = vscode.workspace.getConfiguration('vasculatureExplorer').get<number>('stain.minTissue', DEFAULT_MIN_TISSUE);
  return typeof v === 'number' && Number.isFinite(v) ? Math.min(1, Math.max(0, v)) : DEFAULT_MIN_TISSUE;
}

export class StainStatsService implements vscode.Disposable {
  private key: DatasetIndex | undefined;
  private pending: Promise<TileStainStats[] | undefined> | undefined;
  private done: TileStainStats[] | undefined;
  private readonly changed = new vscode.EventEmitter<TileStainStats[]>();
  /** Fires when statistics for the current index are ready. */
  readonly onDidChange = this.changed.event;

  private readonly configWatch: vscode.Disposable;

  constructor(private readonly storageDir: string, private readonly index: () => DatasetIndex | undefined) {
    // A new threshold re-reads the cache (no new measurement) on the next ensure().
    this.configWatch = vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('vasculatureExplorer.stain.minTissue')) {
        this.key = undefined;
        this.pending = undefined;
        this.done = undefined;
      }
    });
  }

  /** The statistics of the current index if already measured. */
  get current(): TileStainStats[] | undefined {
    return this.key === this.index() ? this.done : undefined;
  }

  /** Measures (or reads from the cache) every tile with an image, with a cancellable progress notification. */
  ensure(): Promise<TileStainStats[] | undefined> {
    const index = this.index();
    if (!index) return Promise.resolve(undefined);
    if (this.key === index && this.pending) return this.pending;
    this.key = index;
    this.done = undefined;
    const tiles = [...index.tiles.values()].filter((t) => t.image);
    this.pending = Promise.resolve(vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'Vasculature: stain statistics', cancellable: true },
      async (progress, token) => {
        let last = 0;
        const r = await stainStatsWithCache(index.root, tiles, {
          spaces: STAIN_SPACES,
          storageDir: this.storageDir,
          minTissue: minTissueSetting(),
          isCancelled: () => token.isCancellationRequested,
          onProgress: (d, total) => {
            progress.report({ message: `${d}/${total} tiles`, increment: ((d - last) / total) * 100 });
            last = d;
          },
        });
        const skipped = r.tiles.filter((t) => t.skipped).length;
        log().info(`Stain statistics: ${r.tiles.length} tiles (${skipped} skipped) ${r.fromCache ? 'from the cache' : `in ${r.seconds.toFixed(1)} s (${r.ranIn})`}${r.cancelled ? ', cancelled' : ''}.`);
        if (r.cancelled) {
          this.pending = undefined;
          return undefined;
        }
        if (this.key === index) {
          this.done = r.tiles;
          this.changed.fire(r.tiles);
        }
        return r.tiles;
      },
    )).catch((e: unknown) => {
      this.pending = undefined;
      const msg = e instanceof Error ? e.message : String(e);
      log().error(`Stain statistics failed: ${msg}`);
      void vscode.window.showErrorMessage(`Vasculature: stain statistics failed: ${msg}`);
      return undefined;
    });
    return this.pending;
  }

  dispose(): void {
    this.configWatch.dispose();
    this.changed.dispose();
  }
}
