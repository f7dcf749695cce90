// The Dataset Overview's data: the per-polygon pass (byte scanner + raster), aggregates,
// selection into the shared filter, its cache and CSV export.
export * from './lineScan';
export * from './overviewCache';
export * from './overviewCsv';
export * from './overviewData';
export * from './overviewRaster';
export * from './polygonPass';
export * from './selection';
