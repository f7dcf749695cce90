// The synthetic dataset generator: the competition's layout at any size (real WSI x dataset table,
// dense rings, off-grid WSIs, overlaps, duplicates) for benchmarks and the demo.
export * from './writeSyntheticDataset';
