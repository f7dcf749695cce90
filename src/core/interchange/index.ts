// Files other tools read: COCO JSON (export and import), QuPath GeoJSON, mask PNGs, and the
// export of a selection.
export * from './cocoExport';
export * from './cocoFileNameCheck';
export * from './cocoImport';
export * from './exportSelection';
export * from './geojsonExport';
export * from './maskExport';
