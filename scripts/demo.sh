#!/usr/bin/env bash
# Opens VS Code with this extension on a dataset folder (default: the synthetic full dataset in
# .synthetic/full, generated once). The extension is what a user gets: the VSIX built by
# scripts/package.js, installed into a fresh extensions folder (not the development folder).
# Uses a desktop `code` when there is one; otherwise serves code-server on 127.0.0.1 and prints
# the URL to open. Usage: bash scripts/demo.sh [folder]
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

# The VSIX, as a user installs it.
node scripts/package.js | grep '^package:' || { echo "demo: packaging the VSIX failed (run: node scripts/package.js)" >&2; exit 1; }
VSIX="$ROOT/$(node -p 'const p = require("./package.json"); `${p.name}-${p.version}-linux-x64.vsix`')"
# Each dataset folder has its own profile (two demos at once share nothing); its settings are kept.
DEMO_PROFILE=$(node -p 'require("./out/test/harness/codeServer.js").demoProfileDir(process.argv[1], process.argv[2])' "$ROOT" "$FOLDER")
DEMO_EXTENSIONS="$DEMO_PROFILE/extensions"
rm -rf "$DEMO_EXTENSIONS" && mkdir -p "$DEMO_EXTENSIONS"

if [ "${DEMO_WEB:-0}" != 1 ] && command -v code >/dev/null && code --version >/dev/null 2>&1; then
  echo "demo: installing $VSIX and opening desktop VS Code on $FOLDER"
  # The folder's own user-data directory too (as code-server's below): a demo never touches the
  # person's everyday profile, and the settings made in a demo stay with that folder's demo.
  mkdir -p "$DEMO_PROFILE/user-data"
  code --user-data-dir "$DEMO_PROFILE/user-data" --extensions-dir "$DEMO_EXTENSIONS" --install-extension "$VSIX"
  exec code --new-window --user-data-dir "$DEMO_PROFILE/user-data" --extensions-dir "$DEMO_EXTENSIONS" "$FOLDER"
fi

# No desktop VS Code: code-server, with the VSIX installed by `code-server --install-extension`
# into the fresh extensions folder.
exec node -e '
const path = require("path");
const { demoProfileDir, startCodeServer } = require(path.resolve("out/test/harness/codeServer.js"));
const { workbenchUrl } = require(path.resolve("out/test/harness/workbenchUrl.js"));
const { installVsix } = require(path.resolve("out/test/harness/installVsix.js"));
const [folder, root, port, vsix, extensionsDir] = process.argv.slice(1);
// One profile per demo folder, kept between runs: a person'"'"'s settings there stay theirs.
const profile = demoProfileDir(root, folder);
(async () => {
  const installed = installVsix(vsix, extensionsDir);
  console.log(`demo: installed ${path.basename(vsix)} into ${installed.folder} (${(installed.ms / 1000).toFixed(1)} s)`);
  const server = await startCodeServer({
    userDataDir: path.join(profile, "user-data"), extensionsDir,
    logFile: path.join(profile, "code-server.log"), port: port ? Number(port) : undefined, keepUserSettings: true,
  });
  const url = workbenchUrl({ port: server.port, folder });
  console.log(`\ndemo: VS Code (code-server) is serving ${folder}\n\n  ${url}\n\nOpen that URL in a browser on this machine (or forward port ${server.port}). Ctrl+C stops it.`);
  const stop = () => server.stop().then(() => process.exit(0));
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  setInterval(() => {}, 1 << 30);
})().catch((e) => { console.error(`demo: ${e.message}`); process.exit(1); });
' "$FOLDER" "$ROOT" "${DEMO_PORT:-}" "$VSIX" "$DEMO_EXTENSIONS"
