// Validation folds: the schemes competitors used (stratified K-fold, grouped by WSI, by position,
// leave-one-WSI-out), folds.csv, per-fold counts and the overlapping-tile leakage check.
export * from './foldStats';
export * from './foldsOverview';
export * from './foldTypes';
export * from './groupKFold';
export * from './leakage';
export * from './makeFolds';
export * from './positionFolds';
export * from './seededOrder';
export * from './strata';
export * from './stratifiedKFold';
