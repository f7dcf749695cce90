/** What activate() returns: used by the integration tests and by other extensions. */
import type { DatasetIndex } from '../../core/types';
import type { TileQuery } from '../../core/dataset';
import type { DashboardTestHooks } from '../overview/dashboardCommands';
import type { PredictTestHooks } from '../predict/predictRegistration';
import type { StainTestHooks } from '../stain/stainRegistration';
import type { TuningTestHooks } from '../tuning/tuningRegistration';
import type { TrainingTestHooks } from '../training/trainCommands';
import type { LabelsTestHooks } from '../labels/prepareCommand';

export interface VasculatureExplorerApi {
  /** The current index, if a dataset is open. */
  index(): DatasetIndex | undefined;
  /** Resolves after the next (re)index completes. */
  nextIndex(): Promise<DatasetIndex>;
  /** The tile browser's root rows (label and description). */
  treeRoots(): { key: string; label: string; description: string }[];
  /** Children rows of a tree node by key (e.g. 'wsi:1'). */
  treeChildren(key: string): { key: string; label: string; description: string }[];
  /** The shared tile query. */
  query(): TileQuery;
  /** Tile ids in the shared filter's order. */
  orderedTileIds(): string[];
  /** The tile browser's selection: tile ids (other rows by key). */
  treeSelection(): string[];
  /** The tile browser's element of a row by key, as VS Code passes it to that row's menu commands. */
  treeElement(key: string): unknown;
  /** The Dataset Overview panel: open it, read what it drew, click through it. */
  dashboard: DashboardTestHooks;
  /** Predict: last prediction and its layer, last batch, errors, log lines, status bar. */
  predict: PredictTestHooks;
  /** Stain statistics and the Stain panel. */
  stain: StainTestHooks;
  /** Tune Post-processing: run a sweep without prompts, its view, undo of Apply, the cache. */
  tuning: TuningTestHooks;
  /** Train Baseline Model: cancel the running job, the last outcome. */
  training: TrainingTestHooks;
  /** Prepare Training Data: the form, the last run, leak Problems. */
  labels: LabelsTestHooks;
}

/** The tile viewer's and gallery's part of the test API (see tileViewerRegistration.ts). */
export interface TileViewerTestApi {
  /** The tile shown in the active tile viewer. */
  viewerTile(): { id: string; file: string } | undefined;
  /** What the active viewer's webview drew last (overlay counts per class, visibility, ink). */
  viewerSnapshot(): Promise<import('../../shared/tileViewerProtocol').ViewerSnapshot | undefined>;
  /** A message to the active viewer's webview and its answer: one-way and round-trip ms (undefined with no viewer). */
  viewerPing(): Promise<{ oneWayMs: number; roundTripMs: number } | undefined>;
  /** The active viewer's 'shown' answer (after a frame): its tile and sampled ink. */
  viewerShown(): Promise<import('../../shared/tileViewerProtocol').ShownReply | undefined>;
  /** Every paint report so far (id, drawn per class, host and webview timings). */
  viewerPaints(): import('../viewer/tileViewerPanel').PaintReport[];
  /** Resolves at the next full paint (of tile id, when given). */
  viewerNextPaint(id?: string, timeoutMs?: number): Promise<import('../viewer/tileViewerPanel').PaintReport>;
  /** The gallery's cells and visible range. */
  gallerySnapshot(): Promise<import('../../shared/galleryProtocol').GallerySnapshot>;
  /** Clicks a gallery cell through the webview's own open path. */
  galleryClick(id: string): Promise<unknown>;
  /** Scrolls the gallery so that item i is in the first visible row. */
  galleryScrollTo(index: number): Promise<unknown>;
  /** Resolves when the gallery reports the next screenful drawn. */
  galleryNextPaint(timeoutMs?: number): Promise<{ first: number; count: number; ms: number }>;
  /** Extension-host heap in bytes. */
  memory(): number;
}

// Merged into the API above: the tile viewer's and gallery's test hooks.
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface VasculatureExplorerApi extends TileViewerTestApi {}
