// Predict end to end over tiles: pipeline, batch scoring, reports, the prediction layer the
// viewer draws, and scoring a submission against the annotations.
export * from './batch';
export * from './pipeline';
export * from './predictionLayer';
export * from './report';
export * from './submissionScore';
export * from './tileInputs';
