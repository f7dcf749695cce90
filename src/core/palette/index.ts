// The product's one class palette (blood vessel orange, glomerulus blue, unsure grey), used by the
// tree, charts, overlays and exports. Browser-safe.
export * from './palette';
