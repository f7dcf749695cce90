/**
 * Text from a data file made safe for where it goes: a file name (tile ids), a terminal line
 * (control and bidi characters), a Markdown string. Browser-safe: no Node modules.
 */

/** A real tile id: 12 lowercase hex characters (the image's file name without .tif). */
export const TILE_ID_RE = /^[0-9a-f]{12}$/;

/** Whether an id is a real tile id, and so a file name as it is. */
export function isTileId(id: string): boolean {
  return TILE_ID_RE.test(id);
}

/** 64-bit FNV-1a of a string's UTF-16 code units, as 16 hex digits (two 32-bit halves with different offsets). */
export function fnv1a64Hex(s: string): string {
  let h1 = 0x811c9dc5, h2 = 0xcbf29ce4;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193) >>> 0;
    h2 = Math.imul(h2 ^ c ^ (h1 >>> 24), 0x01000193) >>> 0;
  }
  return h1.toString(16).padStart(8, '0') + h2.toString(16).padStart(8, '0');
}

/**
 * The file name (without extension) an id is written under: a tile id as it is; anything else as
 * `id-<up to 40 of its letters, digits, _ and ->-<64-bit hash of the whole id>`, lower case. The
 * result is never empty, never holds a path separator, dot, control, bidi or reserved character,
 * is at most 60 characters, and two different ids give two different names (barring a hash
 * collision), also on case-insensitive file systems.
 */
export function safeFileName(id: string): string {
  if (isTileId(id)) return id;
  const readable = id.replace(/[^A-Za-z0-9_-]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 40).toLowerCase();
  return `id-${readable ? `${readable}-` : ''}${fnv1a64Hex(id)}`;
}

/** Characters a terminal (or a log line) must not get raw: C0/C1 controls, DEL, bidi controls, line/paragraph separators. */
// eslint-disable-next-line no-control-regex
const UNSAFE_TEXT_RE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/g;

/** Whether text holds a character escapeControls would change (newline and tab included). */
export function hasUnsafeText(s: string): boolean {
  UNSAFE_TEXT_RE.lastIndex = 0;
  return UNSAFE_TEXT_RE.test(s) || /[\n\t]/.test(s);
}

/**
 * Escapes control and bidi characters as \uXXXX (valid inside JSON strings, readable in a
 * terminal), so an ESC sequence or an RTL override in an id cannot retitle or clear a terminal or
 * reorder what is printed. Newlines and tabs are kept when keepLayout is true (whole output
 * blocks), else escaped too (one field).
 */
export function escapeControls(s: string, keepLayout = false): string {
  const out = s.replace(UNSAFE_TEXT_RE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return keepLayout ? out : out.replace(/[\n\t]/g, (c) => (c === '\n' ? '\\u000a' : '\\u0009'));
}

/** A data value for one line of a message: controls escaped, clipped to max characters. */
export function displayText(s: string, max = 80): string {
  const e = escapeControls(s);
  return e.length > max ? `${e.slice(0, max - 1)}…` : e;
}

/** Escapes Markdown's special characters (and controls), so a value shows as text in a hover or a report, never as a link or markup. */
export function escapeMarkdown(s: string): string {
  return escapeControls(s).replace(/[\\`*_{}[\]()<>#+\-.!|~&]/g, (c) => `\\${c}`);
}

/** A data value inside a VS Code notification or progress message: controls escaped, and no `[text](link)` survives (those render as links there). */
export function escapeNotification(s: string): string {
  return escapeControls(s).replace(/\]\s*\(/g, '] (');
}
