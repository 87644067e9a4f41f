#!/usr/bin/env bash
# Installs JupyterHub's proxy, configurable-http-proxy (an npm package), into the project's own
# folder VENV/hub-node/ for the team deployment (deploy/, `make team`) and its test
# (tests/deploy/test_team.py). Nothing is installed globally and nothing is downloaded at run
# time: `make team` and the test put VENV/hub-node/node_modules/.bin on the PATH.
#
# * The proxy already there and it runs: print its version, nothing else (idempotent).
# * Else `npm install` it from the npm registry, pinned to major version 4 (JupyterHub 5-6
#   work with it; it needs Node >= 10). Without node/npm, Debian's `nodejs` and `npm`
#   packages are installed first (as root, or through `sudo -n`).
# * Cannot install: say why. With CI=true this is an error (exit 1); on a developer's machine it
#   exits 0, and the team deployment's test skips itself.
#
# Usage: bash .ci/install-hub.sh [VENV]   (default .venv)
set -euo pipefail

venv="${1:-.venv}"
prefix="$venv/hub-node"
proxy="$prefix/node_modules/.bin/configurable-http-proxy"
version_spec="configurable-http-proxy@4"

script=install-hub
skipped="the team deployment's test (tests/deploy)"
packages_hint="nodejs npm"
# shellcheck source=.ci/apt.sh
source "$(dirname "$0")/apt.sh"

# Prints "configurable-http-proxy X.Y.Z at PATH"; fails when missing or when it does not run.
proxy_version() {
  local out
  [ -x "$proxy" ] && command -v node >/dev/null 2>&1 || return 1
  out="$("$proxy" --version 2>/dev/null)" || return 1
  [ -n "$out" ] || return 1
  printf 'configurable-http-proxy %s at %s\n' "$out" "$proxy"
}

if version="$(proxy_version)"; then
  echo "$version"
  exit 0
fi

if ! command -v npm >/dev/null 2>&1 || ! command -v node >/dev/null 2>&1; then
  apt_install nodejs npm
fi

mkdir -p "$prefix"
log="$(mktemp)"
echo "$script: installing $version_spec into $prefix from the npm registry..."
# --no-fund/--no-audit: no extra requests; --omit=dev: the proxy's runtime dependencies only.
if ! npm install --prefix "$prefix" --no-fund --no-audit --omit=dev --loglevel=error "$version_spec" >"$log" 2>&1; then
  cat "$log" >&2
  rm -f "$log"
  give_up "npm could not install $version_spec (output above)."
fi
rm -f "$log"

if version="$(proxy_version)"; then
  echo "$version"
else
  give_up "$version_spec is installed in $prefix but $proxy --version does not run."
fi
