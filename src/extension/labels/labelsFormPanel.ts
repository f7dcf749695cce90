/** The "Prepare Training Data" form panel: strict CSP, validated messages, Browse… for the output folder; a submit goes to the runner. */
import * as vscode from 'vscode';
import { FormRequests, validateFromFormWebview, type FormRequest, type LabelsFormValues, type ToFormWebview, type FormPreset } from '../../shared/labelsFormProtocol';
import { Disposable } from '../common/disposable';
import { webviewShellHtml } from '../common/webviewShell';
import { log } from '../common/log';

export const LABELS_FORM_VIEW_TYPE = 'vasculatureExplorer.labelsForm';

function formHtml(webview: vscode.Webview, extensionUri: vscode.Uri): string {
  return webviewShellHtml(webview, extensionUri, { script: 'labelsForm', css: 'labelsForm', title: 'Prepare Training Data', body: '<div id="app" data-state="loading">Loading the form…</div>' });
}

export interface FormDeps {
  extensionUri: vscode.Uri;
  /** The starting values, presets and the dataset's name. */
  init: () => { values: LabelsFormValues; presets: FormPreset[]; dataset: string };
  /** Run with the submitted values; resolves with the text to show in the form when done. */
  run: (values: LabelsFormValues, panel: LabelsFormPanel) => Promise<void>;
}

export class LabelsFormPanel extends Disposable {
  private static current: LabelsFormPanel | undefined;
  private readonly panel: vscode.WebviewPanel;
  private readonly requests: FormRequests<FormRequest>;
  private running = false;

  /** Show the form (one at a time). */
  static show(deps: FormDeps): LabelsFormPanel {
    if (LabelsFormPanel.current) {
      LabelsFormPanel.current.panel.reveal(vscode.ViewColumn.Active);
      return LabelsFormPanel.current;
    }
    const panel = vscode.window.createWebviewPanel(LABELS_FORM_VIEW_TYPE, 'Prepare Training Data', vscode.ViewColumn.Active, {
      enableScripts: true,
      localResourceRoots: [vscode.Uri.joinPath(deps.extensionUri, 'dist'), vscode.Uri.joinPath(deps.extensionUri, 'media')],
    });
    LabelsFormPanel.current = new LabelsFormPanel(panel, deps);
    return LabelsFormPanel.current;
  }

  static get open(): LabelsFormPanel | undefined {
    return LabelsFormPanel.current;
  }

  private constructor(panel: vscode.WebviewPanel, private readonly deps: FormDeps) {
    super();
    this.panel = this._register(panel);
    this.requests = new FormRequests<FormRequest>((m) => void this.post(m));
    this._register({ dispose: () => this.requests.dispose() });
    panel.iconPath = vscode.Uri.joinPath(deps.extensionUri, 'media', 'activity.svg');
    panel.webview.html = formHtml(panel.webview, deps.extensionUri);
    this._register(panel.onDidDispose(() => {
      if (LabelsFormPanel.current === this) LabelsFormPanel.current = undefined;
      this.dispose();
    }));
    this._register(panel.webview.onDidReceiveMessage((raw: unknown) => {
      const v = validateFromFormWebview(raw);
      if (!v.ok) {
        log().warn(`Prepare Training Data: rejected a message from the form (${v.error}).`);
        if (typeof raw === 'object' && raw !== null && (raw as { type?: unknown }).type === 'submit') void this.setRunState(false, `Not started: ${v.error}.`, false);
        return;
      }
      const m = v.message;
      if (m.type === 'ready') void this.post({ type: 'init', ...this.deps.init() });
      else if (m.type === 'response') this.requests.handleResponse(m);
      else if (m.type === 'browse') void this.browse();
      else if (m.type === 'submit' && !this.running) {
        this.running = true;
        void this.deps.run(m.values, this).catch((e: unknown) => log().error(`Prepare Training Data: ${e instanceof Error ? e.stack ?? e.message : String(e)}`)).finally(() => { this.running = false; });
      }
    }));
  }

  /** Tell the form whether a run is going and how the last one ended. */
  setRunState(running: boolean, text?: string, ok?: boolean): Thenable<boolean> {
    return this.post({ type: 'runState', running, ...(text !== undefined ? { text } : {}), ...(ok !== undefined ? { ok } : {}) });
  }

  /** Ask the form (tests fill and submit through its own controls). */
  request<T>(r: FormRequest): Promise<T> {
    return this.requests.request<T>(r);
  }

  private async browse(): Promise<void> {
    const picked = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, canSelectMany: false, openLabel: 'Write Training Data Here', title: 'Output folder for the training data' });
    if (picked?.[0]) await this.post({ type: 'out', out: picked[0].fsPath });
  }

  private post(m: ToFormWebview): Thenable<boolean> {
    return this.panel.webview.postMessage(m);
  }
}
