#!/usr/bin/env bash
# A "VS Code executable" for @vscode/test-electron / @vscode/test-cli: runs the suite in
# code-server + headless chromium instead (no desktop VS Code can be downloaded here).
exec node "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../../out/test/harness/vscodeShim.js" "$@"
