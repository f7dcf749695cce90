#!/usr/bin/env bash
# Installs what the build and the tests need: Debian packages, the extension's node_modules, and
# code-server + playwright-core in .vscode-test/code-server/. Idempotent; silent when all is there.
# Works as root on a fresh Debian 12 (or with sudo) and in CI (no stdin). See
# ../shared/docs/vscode-testing.md for why each step looks the way it does.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD

CODE_SERVER_VERSION=4.100.3
PLAYWRIGHT_CORE_VERSION=1.65.1
RIPGREP_CACHE_VERSION=1.15.11
RIPGREP_TARBALL=ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz

export DEBIAN_FRONTEND=noninteractive
export ONNXRUNTIME_NODE_INSTALL=skip
export npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false

say() { echo "setup: $*"; }
die() { echo "setup: ERROR: $*" >&2; exit 1; }

# --- Node -------------------------------------------------------------------------------------
command -v node >/dev/null || die "node is not installed. Install Node 20 (e.g. NodeSource nodejs 20.x) and rerun."
node_major=$(node -p 'process.versions.node.split(".")[0]')
[ "$node_major" = 20 ] || [ "$node_major" -gt 20 ] 2>/dev/null || die "Node $(node -v) found; Node 20 is required (code-server $CODE_SERVER_VERSION runs on Node 20)."
# node-gyp would download headers from nodejs.org (unreachable here); point it at the local ones.
if [ -z "${npm_config_nodedir:-}" ]; then
  node_prefix=$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")
  [ -f "$node_prefix/include/node/node.h" ] && export npm_config_nodedir="$node_prefix"
fi

# --- Debian packages (only the missing ones) --------------------------------------------------
apt_pkgs=(chromium libkrb5-dev ripgrep python3 make g++ python3-torch python3-onnx python3-torchvision
  python3-numpy python3-pil python3-opencv
  python3-sklearn python3-skimage python3-scipy python3-yaml)
missing=()
for p in "${apt_pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=()
  [ "$(id -u)" = 0 ] || SUDO=(sudo -n env DEBIAN_FRONTEND=noninteractive)
  say "installing Debian packages: ${missing[*]}"
  t0=$SECONDS
  "${SUDO[@]}" apt-get update -qq
  "${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  say "Debian packages installed in $((SECONDS - t0)) s"
fi

# Serialise npm work: several people (or CI steps) may share this checkout.
lock() { exec 9>/tmp/npm.lock && { ! command -v flock >/dev/null || flock 9; }; }
unlock() { exec 9>&-; }

# --- The extension's node_modules -------------------------------------------------------------
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "npm ci (node_modules missing or older than package-lock.json)"
  t0=$SECONDS
  lock
  npm ci --no-progress --loglevel=error
  unlock
  say "npm ci done in $((SECONDS - t0)) s"
fi

# --- code-server + playwright-core, in their own folder ---------------------------------------
CS_DIR="$ROOT/.vscode-test/code-server"
CS_MARK="$CS_DIR/.installed-$CODE_SERVER_VERSION-$PLAYWRIGHT_CORE_VERSION"
install_code_server() {
  [ -f "$CS_MARK" ] && return 0 # someone else finished while we waited for the lock
  say "installing code-server@$CODE_SERVER_VERSION and playwright-core@$PLAYWRIGHT_CORE_VERSION into .vscode-test/code-server (~2 min)"
  local t0=$SECONDS
  mkdir -p "$CS_DIR"
  # code-server's nested install downloads ripgrep from GitHub; seed its cache with Debian's rg.
  local tmp cache
  tmp=$(node -p 'require("os").tmpdir()')
  cache="$tmp/vscode-ripgrep-cache-$RIPGREP_CACHE_VERSION"
  if [ ! -s "$cache/$RIPGREP_TARBALL" ]; then
    mkdir -p "$cache"
    local stage
    stage=$(mktemp -d)
    cp "$(command -v rg)" "$stage/rg"
    tar -C "$stage" -czf "$cache/$RIPGREP_TARBALL" rg
    rm -rf "$stage"
  fi
  cat >"$CS_DIR/package.json" <<EOF
{
  "name": "vasculature-explorer-code-server",
  "private": true,
  "description": "code-server and playwright-core for the tests; installed by scripts/setup.sh",
  "dependencies": { "code-server": "$CODE_SERVER_VERSION", "playwright-core": "$PLAYWRIGHT_CORE_VERSION" }
}
EOF
  local log="$CS_DIR/install.log"
  # node-pty runs `npx node-gyp`, which npm refuses without yes=true.
  if ! (cd "$CS_DIR" && npm_config_yes=true npm install --unsafe-perm --no-progress --no-package-lock \
      --loglevel=error >"$log" 2>&1); then
    tail -40 "$log" >&2
    die "installing code-server failed; full log in $log"
  fi
  [ -x "$CS_DIR/node_modules/.bin/code-server" ] || die "code-server binary missing after install; see $log"
  touch "$CS_MARK"
  say "code-server installed in $((SECONDS - t0)) s"
}
if [ ! -f "$CS_MARK" ]; then
  lock
  install_code_server
  unlock
fi
