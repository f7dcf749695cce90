// Stain colour: OpenCV LAB/HSV and scikit-image HED conversions, per-tile and per-WSI statistics
// (cached, in a worker), RandStainNA's yaml and augmentation, Reinhard and Macenko normalisation.
export * from './aggregate';
export * from './colourCounts';
export * from './datasetStats';
export * from './headerPeek';
export * from './macenko';
export * from './opencvHsv';
export * from './opencvLab';
export * from './randomSource';
export * from './randStainNa';
export * from './randStainYaml';
export * from './reinhard';
export * from './skimageHed';
export * from './stainCache';
export * from './stainOverview';
export * from './stainTransform';
export * from './statsInWorker';
export * from './tileStats';
