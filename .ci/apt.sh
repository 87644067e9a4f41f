# Shared by the .ci/install-*.sh scripts (sourced, not run): install Debian packages without
# questions, as root or through `sudo -n`; `apt-get update` only when the first attempt fails
# (no or stale package lists). When that is impossible, say why and what to install: with
# CI=true that is an error (exit 1); on a developer's machine it exits 0 and the tests that
# need the packages skip themselves.
#
# The sourcing script sets: script (its name in messages), skipped (what cannot run without
# the packages) and packages_hint (what to install).

ci_is_set() {
  case "$(printf '%s' "${CI:-}" | tr '[:upper:]' '[:lower:]')" in
    1 | true | yes) return 0 ;;
    *) return 1 ;;
  esac
}

give_up() {
  echo "$script: $1" >&2
  if ci_is_set; then
    echo "$script: CI is set, so $skipped cannot be skipped: failing." >&2
    exit 1
  fi
  echo "$script: continuing without them; $skipped will be skipped." >&2
  echo "$script: to run them, install Debian's packages as root: apt-get install $packages_hint" >&2
  exit 0
}

# apt_install PACKAGE...: install the packages, or give up saying why.
apt_install() {
  local log
  command -v apt-get >/dev/null 2>&1 || give_up "missing: $*, and there is no apt-get to install them."
  if [ "$(id -u)" -eq 0 ]; then
    as_root=()
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    as_root=(sudo -n)
  else
    give_up "missing: $*, and installing them needs root (no password-less sudo)."
  fi
  log="$(mktemp)"
  echo "$script: installing Debian's $*..."
  if ! _apt_get install --no-install-recommends "$@" >"$log" 2>&1; then
    if ! { _apt_get update && _apt_get install --no-install-recommends "$@"; } >"$log" 2>&1; then
      cat "$log" >&2
      rm -f "$log"
      give_up "apt-get could not install $* (output above)."
    fi
  fi
  rm -f "$log"
}

# DPkg::Lock::Timeout: wait for another apt run (e.g. unattended upgrades) instead of failing.
_apt_get() {
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -q -y -o Dpkg::Use-Pty=0 -o DPkg::Lock::Timeout=300 "$@"
}
