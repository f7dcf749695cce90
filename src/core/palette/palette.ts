/**
 * The product's one colour palette: annotation classes and prediction outcomes.
 *
 * Why these colours: every one has a relative luminance between 0.14 and 0.30, so it keeps at least
 * 3:1 contrast (WCAG graphics) against a light theme (#ffffff), a dark theme (#1e1e1e) and a
 * high-contrast theme (#000000); within each group the colours stay apart (CIELAB dE >= 30) for
 * normal vision and simulated protanopia, deuteranopia and tritanopia (Machado 2009).
 * Built from Okabe-Ito vermillion, blue and bluish green, Paul Tol's red and purple, and a neutral grey.
 * Classes and prediction outcomes are meant to be shown one group at a time.
 */
import type { ClassName } from '../types';

/** One palette entry. */
export interface PaletteColor {
  /** '#rrggbb', lower case. */
  hex: string;
  /** The same colour as 0-255 integers. */
  rgb: [number, number, number];
  /** What the colour stands for, for legends. */
  label: string;
}

/** Prediction outcomes against ground truth. */
export type Outcome = 'tp' | 'fp' | 'fn';

function entry(hex: string, label: string): PaletteColor {
  return { hex, rgb: [parseInt(hex.slice(1, 3), 16), parseInt(hex.slice(3, 5), 16), parseInt(hex.slice(5, 7), 16)], label };
}

/** Colour of each annotation class. */
export const CLASS_COLORS: Readonly<Record<ClassName, PaletteColor>> = Object.freeze({
  blood_vessel: entry('#d55e00', 'blood vessel'),
  glomerulus: entry('#0072b2', 'glomerulus'),
  unsure: entry('#8c8c8c', 'unsure'),
});

/** Colour of each prediction outcome (true positive, false positive, false negative). */
export const OUTCOME_COLORS: Readonly<Record<Outcome, PaletteColor>> = Object.freeze({
  tp: entry('#009e73', 'true positive'),
  fp: entry('#cc3311', 'false positive'),
  fn: entry('#aa4499', 'false negative (missed)'),
});

/** Colour of a class name; grey for a name outside the three classes. */
export function classColor(name: string): PaletteColor {
  return (CLASS_COLORS as Record<string, PaletteColor>)[name] ?? CLASS_COLORS.unsure;
}

/** 'rgba(r, g, b, a)' of a palette colour, for canvas fills. */
export function rgba(c: PaletteColor, alpha: number): string {
  return `rgba(${c.rgb[0]}, ${c.rgb[1]}, ${c.rgb[2]}, ${alpha})`;
}
