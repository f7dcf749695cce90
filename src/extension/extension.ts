/** Activation: wires the dataset service, Problems, tile browser, status bar and commands. Heavy modules load on first use. */
import * as vscode from 'vscode';
import type { VasculatureExplorerApi } from './common/api';
import { registerDashboard } from './overview/dashboardCommands';
import { DatasetService } from './dataset/datasetService';
import { log } from './common/log';
import { registerPredict } from './predict/predictRegistration';
import { registerLabels } from './labels/prepareCommand';
import { ProblemsPublisher } from './dataset/problemsPublisher';
import { DatasetStatusBar } from './dataset/statusBar';
import { activeResource, registerTileCommands, tileIdOfUri } from './tree/tileCommands';
import { TileFilterState } from './tree/tileFilterState';
import { describeFilter, isEmptyFilter } from '../core/dataset';
import { TileTreeProvider, type TileNode } from './tree/tileTree';
import { registerTileViewer } from './viewer/tileViewerRegistration';
import { registerStain } from './stain/stainRegistration';
import { registerTuning } from './tuning/tuningRegistration';
import { registerTraining } from './training/trainCommands';
import type { DatasetIndex } from '../core/types';
import { registerLimitsSettings } from './common/limitsSettings';

export async function activate(context: vscode.ExtensionContext): Promise<VasculatureExplorerApi> {
  context.subscriptions.push(registerLimitsSettings()); // caps on hostile input, before anything is read
  const storage = (context.storageUri ?? context.globalStorageUri).fsPath;
  const service = new DatasetService(storage);
  const problems = new ProblemsPublisher();
  const filter = new TileFilterState(context.workspaceState);
  let view: vscode.TreeView<TileNode> | undefined;
  const tree = new TileTreeProvider(filter, () => view);
  view = vscode.window.createTreeView('vasculatureExplorer.tiles', { treeDataProvider: tree, showCollapseAll: true });
  const status = new DatasetStatusBar();
  context.subscriptions.push(log(), service, problems, filter, tree, view, status);

  const waiters: ((i: DatasetIndex) => void)[] = [];
  // Predict: its store (get/onDidChange per tile) is what the viewer's prediction layer and the dashboard read.
  const predict = registerPredict({ context, service, ordered: () => tree.ordered, filterText: () => describeFilter(filter.current.filter) });
  context.subscriptions.push(...predict.disposables);
  // Stain: statistics (worker, cached beside the index), Compute Stain Statistics…, the Stain panel that follows the viewer's tile, the dashboard's stain section.
  const stain = registerStain({ extensionUri: context.extensionUri, storageDir: storage, index: () => service.index, viewerTileId: () => viewerApi.viewerTile()?.id });
  context.subscriptions.push(...stain.disposables);
  const tuning = registerTuning({ context, service });
  context.subscriptions.push(...tuning.disposables);
  const training = registerTraining({ context, datasetRoot: () => service.root });
  context.subscriptions.push(...training.disposables);
  const labels = registerLabels({ extensionUri: context.extensionUri, service, version: String((context.extension.packageJSON as { version?: string }).version ?? 'unknown'),
    filter: () => (isEmptyFilter(filter.current.filter) ? undefined : { ids: tree.ordered.map((t) => t.id), description: describeFilter(filter.current.filter) }) });
  context.subscriptions.push(...labels.disposables);
  const dashboard = registerDashboard({ extensionUri: context.extensionUri, service, filter, storageDir: storage, batches: predict.store, folds: labels.folds, onDidChangeFolds: labels.onDidRun, tuning: tuning.dashboard, stain: stain.dashboard, memento: context.workspaceState });
  context.subscriptions.push(
    service.onDidIndex(({ index }) => {
      problems.publish(index);
      tree.setIndex(index);
      status.update(index);
      for (const w of waiters.splice(0)) w(index);
    }),
    ...registerTileCommands({ service, filter, tree, view }),
    ...dashboard.disposables,
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('vasculatureExplorer.problems.showInfo') && service.index) problems.publish(service.index);
      if (e.affectsConfiguration('vasculatureExplorer.tree.pageSize')) tree.rebuild();
      if (e.affectsConfiguration('vasculatureExplorer.datasetFolder')) void service.discover().then((r) => (r ? service.open(r) : undefined));
    }),
    vscode.window.tabGroups.onDidChangeTabs(() => {
      // Follow the active tile in the tree when the view is visible.
      const id = tileIdOfUri(activeResource(), service.root);
      if (id && view?.visible) void vscode.commands.executeCommand('vasculatureExplorer.revealActiveTile', id, true);
    }),
  );

  const viewerApi = registerTileViewer({ context, index: () => service.index, ordered: () => tree.ordered, query: () => filter.current, events: [service.onDidIndex, filter.onDidChange], onDidIndex: service.onDidIndex, predictions: predict.store,
    // Follow the tile viewer panel in the tree: its tab shows no file, and a re-targeted panel
    // changes only its title.
    onShowTile: (id) => { if (view?.visible) void vscode.commands.executeCommand('vasculatureExplorer.revealActiveTile', id, true); stain.followTile(id); } });

  // Index in the background; activation itself stays cheap.
  void service.discover().then((root) => {
    if (root) return service.open(root);
    log().info('No dataset folder found in the workspace.');
    return undefined;
  });

  const rows = (nodes: TileNode[]) => nodes.map((n) => {
    const it = tree.getTreeItem(n);
    return { key: n.key, label: String(it.label), description: String(it.description ?? '') };
  });
  return {
    index: () => service.index,
    nextIndex: () => new Promise((resolve) => waiters.push(resolve)),
    treeRoots: () => tree.snapshot(),
    treeChildren: (key) => {
      const parent = [...tree.getChildren(), ...tree.getChildren().flatMap((n) => tree.getChildren(n))].find((n) => n.key === key);
      return parent ? rows(tree.getChildren(parent)) : [];
    },
    query: () => filter.current,
    orderedTileIds: () => tree.ordered.map((t) => t.id),
    treeSelection: () => (view?.selection ?? []).map((n) => (n.kind === 'tile' ? n.tile.id : n.key)),
    treeElement: (key) => tree.elementForKey(key),
    dashboard: dashboard.hooks,
    predict: predict.hooks,
    stain: stain.hooks,
    tuning: tuning.hooks,
    training: training.hooks,
    labels: labels.hooks,
    ...viewerApi,
  };
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
