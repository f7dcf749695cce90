/**
 * Every `menus` entry of package.json (read when the test runs, so entries added later are walked
 * too), invoked the way its menu place invokes it, with that place's arguments:
 * - view/title of the tile browser: the focused row's element, or nothing when no row has focus;
 * - view/item/context: the row's element and the selection, for each kind of row its `when` shows it on;
 * - editor/title: the editor's URI (the tile viewer panel's own webview-panel: URI, the custom
 *   editor's file URI) and the editor context;
 * - explorer/context: the file's URI and the selection; webview/context: the webview's context;
 * - commandPalette and keybindings: nothing.
 * An entry fails when the command throws, shows an error, or shows a message that leaks
 * "[object …]" / "undefined" / "NaN", or leaves the shared sort invalid.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import type { VasculatureExplorerApi } from '../../../src/extension/common/api';
import { until } from '../wait';
import { closeSample, openSample, repoRoot, sample } from './sampleSession';
import { failures, invoke, opened, resetObserved, shown } from './observe';


interface MenuEntry { command: string; when?: string; group?: string }
interface Manifest {
  name: string;
  publisher: string;
  contributes: { menus?: Record<string, MenuEntry[]>; keybindings?: { command: string; when?: string }[] };
}
const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as Manifest;

/** Rows of the sample, one of each kind, with the contextValue the tree gives them. */
const ROWS: { key: string; contextValue: string }[] = [
  { key: 'wsi:4', contextValue: 'wsi' },
  { key: 'ds:2:1', contextValue: 'dataset' },
  { key: 'tile:00da70813521', contextValue: 'tile.annotated' },
  { key: 'tile:00168d1b7522', contextValue: 'tile.notAnnotated' },
  { key: 'tile:0006ff2aa7cd', contextValue: 'tile.imageMissing' },
];
const TILE = '00da70813521';

/** Whether a `viewItem` clause of a when-expression holds for a contextValue (other clauses are the menu place's). */
function viewItemMatches(when: string | undefined, contextValue: string): boolean {
  if (!when) return true;
  const re = /viewItem\s*=~\s*\/((?:\\\/|[^/])+)\/([a-z]*)/.exec(when);
  if (re) return new RegExp(re[1], re[2]).test(contextValue);
  const eq = /viewItem\s*==\s*'?([\w.-]+)'?/.exec(when);
  return eq ? eq[1] === contextValue : true;
}

/** One invocation of an entry: a name for the report and the arguments. */
interface Call { name: string; args: unknown[]; before?: () => Promise<void> }

let x: VasculatureExplorerApi;
const el = (key: string) => {
  const e = x.treeElement(key);
  assert.ok(e, `the tree has a row ${key}`);
  return e;
};

/** Opens the sample tile in the reusable tile viewer panel and waits for it to be the active tab. */
async function openPanel(): Promise<void> {
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  await vscode.commands.executeCommand('vasculatureExplorer.openTile', TILE);
  await until(() => {
    const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
    return x.viewerTile()?.id === TILE && input instanceof vscode.TabInputWebview && input.viewType.endsWith('vasculatureExplorer.tilePanel');
  }, 20_000, 'the tile viewer panel');
}

/** Opens the sample tile's file in the tile viewer custom editor. */
async function openCustomEditor(): Promise<vscode.Uri> {
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  const uri = vscode.Uri.file(path.join(sample, 'train', `${TILE}.tif`));
  await vscode.commands.executeCommand('vscode.openWith', uri, 'vasculatureExplorer.tileViewer');
  await until(() => vscode.window.tabGroups.activeTabGroup.activeTab?.input instanceof vscode.TabInputCustom, 20_000, 'the tile viewer editor');
  return uri;
}

/** A small valid submission.csv outside the (read-only) sample: the sample tile with no predictions. */
function submissionCsv(): vscode.Uri {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 've-walk-')), 'submission.csv');
  fs.writeFileSync(file, `id,height,width,prediction_string\n${TILE},512,512,\n`);
  return vscode.Uri.file(file);
}

/** The calls a menu place makes for one entry. */
function callsFor(place: string, e: MenuEntry): Call[] {
  const when = e.when ?? '';
  if (when.trim() === 'false') return [];
  const tileUri = () => vscode.Uri.file(path.join(sample, 'train', `${TILE}.tif`));
  switch (place) {
    case 'view/title':
      if (/view\s*==\s*vasculatureExplorer\.tiles\b/.test(when)) {
        return [
          { name: 'no row focused', args: [undefined] },
          { name: 'a WSI row focused', args: [el('wsi:4')] },
          { name: 'a tile row focused', args: [el(`tile:${TILE}`)] },
        ];
      }
      return [{ name: 'its view title', args: [] }];
    case 'view/item/context':
      if (/view\s*==\s*vasculatureExplorer\.tiles\b/.test(when)) {
        return ROWS.filter((r) => viewItemMatches(e.when, r.contextValue)).map((r) => ({ name: `${r.contextValue} row ${r.key}`, args: [el(r.key), [el(r.key)]] }));
      }
      return [{ name: 'a row of another view', args: [] }];
    case 'editor/title':
    case 'editor/title/context':
      if (/tileViewer|tilePanel/.test(when)) {
        return [
          { name: 'the tile viewer panel', before: openPanel, args: [vscode.Uri.from({ scheme: 'webview-panel', path: `webview-panel/webview-${TILE}` }), { groupId: vscode.window.tabGroups.activeTabGroup.viewColumn }] },
          { name: 'the tile viewer editor', before: async () => { await openCustomEditor(); }, args: [tileUri(), { groupId: 1 }] },
        ];
      }
      return [{ name: 'the active editor', args: [tileUri(), { groupId: 1 }] }];
    case 'webview/context':
      return [{ name: 'the tile viewer panel', before: openPanel, args: [{ webview: 'vasculatureExplorer.tilePanel' }] }];
    case 'explorer/context':
    case 'editor/context': {
      const uri = /csv/.test(when) ? submissionCsv() : tileUri();
      return [{ name: path.basename(uri.fsPath), args: [uri, [uri]] }];
    }
    default:
      // commandPalette and any other place: no arguments.
      return [{ name: 'no arguments', args: [], before: /tileViewer|tilePanel/.test(when) ? openPanel : undefined }];
  }
}

describe('Every menus entry of package.json, invoked as its menu place invokes it', function () {
  this.timeout(600_000);
  before(async () => { x = await openSample(); });
  after(closeSample);

  it('sees what the extension shows (the observer is wired to the extension\'s own window API)', async () => {
    resetObserved();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await invoke('vasculatureExplorer.revealActiveTile', []);
    assert.ok(shown.some((s) => /not a tile of the open dataset/.test(s.text)), JSON.stringify(shown));
  });

  const menus = manifest.contributes.menus ?? {};
  const places: [string, MenuEntry[]][] = [...Object.entries(menus), ['keybindings', (manifest.contributes.keybindings ?? []).map((k) => ({ command: k.command, when: k.when }))]];
  for (const [place, entries] of places) {
    for (const entry of entries) {
      it(`${place}: ${entry.command}${entry.group ? ` [${entry.group}]` : ''}`, async function () {
        const calls = callsFor(place, entry);
        if (calls.length === 0) return; // `when: false`: this place never shows it
        const problems: string[] = [];
        for (const c of calls) {
          await c.before?.();
          resetObserved();
          const r = await invoke(entry.command, c.args);
          if (r.error) problems.push(`${c.name}: threw ${r.error}`);
          for (const f of failures()) problems.push(`${c.name}: ${f.level} "${f.text}"`);
          const sort = x.query().sort;
          if (!['id', 'vesselCount', 'vesselArea'].includes(sort)) problems.push(`${c.name}: left the sort invalid (${JSON.stringify(sort)})`);
          console.log(`      ${c.name}: ${opened.map((o) => `${o.kind} "${o.title}"`).join(', ') || 'no picker'}; ${shown.map((s) => `${s.level} "${s.text.slice(0, 90)}"`).join(' | ') || 'no message'}`);
          await vscode.commands.executeCommand('vasculatureExplorer.clearFilter');
        }
        assert.deepEqual(problems, []);
      });
    }
  }
});
