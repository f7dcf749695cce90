/**
 * Runs the e2e tests: every out/test/e2e/*.e2e.js (or the files/names given as arguments), each
 * test in its own code-server + browser context, one retry per test (logged). Prints
 * `e2e: N passed, N failed`; screenshots land in test-output/screenshots/.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { Browser } from 'playwright-core';
import { launchBrowser } from './browser';
import { assertSampleDataset, repoRoot, sampleChanges, sampleDataset, sampleSnapshot } from './paths';
import { E2eTest, openVscode, VscodeSession } from '../e2e/vscodeSession';

const e2eOut = path.join(repoRoot, 'out', 'test', 'e2e');
const testTimeoutMs = Number(process.env.VE_E2E_TIMEOUT_MS || 180_000);

function e2eFiles(args: string[]): string[] {
  const all = fs.existsSync(e2eOut) ? fs.readdirSync(e2eOut).filter((f) => f.endsWith('.e2e.js')).sort().map((f) => path.join(e2eOut, f)) : [];
  const fileArgs = args.filter((a) => a.endsWith('.js') || a.endsWith('.ts'));
  if (fileArgs.length === 0) return all;
  return fileArgs.map((a) => path.resolve(a.replace(/^test[\\/]e2e[\\/](.*)\.ts$/, 'out/test/e2e/$1.js')));
}

async function runOne(browser: Browser, t: E2eTest): Promise<void> {
  let vs: VscodeSession | undefined;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${testTimeoutMs / 1000} s (VE_E2E_TIMEOUT_MS)`)), testTimeoutMs);
  });
  try {
    await Promise.race([
      (async () => {
        vs = await openVscode(browser, { name: t.name, folder: t.folder ?? sampleDataset });
        await t.run(vs);
      })(),
      timeout,
    ]);
  } catch (err) {
    await vs?.screenshot(`${t.name}-FAILED`).catch(() => undefined);
    throw err;
  } finally {
    clearTimeout(timer);
    await vs?.close();
  }
}

async function main(): Promise<number> {
  assertSampleDataset();
  const args = process.argv.slice(2);
  const names = args.filter((a) => !a.endsWith('.js') && !a.endsWith('.ts'));
  const files = e2eFiles(args);
  if (files.length === 0) {
    console.error(`e2e: no *.e2e.js files in ${e2eOut}; did \`npm run build\` run?`);
    return 1;
  }
  const counts = { passed: 0, failed: 0, skipped: 0 };
  const sampleBefore = sampleSnapshot();
  const browser = await launchBrowser();
  try {
    for (const file of files) {
      const tests = (require(file) as { tests?: E2eTest[] }).tests ?? [];
      console.log(`\n${path.relative(repoRoot, file)}`);
      for (const t of tests.filter((x) => names.length === 0 || names.includes(x.name))) {
        const skip = t.skipIf?.();
        if (skip) {
          counts.skipped++;
          console.log(`  - ${t.name} (skipped: ${skip})`);
          continue;
        }
        const t0 = Date.now();
        let error: unknown;
        for (let attempt = 1; attempt <= 2; attempt++) {
          try {
            await runOne(browser, t);
            error = undefined;
            if (attempt === 2) console.log(`  e2e: "${t.name}" passed on the retry (attempt 2); attempt 1 was flaky`);
            break;
          } catch (err) {
            error = err;
            if (attempt === 1) console.log(`  e2e: RETRY: "${t.name}" failed on attempt 1 (${err instanceof Error ? err.message.split('\n')[0] : String(err)}); running it once more`);
          }
        }
        const secs = ((Date.now() - t0) / 1000).toFixed(1);
        if (error === undefined) {
          counts.passed++;
          console.log(`  ✔ ${t.name} (${secs} s)`);
        } else {
          counts.failed++;
          console.log(`  ✖ ${t.name} (${secs} s)\n    ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
        }
      }
    }
  } finally {
    await browser.close();
  }
  const changed = sampleChanges(sampleBefore, sampleSnapshot());
  if (changed.length > 0) {
    console.log(`e2e: FAILED: the run wrote into the read-only sample ${sampleDataset}:\n  ${changed.join('\n  ')}`);
    counts.failed++;
  }
  console.log(`e2e: ${counts.passed} passed, ${counts.failed} failed${counts.skipped ? ` (${counts.skipped} skipped)` : ''}`);
  return counts.failed > 0 ? 1 : 0;
}

main().then((code) => process.exit(code), (err: unknown) => {
  console.error(err);
  process.exit(1);
});
