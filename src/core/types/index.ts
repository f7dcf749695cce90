// Plain data types every capability shares: classes, points and rings, tile records, problems,
// the dataset index. No logic; imports nothing.
export * from './overviewTypes';
export * from './types';
