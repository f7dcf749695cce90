/**
 * The tile viewer's pixels on the wire: an opaque image crosses to the webview as RGB (3 bytes a
 * pixel, a quarter fewer than RGBA) and is expanded back to RGBA there. Lossless: exact pixels.
 */

/** RGB bytes of an RGBA image whose every alpha is 255; undefined when some pixel is not opaque. */
export function packOpaqueRgb(rgba: Uint8Array): Uint8Array | undefined {
  const n = rgba.length >> 2;
  const rgb = new Uint8Array(n * 3);
  for (let p = 0, o = 0, q = 0; p < n; p++, o += 4, q += 3) {
    if (rgba[o + 3] !== 255) return undefined;
    rgb[q] = rgba[o];
    rgb[q + 1] = rgba[o + 1];
    rgb[q + 2] = rgba[o + 2];
  }
  return rgb;
}

/** RGBA bytes (alpha 255) of `pixels` RGB pixels. */
export function expandRgb(rgb: Uint8Array, pixels: number): Uint8Array {
  if (rgb.length !== pixels * 3) throw new Error(`tile viewer: ${rgb.length} RGB bytes for ${pixels} pixels (expected ${pixels * 3})`);
  const out = new Uint8Array(pixels * 4);
  const words = new Uint32Array(out.buffer);
  // Little-endian (every browser and Node on x86/ARM): byte order R, G, B, A in one 32-bit store.
  for (let p = 0, q = 0; p < pixels; p++, q += 3) words[p] = 0xff000000 | (rgb[q + 2] << 16) | (rgb[q + 1] << 8) | rgb[q];
  return out;
}
