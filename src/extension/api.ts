/** What activate() returns: used by the integration tests and by other extensions. */
import type { DatasetIndex } from '../core/types';
import type { TileQuery } from '../core/tileQuery';

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
}
