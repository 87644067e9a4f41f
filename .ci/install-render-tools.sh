#!/usr/bin/env bash
# Makes sure the programs the SOP renderer runs are installed from Debian's packages:
#
#   graphviz        `dot` draws each playbook's decision flowchart as SVG
#   fonts-noto-cjk  a font with Chinese (and Latin, Cyrillic) glyphs for the flowcharts and PDFs
#   fonts-wqy-microhei  the Chinese font the documents ask for first: a TrueType font, which Chromium
#                   embeds in a PDF as a font subset in a fraction of the time Noto Sans CJK takes
#   fonts-dejavu-core   the Latin and Cyrillic font of English and Russian documents (no CJK subset)
#   fonts-dejavu-extra  DejaVu Sans Condensed, for the boxes of English and Russian flowcharts
#   poppler-utils   `pdftotext`, with which the tests read the PDFs back
#
# * All there: print one line per tool (versions, the CJK font), nothing else.
# * Else install the missing packages with apt-get (as root, or through `sudo -n`), without
#   recommended packages and without questions; `apt-get update` runs only when the first
#   attempt fails (no or stale package lists).
# * Cannot install (no apt-get, not root and no password-less sudo, install failed): say why
#   and what to install. With CI=true this is an error (exit 1); on a developer's machine it
#   exits 0, and the tests that need these tools skip themselves.
set -euo pipefail

packages_all=(graphviz fonts-noto-cjk fonts-wqy-microhei fonts-dejavu-core fonts-dejavu-extra poppler-utils)

script=install-render-tools
skipped="the SOP rendering and its tests"
packages_hint="${packages_all[*]}"
# shellcheck source=.ci/apt.sh
source "$(dirname "$0")/apt.sh"

# Each prints one line about its tool and fails when the tool is missing or does not run.
dot_version() {
  local out
  command -v dot >/dev/null 2>&1 || return 1
  out="$(dot -V 2>&1)" || return 1  # dot prints its version on stderr
  case "$out" in
    *graphviz*) printf '%s\n' "$out" ;;
    *) return 1 ;;
  esac
}

pdftotext_version() {
  local out
  command -v pdftotext >/dev/null 2>&1 || return 1
  # Old poppler versions exit 99 after printing the version; no `| head`: pipefail + SIGPIPE.
  out="$(pdftotext -v 2>&1)" || true
  out="${out%%$'\n'*}"
  case "$out" in
    *pdftotext*) printf '%s\n' "$out" ;;
    *) return 1 ;;
  esac
}

cjk_font() {
  local fonts
  command -v fc-list >/dev/null 2>&1 || return 1
  fonts="$(fc-list :lang=zh family 2>/dev/null | LC_ALL=C sort -u)"
  [ -n "$fonts" ] || return 1
  # The flowcharts ask for Noto Sans CJK SC first; any other CJK font is a working fallback.
  case $'\n'"$fonts"$'\n' in
    *$'\n'"Noto Sans CJK SC"$'\n'*) printf 'CJK font: Noto Sans CJK SC\n' ;;
    *) printf 'CJK font: %s\n' "${fonts%%$'\n'*}" ;;
  esac
}

# A font family installed, by its exact name (fontconfig).
has_family() {
  command -v fc-list >/dev/null 2>&1 || return 1
  fc-list : family 2>/dev/null | tr ',' '\n' | grep -qxF "$1"
}

document_fonts() {
  has_family "WenQuanYi Micro Hei" && has_family "DejaVu Sans" && has_family "DejaVu Sans Condensed" || return 1
  printf 'document fonts: WenQuanYi Micro Hei (zh), DejaVu Sans and DejaVu Sans Condensed (en, ru)\n'
}

# The packages whose tool is missing, one per line.
missing_packages() {
  dot_version >/dev/null || echo graphviz
  cjk_font >/dev/null || echo fonts-noto-cjk
  has_family "WenQuanYi Micro Hei" || echo fonts-wqy-microhei
  has_family "DejaVu Sans" || echo fonts-dejavu-core
  has_family "DejaVu Sans Condensed" || echo fonts-dejavu-extra
  pdftotext_version >/dev/null || echo poppler-utils
}

report() {
  dot_version && cjk_font && document_fonts && pdftotext_version
}

mapfile -t missing < <(missing_packages)
if [ "${#missing[@]}" -eq 0 ]; then
  report
  exit 0
fi

apt_install "${missing[@]}"

mapfile -t still_missing < <(missing_packages)
if [ "${#still_missing[@]}" -ne 0 ]; then
  give_up "apt-get ran, but these still do not work: ${still_missing[*]} (a program does not run, or fc-list finds no CJK font)."
fi
report
