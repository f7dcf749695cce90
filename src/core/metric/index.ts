// The competition's scoring: COCO RLE, the submission.csv encoding, AP@IoU 0.6
// (OpenImages-style, VOC all-points).
export * from './apAtIou';
export * from './rleCoco';
export * from './submissionCsv';
export * from './submissionMerge';
