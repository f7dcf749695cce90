// Validating one file of any known kind (polygons.jsonl, tile_meta.csv, a submission, COCO JSON,
// a tile image) for the CLI's validate and the Problems panel.
export * from './fileCheck';
