/** A small entry (dist/scoreMaps.js) that runs only `score-maps`: the extension's training runs score with it, since the full CLI ships as its own package. */
import { scoreMapsCommand } from './scoreMapsCommand';

if (require.main === module) {
  const [cmd, ...rest] = process.argv.slice(2);
  if (cmd !== 'score-maps') {
    process.stderr.write('usage: scoreMaps.js score-maps <folder> [--json]\n');
    process.exitCode = 2;
  } else {
    scoreMapsCommand(rest, { out: (s) => process.stdout.write(s + '\n'), err: (s) => process.stderr.write(s + '\n') }).then(
      (code) => { process.exitCode = code; },
      (e: unknown) => { process.stderr.write(`score-maps: ${e instanceof Error ? e.message : String(e)}\n`); process.exitCode = 2; },
    );
  }
}
