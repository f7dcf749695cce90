/** Annotations as QuPath-compatible GeoJSON: a FeatureCollection of Polygon features with classification. */
import type { Annotation, Point, Ring } from '../types';
import { classColor } from '../palette';

export interface GeoJsonPolygon {
  type: 'Polygon';
  /** Closed rings: the last position repeats the first. */
  coordinates: Point[][];
}

export interface QuPathFeature {
  type: 'Feature';
  geometry: GeoJsonPolygon;
  properties: {
    objectType: 'annotation';
    classification: { name: string; color: [number, number, number] };
    /** QuPath shows it as the annotation's name: the tile id it came from. */
    name?: string;
  };
}

export interface FeatureCollection {
  type: 'FeatureCollection';
  features: QuPathFeature[];
}

export interface GeoJsonOptions {
  /** Added to every point, e.g. the tile's (i, j) offset to place it on its whole-slide image. */
  offset?: Point;
  /** Written as each feature's name. */
  tileId?: string;
}

/** A ring closed GeoJSON-style (first position repeated at the end), optionally shifted. */
export function closeRing(ring: Ring, offset: Point = [0, 0]): Point[] {
  const out: Point[] = ring.map(([x, y]) => [x + offset[0], y + offset[1]]);
  if (out.length > 0) {
    const [fx, fy] = out[0], [lx, ly] = out[out.length - 1];
    if (fx !== lx || fy !== ly) out.push([fx, fy]);
  }
  return out;
}

/**
 * One QuPath annotation feature per polygon. Coordinates are the polygons.jsonl vertices unchanged
 * (pixel indices, x = column, y = row), plus the optional offset.
 */
export function annotationsToGeoJson(anns: readonly Annotation[], opts: GeoJsonOptions = {}): FeatureCollection {
  return {
    type: 'FeatureCollection',
    features: anns.map((a) => ({
      type: 'Feature',
      geometry: { type: 'Polygon', coordinates: a.rings.map((r) => closeRing(r, opts.offset)) },
      properties: {
        objectType: 'annotation',
        classification: { name: a.type, color: [...classColor(a.type).rgb] as [number, number, number] },
        ...(opts.tileId !== undefined ? { name: opts.tileId } : {}),
      },
    })),
  };
}
