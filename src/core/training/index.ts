// Training runs: the progress lines the training program prints, and the validation scoring of
// its probability maps with the product's own post-processing and AP@0.6.
export * from './progressLines';
export * from './scoreMaps';
export * from './trainRunner';
