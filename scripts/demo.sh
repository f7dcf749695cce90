#!/usr/bin/env bash
# Opens VS Code with this extension on a dataset folder (default: the synthetic full dataset in
# .synthetic/full, generated once). Uses a desktop `code` when there is one; otherwise serves
# code-server on 127.0.0.1 and prints the URL to open. Usage: bash scripts/demo.sh [folder]
# Env: DEMO_PORT (default: a free port), DEMO_WEB=1 forces code-server even when `code` exists.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD

bash scripts/setup.sh
# Type errors in files still being written should not block a demo: tsc emits anyway.
npm run --silent build || { echo "demo: the build reported errors (above); bundling what was emitted" >&2; node scripts/bundle.js; }

FOLDER=${1:-}
if [ -z "$FOLDER" ]; then
  FOLDER="$ROOT/.synthetic/full"
  if [ ! -f "$FOLDER/polygons.jsonl" ]; then
    [ -f out/scripts/generateSynthetic.js ] || { echo "demo: out/scripts/generateSynthetic.js is missing (scripts/generateSynthetic.ts not written yet?). Pass a folder: bash scripts/demo.sh ../shared/data/hhv-sample" >&2; exit 1; }
    echo "demo: generating the synthetic dataset into .synthetic/full (once)"
    node out/scripts/generateSynthetic.js --out "$FOLDER"
  fi
fi
[ -d "$FOLDER" ] || { echo "demo: $FOLDER is not a folder" >&2; exit 1; }
FOLDER=$(cd "$FOLDER" && pwd)

if [ "${DEMO_WEB:-0}" != 1 ] && command -v code >/dev/null && code --version >/dev/null 2>&1; then
  echo "demo: opening desktop VS Code on $FOLDER"
  exec code --extensionDevelopmentPath="$ROOT" "$FOLDER"
fi

# No desktop VS Code: code-server, with the extension loaded from source through the `payload`
# parameter (the web workbench's stand-in for --extensionDevelopmentPath).
exec node -e '
const path = require("path");
const { demoProfileDir, startCodeServer } = require(path.resolve("out/test/harness/codeServer.js"));
const { workbenchUrl } = require(path.resolve("out/test/harness/workbenchUrl.js"));
const [folder, root, port] = process.argv.slice(1);
// One profile per demo folder, kept between runs: a person'"'"'s settings there stay theirs.
const profile = demoProfileDir(root, folder);
(async () => {
  const server = await startCodeServer({
    userDataDir: path.join(profile, "user-data"), extensionsDir: path.join(profile, "extensions"),
    logFile: path.join(profile, "code-server.log"), port: port ? Number(port) : undefined, keepUserSettings: true,
  });
  const url = workbenchUrl({ port: server.port, folder, extensionDevelopmentPaths: [root] });
  console.log(`\ndemo: VS Code (code-server) is serving ${folder}\n\n  ${url}\n\nOpen that URL in a browser on this machine (or forward port ${server.port}). Ctrl+C stops it.`);
  const stop = () => server.stop().then(() => process.exit(0));
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  setInterval(() => {}, 1 << 30);
})().catch((e) => { console.error(`demo: ${e.message}`); process.exit(1); });
' "$FOLDER" "$ROOT" "${DEMO_PORT:-}"
