// Rings and masks: area, bounds, scanline rasterising (Pillow's fill rule), instance masks,
// mask IoU, contours, connected components, watershed and distance transform.
export * from './connectedComponents';
export * from './instanceMask';
export * from './maskContour';
export * from './maskIou';
export * from './rasterize';
export * from './ringGeometry';
export * from './watershed';
