// The Dataset Overview's data: the polygon pass read from the index (whose one pass over
// polygons.jsonl computed it), aggregates, selection into the shared filter and CSV export.
export * from './overviewCsv';
export * from './overviewData';
export * from './polygonPass';
export * from './selection';
