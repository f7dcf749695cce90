/** The form's values to the core's label options and back (the presets shown in the form). */
import { DEFAULT_LABEL_OPTIONS, LABEL_PRESETS, type LabelOptions } from '../../core/labels';
import type { FoldScheme } from '../../core/folds';
import type { FormPreset, LabelsFormValues } from '../../shared/labelsFormProtocol';

/** Core options from validated form values. */
export function optionsFromForm(v: LabelsFormValues, filter?: { ids: string[]; description: string }): LabelOptions {
  const folds: FoldScheme = v.folds === 'kfold' ? { kind: 'kfold', k: v.k, seed: v.seed, stratify: v.stratify }
    : v.folds === 'group-wsi' ? { kind: 'groupWsi', k: v.k, stratify: v.stratify }
    : v.folds === 'halves' ? { kind: 'wsiPosition', split: 'halves' }
    : v.folds === 'share' ? { kind: 'wsiPosition', split: 'share', share: v.share }
    : { kind: 'leaveOneWsiOut' };
  const f = new Set(v.formats);
  return {
    datasets: [...v.datasets].sort(),
    classes: v.classes.length ? [...v.classes] : [],
    unsure: v.unsure,
    dedupe: v.dedupe,
    formats: { ...(f.has('masks') ? { binaryMasks: { value: v.maskValue } } : {}), labelPng: f.has('label'), instancePng: f.has('instances'), yolo: f.has('yolo'), coco: f.has('coco') },
    images: v.images,
    folds,
    ...(v.useFilter && filter ? { tileIds: filter.ids, tileFilter: filter.description } : {}),
    ...((v.contextPad ?? 0) > 0 || v.shifted ? { context: { pad: v.contextPad ?? 0, fill: v.contextFill ?? 'reflect', shifted: !!v.shifted } } : {}),
  };
}

/** Form values of core options (the defaults, or a preset over them). */
export function formFromOptions(o: Partial<LabelOptions>, out: string): Partial<LabelsFormValues> {
  const v: Partial<LabelsFormValues> = {};
  if (o.datasets) v.datasets = o.datasets;
  if (o.classes) v.classes = o.classes.filter((c): c is 'blood_vessel' | 'glomerulus' => c !== 'unsure');
  if (o.unsure) v.unsure = o.unsure;
  if (o.dedupe) v.dedupe = o.dedupe;
  if (o.images) v.images = o.images;
  if (o.formats) {
    v.formats = [...(o.formats.binaryMasks ? ['masks' as const] : []), ...(o.formats.labelPng ? ['label' as const] : []), ...(o.formats.instancePng ? ['instances' as const] : []), ...(o.formats.yolo ? ['yolo' as const] : []), ...(o.formats.coco ? ['coco' as const] : [])];
    if (o.formats.binaryMasks) v.maskValue = o.formats.binaryMasks.value;
  }
  const s = o.folds;
  if (s) {
    if (s.kind === 'kfold') Object.assign(v, { folds: 'kfold', k: s.k, seed: s.seed, stratify: s.stratify });
    else if (s.kind === 'groupWsi') Object.assign(v, { folds: 'group-wsi', k: s.k, stratify: s.stratify });
    else if (s.kind === 'wsiPosition') Object.assign(v, { folds: s.split, ...(s.share ? { share: s.share } : {}) });
    else v.folds = 'lowo';
  }
  if (out) v.out = out;
  return v;
}

/** The defaults as complete form values. */
export function defaultFormValues(out: string): LabelsFormValues {
  return { datasets: [1, 2], classes: ['blood_vessel'], unsure: 'drop', dedupe: 'dataset2', formats: ['masks', 'yolo', 'coco'], maskValue: 1, images: 'link', folds: 'kfold', k: 5, seed: 42, stratify: 'dataset', share: 0.2, useFilter: false, contextPad: 0, contextFill: 'reflect', shifted: false, ...formFromOptions(DEFAULT_LABEL_OPTIONS, out) } as LabelsFormValues;
}

/** The competitors' presets as form patches. */
export function formPresets(): FormPreset[] {
  return Object.entries(LABEL_PRESETS).map(([id, p]) => ({ id, label: p.label, values: formFromOptions(p.options, '') }));
}
