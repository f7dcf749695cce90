// Tuning post-processing against the real metric: the model-output cache, the grid, the shared-work
// sweep on worker threads, folds files, per-WSI / per-fold AP and the best cells by mean and worst fold.
export * from './cacheFill';
export * from './foldsCsv';
export * from './gridSpec';
export * from './outputCache';
export * from './sweepJob';
export * from './sweepPool';
export * from './sweepScore';
export * from './sweepTile';
export * from './tuneDataset';
export * from './submissionsLog';
