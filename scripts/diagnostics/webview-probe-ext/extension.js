// Diagnostics extension for scripts/diagnostics/webviewStartup.js (not part of the product).
// Opens empty webviews one after another (creation -> their inline script's message), then times
// messages of several sizes to one webview and back; writes JSON to $VE_PROBE_OUT.
const vscode = require('vscode');
const fs = require('fs');

const html = (body) => `<!DOCTYPE html><html><head><meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline';"></head><body>${body}</body></html>`;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const median = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];

async function emptyWebviews(n) {
  const out = [];
  for (let i = 0; i < n; i++) {
    const t0 = Date.now();
    const panel = vscode.window.createWebviewPanel('probe.empty', `empty ${i}`, vscode.ViewColumn.Active, { enableScripts: true });
    const got = new Promise((r) => panel.webview.onDidReceiveMessage(r));
    panel.webview.html = html('<script>acquireVsCodeApi().postMessage(Date.now())</script>');
    const scriptAt = await got;
    out.push({ startedAt: t0, scriptMs: scriptAt - t0 });
    panel.dispose();
    await sleep(500);
  }
  return out;
}

async function messages() {
  const panel = vscode.window.createWebviewPanel('probe.echo', 'echo', vscode.ViewColumn.Active, { enableScripts: true });
  let waiter;
  panel.webview.onDidReceiveMessage((m) => { const w = waiter; waiter = undefined; w?.(m); });
  const ready = new Promise((r) => (waiter = r));
  panel.webview.html = html(`<script>const vs = acquireVsCodeApi(); window.addEventListener('message', (e) => vs.postMessage({ oneWayMs: Date.now() - e.data.sentAt })); vs.postMessage('ready');</script>`);
  await ready;
  const n = 512 * 512 * 3;
  const random = new Uint8Array(n);
  for (let i = 0; i < n; i++) random[i] = (Math.random() * 256) | 0;
  const payloads = { tiny: undefined, 'zeros 768 KiB': new Uint8Array(n), 'random 768 KiB': random, 'random 3 MiB': new Uint8Array(Buffer.concat([random, random, random, random])) };
  const out = {};
  for (const [name, p] of Object.entries(payloads)) {
    const oneWay = [], roundTrip = [];
    for (let i = 0; i < 10; i++) {
      const got = new Promise((r) => (waiter = r));
      const t0 = performance.now();
      void panel.webview.postMessage({ sentAt: Date.now(), p: p?.slice() });
      const m = await got;
      roundTrip.push(performance.now() - t0);
      oneWay.push(m.oneWayMs);
      await sleep(300);
    }
    out[name] = { oneWayMs: median(oneWay), roundTripMs: Math.round(median(roundTrip) * 10) / 10 };
  }
  panel.dispose();
  return out;
}

exports.activate = async function () {
  await sleep(5000); // the workbench settles
  const result = { emptyWebviews: await emptyWebviews(6), messages: await messages() };
  fs.writeFileSync(process.env.VE_PROBE_OUT || '/tmp/ve-webview-probe.json', JSON.stringify(result, null, 1));
};
