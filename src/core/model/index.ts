// The model contract and its maths: metadata/sidecar contract, preprocessing into tensors,
// output decoding (semantic, Mask R-CNN, YOLOv8-seg), TTA and post-processing into instances.
export * from './decodeOutputs';
export * from './inferenceTypes';
export * from './instanceSplit';
export * from './modelContract';
export * from './outputBytes';
export * from './postprocess';
export * from './preprocess';
export * from './semanticInstances';
export * from './tta';
