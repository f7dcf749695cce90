// Plain-text formats and safe text: the CSV parser and cell writer. Browser-safe (no Node
// modules), so webviews may import it.
export * from './csv';
