/**
 * The one adapter over @vscode/webview-ui-toolkit (deprecated upstream): panels build controls only
 * through these functions, so replacing the toolkit is a change to this folder alone. Every text
 * goes in through textContent, never HTML.
 */
import {
  provideVSCodeDesignSystem,
  vsCodeBadge,
  vsCodeButton,
  vsCodeCheckbox,
  vsCodeDataGrid,
  vsCodeDataGridCell,
  vsCodeDataGridRow,
  vsCodeDivider,
  vsCodeDropdown,
  vsCodeLink,
  vsCodeOption,
  vsCodeTextField,
} from '@vscode/webview-ui-toolkit';

let registered = false;

/** Registers the custom elements once. */
export function registerToolkit(): void {
  if (registered) return;
  registered = true;
  provideVSCodeDesignSystem().register(
    vsCodeBadge(), vsCodeButton(), vsCodeCheckbox(), vsCodeDataGrid(), vsCodeDataGridRow(), vsCodeDataGridCell(),
    vsCodeDivider(), vsCodeDropdown(), vsCodeLink(), vsCodeOption(),
    vsCodeTextField(),
  );
}

function el(tag: string, text?: string): HTMLElement {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  return e;
}

/** A button; appearance 'secondary' or 'icon' for less prominent actions. */
export function button(label: string, onClick: () => void, opts: { appearance?: 'primary' | 'secondary'; title?: string } = {}): HTMLElement {
  const b = el('vscode-button', label);
  if (opts.appearance) b.setAttribute('appearance', opts.appearance);
  if (opts.title) b.title = opts.title;
  b.addEventListener('click', onClick);
  return b;
}

/** A checkbox that calls onChange with its new state. */
export function checkbox(label: string, checked: boolean, onChange: (checked: boolean) => void): HTMLElement {
  const c = el('vscode-checkbox', label) as HTMLElement & { checked: boolean };
  if (checked) c.setAttribute('checked', '');
  c.addEventListener('change', () => onChange(!!c.checked));
  return c;
}

/** A drop-down of (value, label) options. */
export function dropdown(options: readonly { value: string; label: string }[], value: string, onChange: (value: string) => void, ariaLabel?: string): HTMLElement {
  const d = el('vscode-dropdown') as HTMLElement & { value: string };
  if (ariaLabel) d.setAttribute('aria-label', ariaLabel);
  for (const o of options) {
    const opt = el('vscode-option', o.label);
    opt.setAttribute('value', o.value);
    if (o.value === value) opt.setAttribute('selected', '');
    d.appendChild(opt);
  }
  d.addEventListener('change', () => onChange(d.value));
  return d;
}

/** A link-styled action. */
export function link(text: string, onClick: () => void, title?: string): HTMLElement {
  const a = el('vscode-link', text);
  a.setAttribute('href', '#');
  if (title) a.title = title;
  a.addEventListener('click', (e) => {
    e.preventDefault();
    onClick();
  });
  return a;
}

/** A small count badge. */
export function badge(text: string): HTMLElement {
  return el('vscode-badge', text);
}

/** A horizontal divider. */
export function divider(): HTMLElement {
  return el('vscode-divider');
}

/** A read-only table: one header row, then rows of plain-text cells. */
export function dataGrid(headers: readonly string[], rows: readonly string[][], ariaLabel: string): HTMLElement {
  const g = el('vscode-data-grid');
  g.setAttribute('aria-label', ariaLabel);
  g.setAttribute('generate-header', 'none');
  const row = (cells: readonly string[], header: boolean) => {
    const r = el('vscode-data-grid-row');
    if (header) r.setAttribute('row-type', 'header');
    cells.forEach((text, k) => {
      const c = el('vscode-data-grid-cell', text);
      if (header) c.setAttribute('cell-type', 'columnheader');
      c.setAttribute('grid-column', String(k + 1));
      r.appendChild(c);
    });
    g.appendChild(r);
  };
  row(headers, true);
  for (const r of rows) row(r, false);
  return g;
}

/** A one-line text field (label = its accessible name); onChange gets the text on every edit. */
export function textField(label: string, value: string, onChange: (value: string) => void, opts: { size?: number; title?: string } = {}): HTMLElement {
  const f = el('vscode-text-field') as HTMLElement & { value: string };
  f.setAttribute('value', value);
  f.setAttribute('aria-label', label);
  if (opts.size) f.setAttribute('size', String(opts.size));
  if (opts.title) f.title = opts.title;
  f.addEventListener('input', () => onChange(f.value));
  return f;
}
