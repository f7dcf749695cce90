#!/usr/bin/env bash
# The whole check, as CI runs it: setup, build, unit, integration (real VS Code), e2e (clicks +
# screenshots), installed (the VSIX and the CLI package built, installed and run as a user
# would). Runs every test stage even after a failure, prints each stage's wall time, and exits
# non-zero when any stage failed.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export ONNXRUNTIME_NODE_INSTALL=skip

names=() times=() codes=()
stage() {
  local name=$1
  shift
  printf '\n==================== %s ====================\n' "$name"
  local t0=$SECONDS
  "$@"
  local rc=$?
  names+=("$name") times+=($((SECONDS - t0))) codes+=("$rc")
  [ "$rc" = 0 ] || printf '>>> %s FAILED (exit %s)\n' "$name" "$rc"
  return "$rc"
}

summary() {
  printf '\n==================== summary ====================\n'
  local failed=0 i
  for i in "${!names[@]}"; do
    printf '%-12s %-6s %4ss\n' "${names[$i]}" "$([ "${codes[$i]}" = 0 ] && echo ok || echo FAILED)" "${times[$i]}"
    [ "${codes[$i]}" = 0 ] || failed=1
  done
  printf 'total        %11ss\n' "$SECONDS"
  [ "$failed" = 0 ] && echo "test.sh: all stages passed" || echo "test.sh: FAILED"
  return "$failed"
}

unit() {
  local files
  mapfile -t files < <(find out/test/unit -name '*.test.js' 2>/dev/null | sort)
  if [ ${#files[@]} -eq 0 ]; then echo "unit: no test files under out/test/unit"; return 0; fi
  node --test --test-reporter=spec "${files[@]}"
}

stage setup bash scripts/setup.sh || { summary; exit 1; }
stage build npm run --silent build || { summary; exit 1; }
stage unit unit
stage integration node out/test/harness/runIntegration.js
stage e2e node out/test/harness/runE2e.js
stage installed node out/test/harness/runInstalled.js
summary
