/** "Prepare Training Data" form: dataset version, formats, images, folds and the output folder; posts the values, shows the run's state. Text only via textContent. */
import type { FormPreset, FormRequest, FromFormWebview, LabelsFormValues, ToFormWebview } from '../../src/shared/labelsFormProtocol.js';
import { button, checkbox, dropdown, registerToolkit, textField } from '../toolkit/index.js';

interface VsCodeApi { postMessage(msg: FromFormWebview): void; getState(): unknown; setState(s: unknown): void }
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const post = (m: FromFormWebview) => vscode.postMessage(m);
const app = document.getElementById('app')!;
let values: LabelsFormValues | undefined;
let presets: FormPreset[] = [];
let dataset = '';
let filter: { description: string; tiles: number } | undefined;
let running = false;
let status = '';
let statusOk: boolean | undefined;

function h(tag: string, cls?: string, text?: string): HTMLElement {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

function row(label: string, ...controls: HTMLElement[]): HTMLElement {
  const r = h('div', 'row');
  r.append(h('label', 'row-label', label), ...controls);
  return r;
}

const toggle = <T>(list: T[], v: T, on: boolean): T[] => (on ? [...new Set([...list, v])] : list.filter((x) => x !== v));

function render(): void {
  if (!values) return;
  const v = values;
  const set = (patch: Partial<LabelsFormValues>, rerender = false) => { values = { ...v, ...values, ...patch }; vscode.setState(values); if (rerender) render(); };
  const root = h('div', 'form');
  root.append(h('h1', undefined, 'Prepare Training Data'), h('p', 'hint', `From ${dataset}: masks, YOLO-seg and COCO labels, images and leak-checked folds, with a README.md and manifest.json in the output folder.`));
  root.append(row('Preset', dropdown([{ value: '', label: 'custom' }, ...presets.map((p) => ({ value: p.id, label: p.label }))], '', (id) => {
    const p = presets.find((x) => x.id === id);
    if (p) set(p.values, true);
  }, 'Preset')));
  const version = h('fieldset');
  version.append(h('legend', undefined, 'Dataset version'));
  version.append(
    row('Datasets', checkbox('1 (expert-reviewed)', v.datasets.includes(1), (c) => set({ datasets: toggle(values!.datasets, 1, c) })), checkbox('2 (sparse)', v.datasets.includes(2), (c) => set({ datasets: toggle(values!.datasets, 2, c) }))),
    row('Classes', checkbox('blood_vessel', v.classes.includes('blood_vessel'), (c) => set({ classes: toggle(values!.classes, 'blood_vessel', c) })), checkbox('glomerulus', v.classes.includes('glomerulus'), (c) => set({ classes: toggle(values!.classes, 'glomerulus', c) }))),
    ...(filter ? [row('Tiles', checkbox(`only the ${filter.tiles} tiles of the tile browser's filter (${filter.description})`, v.useFilter, (c) => set({ useFilter: c })))] : []),
    row('unsure', dropdown([{ value: 'drop', label: 'dropped' }, { value: 'class', label: 'kept as its own class' }, { value: 'ignore', label: 'kept as an ignore mask' }], v.unsure, (x) => set({ unsure: x as LabelsFormValues['unsure'] }), 'unsure')),
    row('De-duplicate', dropdown([{ value: 'dataset2', label: 'dataset 2 (IoU 1, as the 1st place)' }, { value: 'all', label: 'all datasets' }, { value: 'none', label: 'off' }], v.dedupe, (x) => set({ dedupe: x as LabelsFormValues['dedupe'] }), 'De-duplicate')),
  );
  const formats = h('fieldset');
  formats.append(h('legend', undefined, 'Formats'));
  const fmt = (key: LabelsFormValues['formats'][number], label: string) => checkbox(label, v.formats.includes(key), (c) => set({ formats: toggle(values!.formats, key, c) }));
  formats.append(
    row('Masks', fmt('masks', 'binary mask per class'), dropdown([{ value: '1', label: 'value 1' }, { value: '255', label: 'value 255' }], String(v.maskValue), (x) => set({ maskValue: x === '255' ? 255 : 1 }), 'Mask value'), fmt('label', 'class-index label PNG'), fmt('instances', 'instance-id PNG (16-bit)')),
    row('Trainers', fmt('yolo', 'YOLO-seg + data.yaml per fold'), fmt('coco', 'COCO JSON per fold split')),
    row('Images', dropdown([{ value: 'link', label: 'link (no copy)' }, { value: 'copy', label: 'copy' }, { value: 'png', label: 're-encode as PNG' }], v.images, (x) => set({ images: x as LabelsFormValues['images'] }), 'Images')),
    row('Context', h('span', 'field-label', 'pad px'), textField('context padding in px', String(v.contextPad ?? 0), (x) => set({ contextPad: Number(x) }), { size: 4 }),
      dropdown([{ value: 'reflect', label: 'missing neighbour: reflected' }, { value: 'zero', label: 'missing neighbour: zero' }], v.contextFill ?? 'reflect', (x) => set({ contextFill: x as 'reflect' | 'zero' }), 'Missing neighbour'),
      checkbox('256-px shifted tiles from 2x2 neighbour blocks', !!v.shifted, (c) => set({ shifted: c }))),
  );
  const folds = h('fieldset');
  folds.append(h('legend', undefined, 'Validation folds'));
  folds.append(
    row('Scheme', dropdown([
      { value: 'kfold', label: 'K-fold, stratified (leaks overlapping tiles)' },
      { value: 'group-wsi', label: 'K-fold grouped by WSI' },
      { value: 'halves', label: 'each WSI in left / right halves' },
      { value: 'share', label: 'lowest / highest share of i per WSI' },
      { value: 'lowo', label: 'leave one WSI out' },
    ], v.folds, (x) => set({ folds: x as LabelsFormValues['folds'] }, true), 'Fold scheme')),
  );
  if (v.folds === 'kfold' || v.folds === 'group-wsi') {
    folds.append(row('Folds', h('span', 'field-label', 'k'), textField('number of folds', String(v.k), (x) => set({ k: Number(x) }), { size: 4 }), ...(v.folds === 'kfold' ? [h('span', 'field-label', 'seed'), textField('seed', String(v.seed), (x) => set({ seed: Number(x) }), { size: 8 })] : []),
      dropdown([{ value: 'dataset', label: 'stratified on dataset' }, { value: 'vesselBins', label: 'on vessel-count bins' }, { value: 'classPresence', label: 'on class presence' }, { value: 'wsi', label: 'on WSI' }, { value: 'none', label: 'not stratified' }], v.stratify, (x) => set({ stratify: x as LabelsFormValues['stratify'] }), 'Stratify')));
  }
  if (v.folds === 'share') folds.append(row('Share of i', textField('share of i', String(v.share), (x) => set({ share: Number(x) }), { size: 6 })));
  const out = h('fieldset');
  out.append(h('legend', undefined, 'Output'));
  const outField = textField('output folder', v.out, (x) => set({ out: x }), { size: 70 });
  outField.id = 'out-folder';
  out.append(row('Folder', outField, button('Browse…', () => post({ type: 'browse' }), { appearance: 'secondary' })));
  const go = button(running ? 'Preparing…' : 'Prepare', () => { if (!running && values) post({ type: 'submit', values }); });
  go.id = 'prepare';
  if (running) go.setAttribute('disabled', '');
  const st = h('p', statusOk === false ? 'status error' : 'status', status);
  st.id = 'status';
  root.append(version, formats, folds, out, h('div', 'actions'), st);
  root.querySelector('.actions')!.append(go);
  app.replaceChildren(root);
  app.dataset.state = 'ready';
}

function answer(id: number, req: FormRequest): void {
  const reply = (ok: boolean, result?: unknown, error?: string) => post({ type: 'response', inReplyTo: id, ok, ...(result !== undefined ? { result } : {}), ...(error ? { error } : {}) });
  if (!values) return reply(false, undefined, 'the form is not ready');
  if (req.kind === 'fill') {
    values = { ...values, ...req.values };
    render();
    return reply(true, values);
  }
  if (req.kind === 'submit') {
    (document.getElementById('prepare') as HTMLElement | null)?.click();
    return reply(true, true);
  }
  reply(true, { values, status, running });
}

window.addEventListener('message', (e: MessageEvent<ToFormWebview>) => {
  const m = e.data;
  if (!m || typeof m !== 'object') return;
  if (m.type === 'init') {
    const saved = vscode.getState() as LabelsFormValues | undefined;
    values = saved && typeof saved === 'object' && Array.isArray(saved.datasets) ? { ...m.values, ...saved, out: saved.out || m.values.out } : m.values;
    presets = m.presets;
    dataset = m.dataset;
    filter = m.filter;
    if (!filter && values) values = { ...values, useFilter: false };
    render();
  } else if (m.type === 'out' && values) {
    values = { ...values, out: m.out };
    render();
  } else if (m.type === 'runState') {
    running = m.running;
    status = m.text ?? (m.running ? 'Preparing… (progress and Cancel in the notification)' : '');
    statusOk = m.ok;
    render();
  } else if (m.type === 'request') {
    answer(m.id, m.request);
  }
});

registerToolkit();
post({ type: 'ready' });
