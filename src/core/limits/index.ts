// Caps on what a file a user opens may cost (bytes, levels, points, time): their defaults, the
// settings that raise them, and the located refusal message. Browser-safe; imports nothing.
export * from './limits';
