/** The one shared tile query (filter + sort): the tile browser, dashboard, gallery and viewer all follow it. */
import * as vscode from 'vscode';
import { DEFAULT_QUERY, isEmptyFilter, type TileFilter, type TileQuery, type TileSortKey } from '../../core/dataset';
import { Disposable } from '../common/disposable';

export class TileFilterState extends Disposable {
  private query: TileQuery = { ...DEFAULT_QUERY, filter: {} };
  private readonly changed = this._register(new vscode.EventEmitter<TileQuery>());
  /** Fires with the new query after every change. */
  readonly onDidChange = this.changed.event;

  constructor(private readonly memento?: vscode.Memento) {
    super();
    const saved = memento?.get<TileQuery>('vasculatureExplorer.query');
    if (saved && typeof saved === 'object' && saved.filter) this.query = saved;
    void this.updateContext();
  }

  get current(): TileQuery {
    return this.query;
  }

  /** Replace the filter (keeps the sort). */
  setFilter(filter: TileFilter): void {
    this.set({ ...this.query, filter });
  }

  /** Merge into the filter (keeps the sort). */
  patchFilter(patch: Partial<TileFilter>): void {
    this.setFilter({ ...this.query.filter, ...patch });
  }

  setSort(sort: TileSortKey, descending?: boolean): void {
    this.set({ ...this.query, sort, descending });
  }

  clear(): void {
    this.setFilter({});
  }

  private set(q: TileQuery): void {
    this.query = q;
    void this.memento?.update('vasculatureExplorer.query', q);
    void this.updateContext();
    this.changed.fire(q);
  }

  private updateContext(): Thenable<unknown> {
    return vscode.commands.executeCommand('setContext', 'vasculatureExplorer.filterActive', !isEmptyFilter(this.query.filter));
  }
}
