/** Wires the tile viewer, the gallery and the export commands into activate(); returns their part of the test API. */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { TileQuery } from '../../core/dataset';
import type { DatasetIndex, TileRecord } from '../../core/types';
import type { TileViewerTestApi } from '../common/api';
import type { ShownReply } from '../../shared/tileViewerProtocol';
import { GalleryProvider } from '../gallery/galleryProvider';
import type { PredictionStore } from '../predict/predictionStore';
import { registerExportCommands } from './tileViewerExport';
import { TileViewerProvider } from './tileViewerProvider';

export interface TileViewerWiring {
  context: vscode.ExtensionContext;
  index(): DatasetIndex | undefined;
  /** The tile browser's filtered, sorted tiles. */
  ordered(): TileRecord[];
  query(): TileQuery;
  /** Events after which the gallery re-lists (re-index, filter/sort change). */
  events: vscode.Event<unknown>[];
  /** Fires after a re-index (cached tiles are dropped). */
  onDidIndex: vscode.Event<unknown>;
  /** Predictions per tile (Predict's store): the viewer draws the shown tile's layer. */
  predictions?: Pick<PredictionStore, 'layer' | 'onDidChange'>;
  /** The reusable tile viewer panel shows another tile (open, next/previous, context click). */
  onShowTile?(id: string): void;
}

/** Registers the custom editor, the gallery view and the commands; everything is disposed with the extension. */
export function registerTileViewer(w: TileViewerWiring): TileViewerTestApi {
  const { context } = w;
  const onDidChange: vscode.Event<unknown> = (listener, thisArgs, disposables) => vscode.Disposable.from(...w.events.map((e) => e(listener, thisArgs, disposables)));
  const indexed = (timeoutMs: number) => new Promise<DatasetIndex | undefined>((resolve) => {
    if (w.index()) return resolve(w.index());
    const timer = setTimeout(() => { sub.dispose(); resolve(w.index()); }, timeoutMs);
    const sub = w.onDidIndex(() => { clearTimeout(timer); sub.dispose(); resolve(w.index()); });
  });
  const viewer = new TileViewerProvider({ extensionUri: context.extensionUri, index: w.index, ordered: w.ordered, predictions: w.predictions, indexed });
  const gallery = new GalleryProvider({
    extensionUri: context.extensionUri,
    cacheDir: path.join(context.globalStorageUri.fsPath, 'thumbnails'),
    index: w.index,
    query: w.query,
    onDidChange,
  });
  context.subscriptions.push(
    viewer,
    gallery,
    w.onDidIndex(() => viewer.clearCache()),
    onDidChange(() => viewer.orderChanged()),
    viewer.onDidShowTile((id) => w.onShowTile?.(id)),
    ...viewer.registerCommands(),
    ...registerExportCommands({ index: w.index, ordered: w.ordered, activeTileId: () => viewer.active?.current.id }),
  );
  return {
    viewerTile: () => viewer.active?.current,
    viewerSnapshot: () => viewer.active?.request({ kind: 'snapshot' }) ?? Promise.resolve(undefined),
    viewerPing: async () => {
      const t0 = performance.now();
      const r = await viewer.active?.request<{ oneWayMs: number }>({ kind: 'ping', sentAt: Date.now() });
      return r && { oneWayMs: r.oneWayMs, roundTripMs: performance.now() - t0 };
    },
    viewerShown: () => viewer.active?.request<ShownReply>({ kind: 'shown' }) ?? Promise.resolve(undefined),
    viewerPaints: () => [...viewer.paintReports],
    viewerNextPaint: (id?: string, timeoutMs?: number) => viewer.nextPaint(id, timeoutMs),
    gallerySnapshot: () => gallery.snapshot(),
    galleryClick: (id: string) => gallery.request({ kind: 'click', id }),
    galleryScrollTo: (i: number) => gallery.request({ kind: 'scrollTo', index: i }),
    galleryNextPaint: (timeoutMs = 20_000) => new Promise((resolve, reject) => {
      const timer = setTimeout(() => { sub.dispose(); reject(new Error(`no gallery paint within ${timeoutMs} ms`)); }, timeoutMs);
      const sub = gallery.onDidPaint((p) => { clearTimeout(timer); sub.dispose(); resolve(p); });
    }),
    memory: () => process.memoryUsage().heapUsed,
  };
}
