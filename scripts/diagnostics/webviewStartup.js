#!/usr/bin/env node
/**
 * Diagnostics (not a test): why does a new webview take ~1.2 s in this code-server?
 * Starts code-server + headless Chromium with the harness (build first: npm run build), loads only
 * the tiny extension in webview-probe-ext/, which opens 6 EMPTY webviews one after another and then
 * times host->webview messages by size. Prints each webview's creation -> script time, the browser's
 * requests and console lines during the second webview's start, and the message table.
 * Usage: node scripts/diagnostics/webviewStartup.js   (see docs/webview-startup.md)
 */
const fs = require('fs');
const os = require('os');
const path = require('path');
const harness = path.join(__dirname, '..', '..', 'out', 'test', 'harness');
const { startCodeServer } = require(path.join(harness, 'codeServer.js'));
const { launchBrowser, newLoopbackContext } = require(path.join(harness, 'browser.js'));
const { workbenchUrl } = require(path.join(harness, 'workbenchUrl.js'));

(async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 've-webview-probe-'));
  const outFile = path.join(tmp, 'out.json');
  process.env.VE_PROBE_OUT = outFile; // inherited by code-server and its extension host
  const server = await startCodeServer({ userDataDir: path.join(tmp, 'user-data'), extensionsDir: path.join(tmp, 'extensions'), logFile: path.join(tmp, 'code-server.log') });
  const browser = await launchBrowser();
  const log = [];
  try {
    const context = await newLoopbackContext(browser);
    context.on('request', (r) => log.push([Date.now(), 'request', r.url()]));
    const page = await context.newPage();
    page.on('console', (m) => log.push([Date.now(), 'console', m.text()]));
    await page.goto(workbenchUrl({ port: server.port, folder: tmp, extensionDevelopmentPaths: [path.join(__dirname, 'webview-probe-ext')] }));
    const deadline = Date.now() + 120_000;
    while (!fs.existsSync(outFile) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 500));
    if (!fs.existsSync(outFile)) throw new Error(`no result within 120 s; code-server log: ${path.join(tmp, 'code-server.log')}`);
    const r = JSON.parse(fs.readFileSync(outFile, 'utf8'));
    console.log('empty webviews, one after another: creation -> its script ran (ms):', r.emptyWebviews.map((w) => w.scriptMs).join(', '));
    const second = r.emptyWebviews[1];
    console.log('\nthe second webview\'s start, ms after its creation:');
    for (const [t, kind, text] of log) {
      if (t < second.startedAt || t > second.startedAt + second.scriptMs + 20) continue;
      if (kind === 'request' && !/webview\/browser\/pre\//.test(text)) continue;
      console.log(`  +${String(t - second.startedAt).padStart(5)}  ${kind.padEnd(8)} ${text.replace(/^https?:\/\/[^/]+\/[^/]+\/static\/out\/vs\/workbench\/contrib\/webview\/browser\/pre\//, 'pre/').slice(0, 160)}`);
    }
    console.log('\nhost -> webview messages (median of 10, 300 ms apart):');
    for (const [name, m] of Object.entries(r.messages)) console.log(`  ${name.padEnd(16)} one way ${m.oneWayMs} ms, round trip ${m.roundTripMs} ms`);
  } finally {
    await browser.close();
    await server.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
})().catch((e) => { console.error(e); process.exit(1); });
