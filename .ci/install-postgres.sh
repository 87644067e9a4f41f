#!/usr/bin/env bash
# Makes sure PostgreSQL's server programs (`initdb`, `pg_ctl`) are installed from Debian's
# packages for the progress-store tests (tests/training). The tests never use the system
# service: they create a throwaway cluster in a temporary directory, start it on 127.0.0.1
# and a free port, and stop it at the end. So this script never starts the service either.
#
# * `initdb` already there (on the PATH, or in Debian's /usr/lib/postgresql/<version>/bin)
#   and it runs: print its version, nothing else.
# * Else install the `postgresql` package (Debian 12: postgresql-15) with apt-get (as root, or
#   through `sudo -n`), without recommended packages and without questions; `apt-get update`
#   runs only when the first attempt fails (no or stale package lists). While it installs, a
#   temporary /usr/sbin/policy-rc.d (see invoke-rc.d(8)) denies starting services, so the
#   package's post-install script does not start the system cluster; we only add that file
#   when there is none, and remove it afterwards.
# * Cannot install (no apt-get, not root and no password-less sudo, install failed): say why.
#   With CI=true this is an error (exit 1); on a developer's machine it exits 0, and the
#   PostgreSQL tests skip themselves, so the rest of the suite (SQLite included) still runs.
set -euo pipefail

script=install-postgres
skipped="the PostgreSQL tests of the progress store"
packages_hint=postgresql
# shellcheck source=.ci/apt.sh
source "$(dirname "$0")/apt.sh"

policy_rc_d=/usr/sbin/policy-rc.d
policy_marker="# added by .ci/install-postgres.sh"
policy_added=""

# Prints the path of initdb: the PATH's, else the newest of Debian's versioned directories.
find_initdb() {
  local found
  if found="$(command -v initdb 2>/dev/null)"; then
    printf '%s\n' "$found"
    return 0
  fi
  found="$(ls -d /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n 1)" || true
  [ -n "$found" ] && [ -x "$found" ] || return 1
  printf '%s\n' "$found"
}

# Prints "initdb (PostgreSQL) 15.x at <path>"; fails when initdb is missing or does not run.
initdb_version() {
  local path out
  path="$(find_initdb)" || return 1
  out="$("$path" --version 2>/dev/null)" || return 1
  case "$out" in
    *PostgreSQL*) printf '%s at %s\n' "$out" "$path" ;;
    *) return 1 ;;
  esac
}

# Runs its arguments as root (directly, or through password-less sudo); fails otherwise.
run_as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo -n "$@"
  else
    return 1
  fi
}

deny_service_starts() {
  [ -e "$policy_rc_d" ] && return 0  # the machine has its own policy (e.g. Docker's): keep it
  if printf '#!/bin/sh\n%s: no service starts while installing\nexit 101\n' "$policy_marker" |
    run_as_root tee "$policy_rc_d" >/dev/null 2>&1 && run_as_root chmod 755 "$policy_rc_d"; then
    policy_added=yes
  fi
}

allow_service_starts() {
  if [ -n "$policy_added" ] && grep -qF "$policy_marker" "$policy_rc_d" 2>/dev/null; then
    run_as_root rm -f "$policy_rc_d" || true
  fi
}

if version="$(initdb_version)"; then
  echo "$version"
  exit 0
fi

trap allow_service_starts EXIT
deny_service_starts
apt_install postgresql

if version="$(initdb_version)"; then
  echo "$version"
else
  give_up "the postgresql package is installed but initdb --version does not run."
fi
