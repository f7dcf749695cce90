/**
 * The training program's stdout: one JSON object per line. The CLI and the extension read it with
 * parseTrainingLine; anything else on stdout is a log line.
 */

/** The run started: what it trains on and where. */
export interface TrainStartEvent { event: 'start'; device: string; fold: string; trainTiles: number; valTiles: number; epochs: number; stepsPerEpoch: number; imageSize: number; parameters: number }
/** One optimiser step (printed every few steps). */
export interface TrainStepEvent { event: 'step'; epoch: number; step: number; steps: number; loss: number }
/** One epoch done, with validation numbers when there is a held-out fold. */
export interface TrainEpochEvent { event: 'epoch'; epoch: number; epochs: number; loss: number; valDice?: number; valAP60?: number; seconds: number }
/** Finished: the files written (complete: renamed into place last). */
export interface TrainDoneEvent { event: 'done'; model: string; sidecar: string; metrics: string; card: string; valAP60?: number; valDice?: number; seconds: number }
/** Failed: what went wrong and what to do; no model was written. */
export interface TrainErrorEvent { event: 'error'; message: string }

export type TrainEvent = TrainStartEvent | TrainStepEvent | TrainEpochEvent | TrainDoneEvent | TrainErrorEvent;

const num = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const str = (v: unknown): v is string => typeof v === 'string';
const optNum = (v: unknown) => v === undefined || v === null || num(v);

/** The event of one stdout line, or undefined for a log line or a malformed/unknown object. */
export function parseTrainingLine(line: string): TrainEvent | undefined {
  const s = line.trim();
  if (!s.startsWith('{')) return undefined;
  let o: Record<string, unknown>;
  try {
    const v: unknown = JSON.parse(s);
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
    o = v as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const clean = <T>(x: T): T => Object.fromEntries(Object.entries(x as Record<string, unknown>).filter(([, v]) => v !== undefined && v !== null)) as T;
  switch (o.event) {
    case 'start':
      return str(o.device) && str(o.fold) && num(o.trainTiles) && num(o.valTiles) && num(o.epochs) && num(o.stepsPerEpoch) && num(o.imageSize) && num(o.parameters) ? (o as unknown as TrainStartEvent) : undefined;
    case 'step':
      return num(o.epoch) && num(o.step) && num(o.steps) && num(o.loss) ? (o as unknown as TrainStepEvent) : undefined;
    case 'epoch':
      return num(o.epoch) && num(o.epochs) && num(o.loss) && num(o.seconds) && optNum(o.valDice) && optNum(o.valAP60) ? clean(o as unknown as TrainEpochEvent) : undefined;
    case 'done':
      return str(o.model) && str(o.sidecar) && str(o.metrics) && str(o.card) && num(o.seconds) && optNum(o.valAP60) && optNum(o.valDice) ? clean(o as unknown as TrainDoneEvent) : undefined;
    case 'error':
      return str(o.message) ? (o as unknown as TrainErrorEvent) : undefined;
    default:
      return undefined;
  }
}

/** A one-line summary for a progress notification: "epoch 2/5 · loss 0.412 · val AP@0.6 0.081". */
export function describeTrainEvent(e: TrainEvent): string {
  switch (e.event) {
    case 'start': return `training on ${e.device}: ${e.trainTiles} tiles, validating on ${e.valTiles} (fold ${e.fold})`;
    case 'step': return `epoch ${e.epoch} step ${e.step}/${e.steps} · loss ${e.loss.toFixed(3)}`;
    case 'epoch': return `epoch ${e.epoch}/${e.epochs} · loss ${e.loss.toFixed(3)}${e.valAP60 !== undefined ? ` · val AP@0.6 ${e.valAP60.toFixed(3)}` : ''}${e.valDice !== undefined ? ` · Dice ${e.valDice.toFixed(3)}` : ''}`;
    case 'done': return `done${e.valAP60 !== undefined ? `: val AP@0.6 ${e.valAP60.toFixed(3)}` : ''}`;
    case 'error': return e.message;
  }
}
