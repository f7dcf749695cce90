/** Colours for the dashboard, read from the --vscode-* CSS variables at draw time (so a theme change only needs a redraw). */
import { CLASS_COLORS } from '../../src/core/palette/index.js';
import type { ColorRef } from '../../src/core/types/index.js';
import type { ClassName } from '../../src/core/types/index.js';

/** The value of a CSS variable on body, or the fallback when the theme does not define it. */
export function cssVar(name: string, fallback: string): string {
  const v = getComputedStyle(document.body).getPropertyValue(name).trim();
  return v || fallback;
}

const CLASS_VAR: Record<ClassName, string> = {
  blood_vessel: '--vscode-vasculatureExplorer-bloodVessel',
  glomerulus: '--vscode-vasculatureExplorer-glomerulus',
  unsure: '--vscode-vasculatureExplorer-unsure',
};
const DATASET_VAR: Record<string, [string, string]> = {
  '1': ['--vscode-charts-blue', '#3794ff'],
  '2': ['--vscode-charts-purple', '#b180d7'],
  '3': ['--vscode-charts-green', '#89d185'],
  // Beyond the three datasets: the folds section's folds 4-6.
  '4': ['--vscode-charts-orange', '#d18616'],
  '5': ['--vscode-charts-red', '#f14c4c'],
  '6': ['--vscode-charts-yellow', '#cca700'],
};

/** The colour a chart series names by role: the product's class colours, or a chart colour per dataset. */
export function resolveColor(ref: ColorRef): string {
  const [kind, key] = ref.split(':') as [string, string];
  if (kind === 'class') return cssVar(CLASS_VAR[key as ClassName] ?? CLASS_VAR.unsure, (CLASS_COLORS as Record<string, { hex: string }>)[key]?.hex ?? '#8c8c8c');
  const [v, fb] = DATASET_VAR[key] ?? ['--vscode-charts-yellow', '#cca700'];
  return cssVar(v, fb);
}

let probe: CanvasRenderingContext2D | null | undefined;

/** The colour with alpha a (any CSS colour in; 'rgba(...)' out). */
export function withAlpha(color: string, a: number): string {
  probe ??= document.createElement('canvas').getContext('2d');
  if (!probe) return color;
  probe.fillStyle = '#000';
  probe.fillStyle = color;
  const c = String(probe.fillStyle);
  let r = 0, g = 0, b = 0, a0 = 1;
  const hex = /^#([0-9a-f]{6})$/i.exec(c);
  if (hex) {
    const n = parseInt(hex[1], 16);
    r = n >> 16; g = (n >> 8) & 255; b = n & 255;
  } else {
    const m = /rgba?\(([^)]+)\)/.exec(c);
    if (m) [r, g, b, a0 = 1] = m[1].split(',').map((s) => Number(s.trim()));
  }
  return `rgba(${r}, ${g}, ${b}, ${a * a0})`;
}

/** Text, grid and border colours and the font of the current theme. */
export function themeBasics(): { fg: string; muted: string; grid: string; border: string; bg: string; font: string; fontSize: number; highContrast: boolean } {
  const cls = document.body.classList;
  return {
    fg: cssVar('--vscode-foreground', '#cccccc'),
    muted: cssVar('--vscode-descriptionForeground', '#999999'),
    grid: cssVar('--vscode-charts-lines', 'rgba(128, 128, 128, 0.35)'),
    border: cssVar('--vscode-contrastBorder', ''),
    bg: cssVar('--vscode-editor-background', '#1e1e1e'),
    font: cssVar('--vscode-font-family', 'sans-serif'),
    fontSize: parseFloat(cssVar('--vscode-font-size', '13')) || 13,
    highContrast: cls.contains('vscode-high-contrast') || cls.contains('vscode-high-contrast-light'),
  };
}

/** The theme kind from body's class (vscode-light, vscode-dark, vscode-high-contrast[-light]). */
export function themeKind(): string {
  const cls = document.body.classList;
  for (const k of ['vscode-high-contrast-light', 'vscode-high-contrast', 'vscode-dark', 'vscode-light']) if (cls.contains(k)) return k;
  return 'unknown';
}
