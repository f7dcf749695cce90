/**
 * RandStainNA's statistics yaml, byte for byte as its preprocess/datasets_statistics.py writes it
 * with PyYAML's yaml.dump: keys sorted, values rounded to 3 decimals (Python's round), floats in
 * Python's repr, `color_space`, `methods`, `n_each_class` and `random` at the top level. Our own
 * provenance goes into leading `#` comments, which the reference loader ignores.
 */
import type { SpaceAggregate } from './aggregate';
import { SPACE_CHANNELS, type StainSpace } from './tileStats';

/** Python's round(x, 3): the nearest 3-decimal value, ties to even on the exact binary value. */
export function pyRound3(x: number): number {
  if (!Number.isFinite(x)) return x;
  // Exact ties (k + 0.5 thousandths) exist only for x = odd / 16; toFixed would round them away from zero.
  const t = x * 16;
  if (Number.isInteger(t) && t % 2 !== 0 && Math.abs(x) < 2 ** 40) {
    const lo = Math.floor(x * 1000);
    return (lo % 2 === 0 ? lo : lo + 1) / 1000;
  }
  return Number(x.toFixed(3));
}

/** A float as PyYAML dumps it: Python's repr, lower case, '.0' for whole numbers. */
export function pyFloat(x: number): string {
  if (Number.isNaN(x)) return '.nan';
  if (x === Infinity) return '.inf';
  if (x === -Infinity) return '-.inf';
  if (Object.is(x, -0)) return '-0.0';
  let s = String(x);
  if (Number.isInteger(x) && Math.abs(x) < 1e16) return `${s}.0`;
  if (/e/.test(s)) {
    // Python's repr switches to exponent form below 1e-4 and from 1e16: 1e-05, 1.5e-05, 1e+16.
    const [m, e] = s.split('e');
    const ex = Number(e);
    s = `${m.includes('.') ? m : `${m}.0`}e${ex < 0 ? '-' : '+'}${String(Math.abs(ex)).padStart(2, '0')}`;
  } else if (Math.abs(x) < 1e-4 && x !== 0) {
    const [m, e] = x.toExponential().split('e');
    const ex = Number(e);
    s = `${m.includes('.') ? m : `${m}.0`}e-${String(Math.abs(ex)).padStart(2, '0')}`;
  }
  return s;
}

/** The provenance written as comments above the yaml body. */
export interface YamlProvenance {
  lines: string[];
}

/** The yaml text of one space's aggregate, in RandStainNA's format. */
export function randStainYaml(agg: SpaceAggregate, provenance: YamlProvenance = { lines: [] }, opts: { methods?: string; nEachClass?: number; random?: boolean } = {}): string {
  const keys = SPACE_CHANNELS[agg.space];
  const entries: [string, string][] = keys.map((k, c) => {
    const ch = agg.channels[c];
    const body = [
      `${k}:`,
      '  avg:',
      `    distribution: ${ch.avg.distribution}`,
      `    mean: ${pyFloat(pyRound3(ch.avg.mean))}`,
      `    std: ${pyFloat(pyRound3(ch.avg.std))}`,
      '  std:',
      `    distribution: ${ch.std.distribution}`,
      `    mean: ${pyFloat(pyRound3(ch.std.mean))}`,
      `    std: ${pyFloat(pyRound3(ch.std.std))}`,
    ].join('\n');
    return [k, body];
  });
  const methods = opts.methods ?? 'Reinhard';
  entries.push(['color_space', `color_space: ${agg.space}`]);
  entries.push(['methods', `methods: ${methods === '' ? "''" : methods}`]);
  entries.push(['n_each_class', `n_each_class: ${opts.nEachClass ?? 0}`]);
  entries.push(['random', `random: ${opts.random ? 'true' : 'false'}`]);
  // yaml.dump sorts keys by code point: upper-case channel letters before the lower-case keys.
  entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const head = provenance.lines.map((l) => `# ${l}`.trimEnd());
  return [...head, ...entries.map((e) => e[1])].join('\n') + '\n';
}

/** What the reference's RandStainNA constructor reads from a yaml: per channel avg/std mean/std. */
export interface RandStainConfig {
  space: StainSpace;
  /** Per channel: [mean of means, std of means]. */
  avg: [[number, number], [number, number], [number, number]];
  /** Per channel: [mean of stds, std of stds]. */
  std: [[number, number], [number, number], [number, number]];
}

/** Reads a RandStainNA yaml (ours or the reference's) into what its constructor uses; throws with the line on a malformed file. */
export function parseRandStainYaml(text: string, file = 'stats.yaml'): RandStainConfig {
  const tree: Record<string, Record<string, Record<string, string>> | string> = {};
  let top = '', mid = '';
  text.split(/\r?\n/).forEach((raw, k) => {
    const line = raw.replace(/\s+#.*$/, '');
    if (!line.trim() || line.trimStart().startsWith('#')) return;
    const m = /^( *)([^:]+):\s*(.*)$/.exec(line);
    if (!m) throw new Error(`${file}:${k + 1}: not a 'key: value' line: ${raw.trim()}`);
    const depth = m[1].length / 2, key = m[2].trim(), val = m[3].trim();
    if (depth === 0) {
      top = key;
      tree[key] = val === '' ? {} : val;
    } else if (depth === 1) {
      mid = key;
      const t = tree[top];
      if (typeof t !== 'object') throw new Error(`${file}:${k + 1}: '${key}' is nested under '${top}', which has a value`);
      t[key] = {};
    } else {
      const t = tree[top];
      if (typeof t !== 'object' || !t[mid]) throw new Error(`${file}:${k + 1}: '${key}' has no parent entry`);
      t[mid][key] = val;
    }
  });
  const space = tree.color_space;
  if (space !== 'LAB' && space !== 'HSV' && space !== 'HED') throw new Error(`${file}: color_space must be LAB, HSV or HED (found ${JSON.stringify(space ?? null)})`);
  const num = (ch: string, part: string, field: string): number => {
    const t = tree[ch];
    const v = typeof t === 'object' ? t[part]?.[field] : undefined;
    const x = v === undefined ? NaN : Number(v);
    if (!Number.isFinite(x)) throw new Error(`${file}: ${ch}.${part}.${field} is missing or not a number (found ${JSON.stringify(v ?? null)})`);
    return x;
  };
  const keys = SPACE_CHANNELS[space];
  const pick = (part: string) => keys.map((ch) => [num(ch, part, 'mean'), num(ch, part, 'std')]) as RandStainConfig['avg'];
  return { space, avg: pick('avg'), std: pick('std') };
}
