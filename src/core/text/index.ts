// Plain-text formats and safe text: the CSV parser and cell writer, safe file names for ids and
// control/bidi/Markdown escaping. Browser-safe (no Node modules), so webviews may import it.
export * from './csv';
export * from './safeText';
