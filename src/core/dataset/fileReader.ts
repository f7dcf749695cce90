/** The file operations core needs, injectable so the indexer runs on real folders and in-memory data alike. */
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface FileStat {
  size: number;
  mtimeMs: number;
  isDirectory: boolean;
}

export interface FileReader {
  /** Stat a path; undefined when it does not exist. */
  stat(p: string): Promise<FileStat | undefined>;
  /** Names of the entries of a folder; [] when it does not exist. */
  readdir(p: string): Promise<string[]>;
  /** The whole file. */
  readFile(p: string): Promise<Buffer>;
  /**
   * Read the file in chunks (for streaming large files line by line). With reuse, each chunk may
   * be the same buffer refilled: valid only until the next one is asked for (no 4 MiB allocation
   * per chunk, so a large file does not grow the process's RSS).
   */
  readChunks(p: string, chunkSize?: number, reuse?: boolean): AsyncIterable<Buffer>;
  /** Read `length` bytes at `offset`. */
  readRange(p: string, offset: number, length: number): Promise<Buffer>;
}

/** The real file system. */
export const nodeFileReader: FileReader = {
  async stat(p) {
    try {
      const s = await fs.promises.stat(p);
      return { size: s.size, mtimeMs: s.mtimeMs, isDirectory: s.isDirectory() };
    } catch {
      return undefined;
    }
  },
  async readdir(p) {
    try {
      return await fs.promises.readdir(p);
    } catch {
      return [];
    }
  },
  readFile: (p) => fs.promises.readFile(p),
  async *readChunks(p, chunkSize = 4 << 20, reuse = false) {
    const fh = await fs.promises.open(p, 'r');
    const shared = reuse ? Buffer.allocUnsafe(chunkSize) : undefined;
    try {
      for (;;) {
        const buf = shared ?? Buffer.allocUnsafe(chunkSize);
        const { bytesRead } = await fh.read(buf, 0, chunkSize, null);
        if (bytesRead === 0) break;
        yield bytesRead === chunkSize ? buf : buf.subarray(0, bytesRead);
      }
    } finally {
      await fh.close();
    }
  },
  async readRange(p, offset, length) {
    const fh = await fs.promises.open(p, 'r');
    try {
      const buf = Buffer.alloc(length);
      const { bytesRead } = await fh.read(buf, 0, length, offset);
      return buf.subarray(0, bytesRead);
    } finally {
      await fh.close();
    }
  },
};

/** An in-memory file system for tests: keys are absolute paths, values file contents. */
export function memoryFileReader(files: Record<string, string | Buffer>): FileReader {
  const norm = (p: string) => path.resolve(p);
  const map = new Map<string, Buffer>();
  for (const [k, v] of Object.entries(files)) map.set(norm(k), typeof v === 'string' ? Buffer.from(v) : v);
  const isDir = (p: string) => [...map.keys()].some((k) => k.startsWith(norm(p) + path.sep));
  return {
    async stat(p) {
      const b = map.get(norm(p));
      if (b) return { size: b.length, mtimeMs: 0, isDirectory: false };
      return isDir(p) ? { size: 0, mtimeMs: 0, isDirectory: true } : undefined;
    },
    async readdir(p) {
      const prefix = norm(p) + path.sep;
      const names = new Set<string>();
      for (const k of map.keys()) if (k.startsWith(prefix)) names.add(k.slice(prefix.length).split(path.sep)[0]);
      return [...names];
    },
    async readFile(p) {
      const b = map.get(norm(p));
      if (!b) throw new Error(`ENOENT: ${p}`);
      return b;
    },
    async *readChunks(p, chunkSize = 1 << 16) {
      const b = await this.readFile(p);
      for (let o = 0; o < b.length; o += chunkSize) yield b.subarray(o, o + chunkSize);
    },
    async readRange(p, offset, length) {
      return (await this.readFile(p)).subarray(offset, offset + length);
    },
  };
}
