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

script=install-chromium
skipped="the browser test and the SOP PDFs"
packages_hint=chromium
# shellcheck source=.ci/apt.sh
source "$(dirname "$0")/apt.sh"

if version="$(chromium_version)"; then
  echo "$version"
  exit 0
fi

apt_install chromium

if version="$(chromium_version)"; then
  echo "$version"
else
  give_up "the chromium package is installed but $chromium --version does not run."
fi
