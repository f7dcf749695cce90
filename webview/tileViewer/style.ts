/** The tile viewer's CSS (injected with the page's nonce; theme through --vscode-* variables). */
export const VIEWER_CSS = `
html, body { height: 100%; margin: 0; padding: 0; overflow: hidden; }
body { display: flex; flex-direction: column; color: var(--vscode-foreground); background: var(--vscode-editor-background); font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); }
.toolbar { display: flex; flex-wrap: wrap; align-items: center; gap: 6px 10px; padding: 4px 8px; border-bottom: 1px solid var(--vscode-panel-border, transparent); }
.toolbar button { color: var(--vscode-button-secondaryForeground); background: var(--vscode-button-secondaryBackground); border: 1px solid var(--vscode-button-border, transparent); padding: 2px 8px; cursor: pointer; }
.toolbar button:hover { background: var(--vscode-button-secondaryHoverBackground); }
.toolbar button:disabled { opacity: 0.5; cursor: default; }
.toolbar select { color: var(--vscode-dropdown-foreground); background: var(--vscode-dropdown-background); border: 1px solid var(--vscode-dropdown-border, transparent); }
.toolbar .title { font-weight: 600; }
.toolbar .group { display: inline-flex; gap: 8px; }
.cls { display: inline-flex; align-items: center; gap: 3px; cursor: pointer; }
.swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px; }
.stage { flex: 1; position: relative; min-height: 0; }
.stage canvas { position: absolute; inset: 0; cursor: crosshair; outline: none; }
.status, .note { padding: 3px 8px; font-size: 12px; color: var(--vscode-descriptionForeground); border-top: 1px solid var(--vscode-panel-border, transparent); min-height: 16px; }
.note { color: var(--vscode-editorWarning-foreground); border-top: none; }
.error { margin: 24px; padding: 12px 16px; border-left: 4px solid var(--vscode-editorError-foreground); background: var(--vscode-inputValidation-errorBackground, transparent); color: var(--vscode-foreground); white-space: pre-wrap; }
.pred-header { display: flex; flex-wrap: wrap; align-items: center; gap: 4px 6px; padding: 3px 8px; font-size: 12px; color: var(--vscode-foreground); border-bottom: 1px solid var(--vscode-panel-border, transparent); cursor: help; }
.pred-header .pred-text { font-weight: 600; margin-right: 8px; }
.pred-header .pred-key { width: 4px; }
.pred-swatch { background: transparent; border: 2.5px solid; box-sizing: border-box; }
.pred-swatch.pred-ignored { border-style: dashed; }
[hidden] { display: none !important; }
`;
