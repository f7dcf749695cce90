/** The output folder: is it ours, empty, or holding other files; can it be written; what a run wrote (to undo on cancel). */
import * as fsCb from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';

export const MANIFEST_FILE = 'manifest.json';
/** Entries a run writes at the top of its folder; a folder holding only these (and a manifest) is ours. */
export const OWN_ENTRIES = new Set([MANIFEST_FILE, 'README.md', 'folds.csv', 'folds', 'images', 'labels', 'masks', 'coco', 'yolo']);

/** An error a person acts on: what is wrong, where, what to do. */
export class LabelsError extends Error {
  constructor(readonly code: 'options' | 'inside-dataset' | 'not-writable' | 'other-files' | 'no-tiles' | 'dataset', message: string) {
    super(message);
    this.name = 'LabelsError';
  }
}

/** What the output folder holds now. */
export interface OutputState {
  kind: 'missing' | 'empty' | 'ours' | 'other';
  /** The previous run's manifest, when the folder holds one. */
  manifest?: { optionsHash?: string; inputsHash?: string; complete?: boolean };
  /** Top-level entries that a run does not write (kind 'other'). */
  otherEntries: string[];
}

/** Look at the output folder without changing it. */
export async function inspectOutput(out: string): Promise<OutputState> {
  let names: string[];
  try {
    const st = await fs.stat(out);
    if (!st.isDirectory()) throw new LabelsError('not-writable', `${out} is a file, not a folder. Choose a folder for the training data.`);
    names = await fs.readdir(out);
  } catch (e) {
    if (e instanceof LabelsError) throw e;
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'missing', otherEntries: [] };
    throw new LabelsError('not-writable', `Cannot write to the output folder ${out} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}${(e as NodeJS.ErrnoException).code === 'ENOTDIR' ? ': a part of the path is a file' : ''}). Choose another folder or fix its permissions; nothing was written.`);
  }
  if (names.length === 0) return { kind: 'empty', otherEntries: [] };
  let manifest: OutputState['manifest'];
  try {
    manifest = JSON.parse(await fs.readFile(path.join(out, MANIFEST_FILE), 'utf8')) as OutputState['manifest'];
  } catch {
    manifest = undefined;
  }
  const otherEntries = names.filter((n) => !OWN_ENTRIES.has(n) && !/^fold\d+_(train|val)\.txt$|^data_fold\d+\.yaml$/.test(n));
  return { kind: otherEntries.length === 0 && manifest ? 'ours' : 'other', manifest, otherEntries };
}

/** Creates the folder when missing and proves it writable with a probe file; returns whether it was created. */
export async function ensureWritable(out: string): Promise<boolean> {
  let created = false;
  try {
    created = (await fs.mkdir(out, { recursive: true })) !== undefined;
    const probe = path.join(out, `.ve-write-probe-${process.pid}`);
    await fs.writeFile(probe, '');
    await fs.unlink(probe);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new LabelsError('not-writable', `Cannot write to the output folder ${out} (${err.code ?? err.message}). Choose another folder or fix its permissions; nothing was written.`);
  }
  return created;
}

/** Files and folders a run wrote, so a cancelled or failed run can remove them again. */
export class WrittenFiles {
  private readonly files: string[] = [];
  private readonly dirs = new Set<string>();
  /** sync: blocking file calls (a worker thread's own: no round trip through the libuv pool that sharp's encodes also queue on). */
  constructor(private readonly root: string, private readonly sync = false) {}

  /** Write a file (creating its folder once). */
  async write(rel: string, data: string | Uint8Array): Promise<void> {
    const abs = await this.prepare(rel);
    if (this.sync) return fsCb.writeFileSync(abs, data);
    // The callback API: for thousands of small files it costs far less than fs/promises' FileHandle path.
    await new Promise<void>((resolve, reject) => fsCb.writeFile(abs, data, (e) => (e ? reject(e) : resolve())));
  }

  /** Symlink rel -> target (absolute), replacing a file already there. */
  async link(rel: string, target: string): Promise<void> {
    const abs = await this.prepare(rel);
    const make = () => (this.sync ? Promise.resolve(fsCb.symlinkSync(target, abs)) : new Promise<void>((resolve, reject) => fsCb.symlink(target, abs, (e) => (e ? reject(e) : resolve()))));
    try {
      await make();
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      await fs.rm(abs, { force: true });
      await make();
    }
  }

  /** Copy a file to rel. */
  async copy(rel: string, src: string): Promise<void> {
    const abs = await this.prepare(rel);
    if (this.sync) return fsCb.copyFileSync(src, abs);
    await fs.copyFile(src, abs);
  }

  /** The absolute path of rel, its folder created, recorded as written. */
  async prepare(rel: string): Promise<string> {
    const abs = path.join(this.root, ...rel.split('/'));
    const back = path.relative(this.root, abs);
    // A name built from a data file's id must never leave the output folder.
    if (back === '' || back.startsWith('..') || path.isAbsolute(back)) throw new Error(`refused to write ${JSON.stringify(rel)}: it lies outside the output folder ${this.root}`);
    const dir = path.dirname(abs);
    if (!this.dirs.has(dir)) {
      if (this.sync) fsCb.mkdirSync(dir, { recursive: true });
      else await fs.mkdir(dir, { recursive: true });
      this.dirs.add(dir);
    }
    this.files.push(abs);
    return abs;
  }

  get count(): number {
    return this.files.length;
  }

  /** Absolute paths written so far. */
  paths(): string[] {
    return this.files.slice();
  }

  /** Record files another thread wrote under this root (so undo removes them too). */
  adopt(files: readonly string[]): void {
    for (const f of files) {
      this.files.push(f);
      this.dirs.add(path.dirname(f));
    }
  }

  /** Remove everything written, then the folders left empty (deepest first). */
  async undo(removeRoot: boolean): Promise<void> {
    // A root this run created held nothing before it: remove it whole.
    if (removeRoot) {
      await fs.rm(this.root, { recursive: true, force: true });
      return;
    }
    await Promise.all(this.files.map((f) => fs.rm(f, { force: true })));
    const dirs = new Set<string>();
    for (let d of this.dirs) for (; d.length > this.root.length && d.startsWith(this.root); d = path.dirname(d)) dirs.add(d);
    for (const d of [...dirs].sort((a, b) => b.length - a.length)) await fs.rmdir(d).catch(() => undefined);
  }
}

/** Remove the entries a previous run wrote (the folder held only ours), before a run with other options. */
export async function clearOwnOutput(out: string): Promise<void> {
  await fs.rm(path.join(out, MANIFEST_FILE), { force: true });
  for (const n of await fs.readdir(out)) {
    if (OWN_ENTRIES.has(n) || /^fold\d+_(train|val)\.txt$|^data_fold\d+\.yaml$/.test(n)) await fs.rm(path.join(out, n), { recursive: true, force: true });
  }
}
