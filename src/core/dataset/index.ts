// Reading a competition folder: layout, polygons.jsonl, tile_meta.csv, wsi_meta.csv, the index,
// its cache, the Problems codes, summaries and the shared tile filter.
export * from './datasetIndex';
export * from './datasetLayout';
export * from './datasetSummary';
export * from './fileReader';
export * from './indexCache';
export * from './indexInWorker';
export * from './lineReader';
export * from './polygonCaps';
export * from './polygonsJsonl';
export * from './tileMetaCsv';
export * from './tileQuery';
export * from './wsiMetaCsv';
export * from './coverageRaster';
export * from './csvProblems';
export * from './flatAnnotations';
export * from './polygonScan';
export * from './tileStats';
