// Training data from the annotations: dataset versions, masks / label maps / instance maps,
// YOLO-seg and COCO per fold, images, manifest and README of the output folder.
export * from './cocoSplits';
export * from './contextTiles';
export * from './contextWriter';
export * from './labelOptions';
export * from './labelRaster';
export * from './manifest';
export * from './outputFolder';
export * from './pngEncode';
export * from './prepareLabels';
export * from './tileLabels';
export * from './tileWriter';
export * from './yoloLabels';
