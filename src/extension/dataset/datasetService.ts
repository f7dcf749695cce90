/** Finds the dataset folder, indexes it (through the cache, with progress and cancel) and re-indexes on change. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { indexOffThread } from '../../core/dataset';
import { findDatasetFolders, POLYGONS_FILE, TILE_META_FILE, WSI_META_FILE } from '../../core/dataset';
import { nodeFileReader } from '../../core/dataset';
import { loadCachedIndex } from '../../core/dataset';
import type { DatasetIndex } from '../../core/types';
import { Disposable } from '../common/disposable';
import { log } from '../common/log';

export interface IndexEvent {
  index: DatasetIndex;
  fromCache: boolean;
  ms: number;
}

export class DatasetService extends Disposable {
  private current: DatasetIndex | undefined;
  private watchers: vscode.Disposable[] = [];
  private pending: NodeJS.Timeout | undefined;
  private running: Promise<DatasetIndex | undefined> | undefined;
  private readonly changed = this._register(new vscode.EventEmitter<IndexEvent>());
  /** Fires after every (re)index. */
  readonly onDidIndex = this.changed.event;

  constructor(private readonly storageDir: string) {
    super();
    this._register({ dispose: () => this.disposeWatchers() });
  }

  get index(): DatasetIndex | undefined {
    return this.current;
  }

  get root(): string | undefined {
    return this.current?.root;
  }

  /** Find a dataset folder from the setting or the workspace folders. */
  async discover(): Promise<string | undefined> {
    const configured = vscode.workspace.getConfiguration('vasculatureExplorer').get<string>('datasetFolder');
    if (configured) return path.resolve(configured);
    for (const f of vscode.workspace.workspaceFolders ?? []) {
      if (f.uri.scheme !== 'file') continue;
      const found = await findDatasetFolders(nodeFileReader, f.uri.fsPath, 2);
      if (found.length > 0) return found[0];
    }
    return undefined;
  }

  /** Open (index) a dataset folder with a progress notification that can be cancelled. */
  async open(root: string, opts: { force?: boolean; silent?: boolean } = {}): Promise<DatasetIndex | undefined> {
    if (this.running) await this.running.catch(() => undefined);
    this.running = this.doOpen(path.resolve(root), opts);
    try {
      return await this.running;
    } finally {
      this.running = undefined;
    }
  }

  private async doOpen(root: string, opts: { force?: boolean; silent?: boolean }): Promise<DatasetIndex | undefined> {
    const t0 = performance.now();
    if (!opts.force) {
      const cached = await loadCachedIndex(this.storageDir, root).catch(() => undefined);
      if (cached) {
        this.publish(cached, true, t0);
        return cached;
      }
    }
    const run = async (token?: vscode.CancellationToken) => {
      const ac = new AbortController();
      token?.onCancellationRequested(() => ac.abort());
      // Off the extension host's thread: the pass over polygons.jsonl (and the Overview's per-tile statistics) and the cache write run in a worker.
      const { index, ranIn, cacheError } = await indexOffThread(root, { signal: ac.signal, cacheDir: this.storageDir });
      log().info(`Indexed ${root} (pass ran in the ${ranIn}).`);
      if (cacheError) log().warn(`Could not write the index cache: ${cacheError}`);
      return index;
    };
    try {
      const index = opts.silent
        ? await run()
        : await vscode.window.withProgress(
            { location: vscode.ProgressLocation.Notification, title: `Indexing ${path.basename(root)}…`, cancellable: true },
            (_p, token) => run(token),
          );
      this.publish(index, false, t0);
      return index;
    } catch (e) {
      if (e instanceof Error && e.name === 'AbortError') {
        log().info(`Indexing of ${root} cancelled.`);
        void vscode.window.showInformationMessage('Dataset indexing was cancelled. Run "Vasculature: Re-index Dataset" to index it again.');
        return undefined;
      }
      log().error(`Indexing ${root} failed: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
      void vscode.window.showErrorMessage(`Vasculature Explorer could not index ${root}: ${e instanceof Error ? e.message : String(e)}`);
      return undefined;
    }
  }

  private publish(index: DatasetIndex, fromCache: boolean, t0: number): void {
    const ms = performance.now() - t0;
    const rootChanged = this.current?.root !== index.root;
    this.current = index;
    log().info(`Indexed ${index.root}${fromCache ? ' (from cache)' : ''} in ${ms.toFixed(0)} ms: ${index.tiles.size} tiles, ${index.problems.length} problems.`);
    if (rootChanged) this.watch(index.root);
    void vscode.commands.executeCommand('setContext', 'vasculatureExplorer.datasetOpen', true);
    this.changed.fire({ index, fromCache, ms });
  }

  /** Re-index when any input changes (debounced: a save fires several events). */
  private watch(root: string): void {
    this.disposeWatchers();
    const inWorkspace = (vscode.workspace.workspaceFolders ?? []).some((f) => f.uri.scheme === 'file' && !path.relative(f.uri.fsPath, root).startsWith('..'));
    if (!inWorkspace) {
      // VS Code's watcher does not reliably report folders outside the workspace (code-server, remote): use Node's.
      for (const dir of [root, path.join(root, 'train'), path.join(root, 'test')]) {
        try {
          const inputs = new Set([POLYGONS_FILE, TILE_META_FILE, WSI_META_FILE]);
          const w = fs.watch(dir, (_event, name) => {
            const n = String(name ?? '');
            if (dir === root ? inputs.has(n) : /\.(tiff?|png)$/i.test(n)) this.schedule(vscode.Uri.file(path.join(dir, n)));
          });
          w.on('error', () => w.close());
          this.watchers.push({ dispose: () => w.close() });
        } catch {
          // a missing train/ or test/ folder: nothing to watch there
        }
      }
      return;
    }
    const base = vscode.Uri.file(root);
    const patterns = [`{${POLYGONS_FILE},${TILE_META_FILE},${WSI_META_FILE}}`, '{train,test}/*.{tif,tiff,png,TIF,TIFF,PNG}'];
    for (const p of patterns) {
      const w = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(base, p));
      const poke = (uri: vscode.Uri) => this.schedule(uri);
      this.watchers.push(w, w.onDidChange(poke), w.onDidCreate(poke), w.onDidDelete(poke));
    }
  }

  private schedule(uri: vscode.Uri): void {
    log().debug(`Changed: ${uri.fsPath}`);
    if (this.pending) clearTimeout(this.pending);
    this.pending = setTimeout(() => {
      this.pending = undefined;
      if (this.current) void this.open(this.current.root, { force: true, silent: true });
    }, 300);
  }

  private disposeWatchers(): void {
    if (this.pending) clearTimeout(this.pending);
    for (const w of this.watchers) w.dispose();
    this.watchers = [];
  }
}
