// Tile pixels: decoding .tif/.tiff/.png tiles with sharp (odd depths, pyramids, regions) and
// the thumbnail cache.
export * from './thumbnailCache';
export * from './tileImage';
export * from './tiffDirectories';
