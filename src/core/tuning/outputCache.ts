/**
 * Raw model outputs cached once per (model file hash, provider, TTA transform, tile), so a sweep
 * never re-runs the model: semantic probability maps quantised to uint8 (back in the tile's
 * frame), instance masks + scores, YOLOv8-seg candidate rows (boxes, class scores, mask
 * coefficients) + prototypes. One file per entry: magic, JSON header, deflated body.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import type { InputGeometry, TtaTransform } from '../model';

/** A semantic model's blood_vessel probability map, round(p * 255), row-major, in the tile's frame. */
export interface CachedSemantic {
  kind: 'semantic';
  width: number;
  height: number;
  probability: Uint8Array;
}

/** One instance-model detection of the cache. */
export interface CachedInstance {
  classIndex: number;
  score: number;
  /** The mask over its rectangle in tile pixels (1 = inside). */
  x: number;
  y: number;
  width: number;
  height: number;
  data: Uint8Array;
}

/** A torchvision-style instance model's decoded detections with score >= floor, highest score first. */
export interface CachedInstances {
  kind: 'instance';
  width: number;
  height: number;
  classNames: string[];
  /** Detections below this score were not kept. */
  floor: number;
  instances: CachedInstance[];
}

/** A YOLOv8-seg model's raw rows whose best class score >= floor (model order kept) and its prototypes. */
export interface CachedYolo {
  kind: 'yolov8-seg';
  width: number;
  height: number;
  classNames: string[];
  floor: number;
  geometry: InputGeometry;
  /** [1, 4 + nc + nm, m] with only the candidate columns. */
  detections: { dims: number[]; data: Float32Array };
  /** [1, nm, ph, pw]. */
  protos: { dims: number[]; data: Float32Array };
}

export type CachedOutput = CachedSemantic | CachedInstances | CachedYolo;

/** Where one cached output lives: model hash + provider + transform + tile. */
export interface CacheKey {
  modelHash: string;
  provider: string;
  transform: TtaTransform;
  tileId: string;
}

const MAGIC = Buffer.from('VEC1');

/** round(p * 255) of a probability map (values clamped to [0, 1]). */
export function quantiseProbability(p: Float32Array): Uint8Array {
  const q = new Uint8Array(p.length);
  for (let i = 0; i < p.length; i++) {
    const v = p[i];
    q[i] = v <= 0 ? 0 : v >= 1 ? 255 : Math.round(v * 255);
  }
  return q;
}

/** The probabilities a quantised map stands for (q / 255). */
export function dequantiseProbability(q: Uint8Array): Float32Array {
  const p = new Float32Array(q.length);
  for (let i = 0; i < q.length; i++) p[i] = q[i] / 255;
  return p;
}

/** Serialises one cached output. */
export function encodeCachedOutput(o: CachedOutput): Buffer {
  let header: Record<string, unknown>;
  let parts: Uint8Array[];
  if (o.kind === 'semantic') {
    header = { kind: o.kind, width: o.width, height: o.height };
    parts = [o.probability];
  } else if (o.kind === 'instance') {
    header = { kind: o.kind, width: o.width, height: o.height, classNames: o.classNames, floor: o.floor, instances: o.instances.map(({ data: _d, ...rest }) => rest) };
    parts = o.instances.map((i) => i.data);
  } else {
    header = { kind: o.kind, width: o.width, height: o.height, classNames: o.classNames, floor: o.floor, geometry: o.geometry, detections: o.detections.dims, protos: o.protos.dims };
    parts = [bytesOf(o.detections.data), bytesOf(o.protos.data)];
  }
  const head = Buffer.from(JSON.stringify(header));
  const body = zlib.deflateRawSync(Buffer.concat(parts.map((p) => Buffer.from(p.buffer, p.byteOffset, p.byteLength))), { level: 1 });
  const len = Buffer.alloc(4);
  len.writeUInt32LE(head.length);
  return Buffer.concat([MAGIC, len, head, body]);
}

const bytesOf = (a: Float32Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/** Parses a cached output; throws a message naming `where` when the bytes are not one. */
export function decodeCachedOutput(buf: Uint8Array, where: string): CachedOutput {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  if (b.length < 8 || !b.subarray(0, 4).equals(MAGIC)) throw new Error(`${where}: not a cached model output (bad magic); clear the tuning cache`);
  const hl = b.readUInt32LE(4);
  if (8 + hl > b.length) throw new Error(`${where}: truncated header; clear the tuning cache`);
  const h = JSON.parse(b.subarray(8, 8 + hl).toString('utf8')) as Record<string, unknown> & { kind: string; width: number; height: number };
  const body = zlib.inflateRawSync(b.subarray(8 + hl));
  if (h.kind === 'semantic') {
    if (body.length !== h.width * h.height) throw new Error(`${where}: map has ${body.length} bytes, expected ${h.width}x${h.height}`);
    return { kind: 'semantic', width: h.width, height: h.height, probability: new Uint8Array(body.buffer, body.byteOffset, body.length) };
  }
  if (h.kind === 'instance') {
    const metas = h.instances as Omit<CachedInstance, 'data'>[];
    let off = 0;
    const instances = metas.map((m) => {
      const n = m.width * m.height;
      const data = new Uint8Array(body.buffer, body.byteOffset + off, n);
      off += n;
      return { ...m, data };
    });
    if (off !== body.length) throw new Error(`${where}: mask bytes do not add up; clear the tuning cache`);
    return { kind: 'instance', width: h.width, height: h.height, classNames: h.classNames as string[], floor: h.floor as number, instances };
  }
  if (h.kind === 'yolov8-seg') {
    const dd = h.detections as number[], pd = h.protos as number[];
    const nd = dd.reduce((a, v) => a * v, 1), np = pd.reduce((a, v) => a * v, 1);
    if (body.length !== (nd + np) * 4) throw new Error(`${where}: tensor bytes do not add up; clear the tuning cache`);
    const copy = new Float32Array(nd + np);
    new Uint8Array(copy.buffer).set(body);
    return { kind: 'yolov8-seg', width: h.width, height: h.height, classNames: h.classNames as string[], floor: h.floor as number, geometry: h.geometry as InputGeometry, detections: { dims: dd, data: copy.subarray(0, nd) }, protos: { dims: pd, data: copy.subarray(nd) } };
  }
  throw new Error(`${where}: unknown output kind "${h.kind}"`);
}

/** First 16 hex digits of the model file's SHA-256 (the cache key's model part). */
export function modelFileHash(modelPath: string): string {
  return crypto.createHash('sha256').update(fs.readFileSync(modelPath)).digest('hex').slice(0, 16);
}

const safe = (s: string) => s.replace(/[^A-Za-z0-9._-]/g, '_');

/** A folder of cached outputs with a size cap (oldest entries go first when it is passed). */
export class OutputCache {
  private bytes: number | undefined;

  /** capBytes 0 = no cap. */
  constructor(readonly dir: string, readonly capBytes = 0) {}

  /** The file of one entry. */
  pathOf(k: CacheKey): string {
    return path.join(this.dir, `${safe(k.modelHash)}-${safe(k.provider)}`, k.transform, `${safe(k.tileId)}.vec`);
  }

  has(k: CacheKey): boolean {
    return fs.existsSync(this.pathOf(k));
  }

  /** Reads an entry; undefined when missing or unreadable (an unreadable one is deleted). */
  read(k: CacheKey): CachedOutput | undefined {
    const file = this.pathOf(k);
    let buf: Buffer;
    try {
      buf = fs.readFileSync(file);
    } catch {
      return undefined;
    }
    try {
      return decodeCachedOutput(buf, file);
    } catch {
      fs.rmSync(file, { force: true });
      return undefined;
    }
  }

  /** Writes an entry (atomically), then keeps the folder under the cap. */
  write(k: CacheKey, o: CachedOutput): number {
    const file = this.pathOf(k);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const buf = encodeCachedOutput(o);
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, buf);
    fs.renameSync(tmp, file);
    if (this.capBytes > 0) {
      this.bytes = (this.bytes ?? this.sizeBytes()) + buf.length;
      if (this.bytes > this.capBytes) this.evict();
    }
    return buf.length;
  }

  /** Total bytes on disk. */
  sizeBytes(): number {
    return listFiles(this.dir).reduce((s, f) => s + f.size, 0);
  }

  /** Number of entries. */
  entries(): number {
    return listFiles(this.dir).length;
  }

  /** Deletes every entry. */
  clear(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
    this.bytes = 0;
  }

  /** Deletes the oldest entries until the folder is at 90 % of the cap. */
  private evict(): void {
    const files = listFiles(this.dir).sort((a, b) => a.mtimeMs - b.mtimeMs);
    let total = files.reduce((s, f) => s + f.size, 0);
    for (const f of files) {
      if (total <= this.capBytes * 0.9) break;
      fs.rmSync(f.file, { force: true });
      total -= f.size;
    }
    this.bytes = total;
  }
}

function listFiles(dir: string): { file: string; size: number; mtimeMs: number }[] {
  const out: { file: string; size: number; mtimeMs: number }[] = [];
  const walk = (d: string) => {
    let names: fs.Dirent[];
    try {
      names = fs.readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of names) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && e.name.endsWith('.vec')) {
        const st = fs.statSync(p);
        out.push({ file: p, size: st.size, mtimeMs: st.mtimeMs });
      }
    }
  };
  walk(dir);
  return out;
}
