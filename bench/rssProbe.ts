/**
 * Preloaded with `node -r out/bench/rssProbe.js ...`: prints the process's peak resident memory at
 * exit (VE_MAXRSS=<bytes> on stderr). Read from /proc/self/status VmHWM, which belongs to this
 * program alone: getrusage's maxRSS also counts the parent's pages at fork time (Linux carries
 * it across exec), which would charge a big bench process's size to the child.
 */
import * as fs from 'node:fs';

process.on('exit', () => {
  let bytes = process.resourceUsage().maxRSS * 1024;
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
    if (m) bytes = Number(m[1]) * 1024;
  } catch {
    // not Linux: keep getrusage's figure
  }
  process.stderr.write(`\nVE_MAXRSS=${bytes}\n`);
});
