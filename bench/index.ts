/** `npm run bench`: runs every bench section and prints one table (benchmark, measured, target/floor, verdict). */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BenchRow, formatTable } from './benchTable';
import { syntheticBench } from './syntheticBench';

interface Section {
  name: string;
  run: () => BenchRow[] | Promise<BenchRow[]>;
}

/** Sections whose subject may not exist yet are loaded only when their module was built. */
function optionalSection(name: string, moduleFile: string, exportName: string, needs: string): Section | undefined {
  if (!fs.existsSync(path.join(__dirname, '..', needs))) return undefined;
  return {
    name,
    run: () => {
      const mod = require(path.join(__dirname, moduleFile)) as Record<string, () => BenchRow[] | Promise<BenchRow[]>>;
      return mod[exportName]();
    },
  };
}

async function main(): Promise<void> {
  const t0 = Date.now();
  const only = process.argv.slice(2);
  const sections: Section[] = [
    { name: 'synthetic', run: syntheticBench },
    optionalSection('index', 'indexBench.js', 'indexBench', 'src/core/dataset/datasetIndex.js'),
    optionalSection('metric', 'metricBench.js', 'metricBench', 'src/core/metric/apAtIou.js'),
    optionalSection('inference', 'inferenceBench.js', 'run', 'src/inference/client.js'),
    optionalSection('predict', 'predictBench.js', 'predictBench', 'src/core/predict/pipeline.js'),
    optionalSection('dashboard', 'dashboardBench.js', 'run', 'src/core/overview/overviewData.js'),
    optionalSection('viewer', 'viewerBench.js', 'run', 'src/extension/viewer/tileViewerData.js'),
    optionalSection('stain', 'stainBench.js', 'stainBench', 'src/core/stain/index.js'),
    optionalSection('tuning', 'tuningBench.js', 'run', 'src/core/tuning/sweepPool.js'),
    optionalSection('installed', 'installedBench.js', 'run', 'test/harness/installVsix.js'),
    optionalSection('labels', 'labelsBench.js', 'run', 'src/core/labels/prepareLabels.js'),
    optionalSection('model', 'modelBench.js', 'run', 'src/core/labels/prepareLabels.js'),
    optionalSection('hostile', 'hostileBench.js', 'hostileBench', 'src/core/limits/limits.js'),
  ].filter((s): s is Section => s !== undefined && (only.length === 0 || only.includes(s.name)));
  const rows: BenchRow[] = [];
  let failed = false;
  for (const s of sections) {
    const ts = Date.now();
    process.stderr.write(`bench: ${s.name} ...\n`);
    try {
      rows.push(...(await s.run()));
    } catch (e) {
      failed = true;
      rows.push({ benchmark: `${s.name}: section failed`, measured: e instanceof Error ? e.message.split('\n')[0] : String(e), target: '-', verdict: 'FAIL' });
    }
    process.stderr.write(`bench: ${s.name} done in ${((Date.now() - ts) / 1000).toFixed(1)} s\n`);
  }
  console.log(formatTable(rows));
  console.log(`\nbench: ${rows.filter((r) => r.verdict === 'FAIL').length} FAIL, ${rows.filter((r) => r.verdict === 'pass').length} pass, total ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  if (failed || rows.some((r) => r.verdict === 'FAIL')) process.exitCode = 1;
}

main().catch((e: unknown) => {
  console.error(`bench: ERROR: ${e instanceof Error ? e.stack : String(e)}`);
  process.exit(1);
});
