/** Which files the processes of one process group have mapped (Linux /proc): proves where a native module was loaded from. */
import * as fs from 'fs';

/** The pids whose process group is pgid. */
export function groupPids(pgid: number): number[] {
  const out: number[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      // pid (comm) state ppid pgrp ...: comm may hold spaces and parentheses, so split after the last ')'.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) === pgid) out.push(Number(name));
    } catch { /* the process ended */ }
  }
  return out;
}

/** Mapped files of the group's processes whose path matches re, with the pid that mapped each. */
export function mappedFiles(pgid: number, re: RegExp): { pid: number; file: string }[] {
  const seen = new Set<string>();
  const out: { pid: number; file: string }[] = [];
  for (const pid of groupPids(pgid)) {
    let maps = '';
    try { maps = fs.readFileSync(`/proc/${pid}/maps`, 'utf8'); } catch { continue; }
    for (const line of maps.split('\n')) {
      const at = line.indexOf('/');
      if (at < 0) continue;
      const file = line.slice(at).trim();
      if (re.test(file) && !seen.has(`${pid} ${file}`)) {
        seen.add(`${pid} ${file}`);
        out.push({ pid, file });
      }
    }
  }
  return out;
}
