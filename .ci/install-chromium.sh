#!/usr/bin/env bash
# Makes sure Debian's Chromium is installed at /usr/bin/chromium for the browser test
# (tests/browser). We never download a browser at run time (no `playwright install`): the
# test drives the distribution's package.
#
# * Chromium already there and it runs: print its version, nothing else.
# * Else install the `chromium` package with apt-get (as root, or through `sudo -n`), without
#   recommended packages and without questions; `apt-get update` runs only when the first
#   attempt fails (no or stale package lists).
# * Cannot install (no apt-get, not root and no password-less sudo, install failed): say why.
#   With CI=true this is an error (exit 1); on a developer's machine it exits 0, and the
#   browser test skips itself, so the rest of the suite still runs.
set -euo pipefail

chromium=/usr/bin/chromium

ci_is_set() {
  case "$(printf '%s' "${CI:-}" | tr '[:upper:]' '[:lower:]')" in
    1 | true | yes) return 0 ;;
    *) return 1 ;;
  esac
}

# Prints the version; fails when the binary is missing or does not run.
chromium_version() {
  local out
  [ -x "$chromium" ] || return 1
  # Debian's launcher script may print shell warnings on stderr; the version is on stdout.
  out="$("$chromium" --version 2>/dev/null)" || return 1
  case "$out" in
    *[Cc]hromium*) printf '%s\n' "$out" ;;
    *) return 1 ;;
  esac
}

give_up() {
  echo "install-chromium: $1" >&2
  if ci_is_set; then
    echo "install-chromium: CI is set, so the browser test cannot be skipped: failing." >&2
    exit 1
  fi
  echo "install-chromium: continuing without Chromium; the browser test will be skipped." >&2
  echo "install-chromium: to run it, install Debian's package as root: apt-get install chromium" >&2
  exit 0
}

if version="$(chromium_version)"; then
  echo "$version"
  exit 0
fi

command -v apt-get >/dev/null 2>&1 || give_up "$chromium is missing and there is no apt-get to install it."

if [ "$(id -u)" -eq 0 ]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  as_root=(sudo -n)
else
  give_up "$chromium is missing and installing it needs root (no password-less sudo)."
fi

# DPkg::Lock::Timeout: wait for another apt run (e.g. unattended upgrades) instead of failing.
apt_get() {
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -q -y -o Dpkg::Use-Pty=0 -o DPkg::Lock::Timeout=300 "$@"
}

log="$(mktemp)"
trap 'rm -f "$log"' EXIT
echo "install-chromium: installing Debian's chromium package..."
if ! apt_get install --no-install-recommends chromium >"$log" 2>&1; then
  # Most often the package lists are missing (fresh container) or stale: refresh, then retry.
  if ! { apt_get update && apt_get install --no-install-recommends chromium; } >"$log" 2>&1; then
    cat "$log" >&2
    give_up "apt-get could not install chromium (output above)."
  fi
fi

if version="$(chromium_version)"; then
  echo "$version"
else
  cat "$log" >&2
  give_up "the chromium package is installed but $chromium --version does not run."
fi
