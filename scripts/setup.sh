#!/usr/bin/env bash
# Installs what a fresh Debian/Ubuntu machine lacks, and does nothing when it is there. Safe to run again.
#
#   scripts/setup.sh           to build and run cg-revenue: the headers of libxml2, SQLite (the history,
#                              through GRDB) and libxlsxwriter (STEM.xlsx), pkg-config
#   scripts/setup.sh --tests   the same, and what the tests read the outputs with (readers we did not
#                              write): the sqlite3 shell, promtool (Debian's prometheus), headless
#                              Chromium with a font, PostgreSQL's server (the tests start a throwaway
#                              cluster of their own), and Python's openpyxl and xlrd
#
# Swift itself must be on PATH (or at /opt/swift: then add /opt/swift/usr/bin to PATH).
set -euo pipefail
tests=false
for argument in "$@"; do
  case "$argument" in
    --tests) tests=true ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "setup: unknown option $argument (only --tests)" >&2; exit 2 ;;
  esac
done
if ! command -v swift >/dev/null 2>&1; then
  if [ -x /opt/swift/usr/bin/swift ]; then
    echo "setup: swift is not on PATH; run: export PATH=/opt/swift/usr/bin:\$PATH" >&2
  else
    echo "setup: swift not found; install Swift 6.2 or later (https://www.swift.org/install/) and put it on PATH" >&2
  fi
  exit 1
fi
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"

missing=()
if ! command -v pkg-config >/dev/null 2>&1 || ! pkg-config --exists libxml-2.0 sqlite3 xlsxwriter; then
  missing+=(libxml2-dev libsqlite3-dev libxlsxwriter-dev pkg-config)
fi
if $tests; then
  command -v sqlite3 >/dev/null 2>&1 || missing+=(sqlite3)
  command -v promtool >/dev/null 2>&1 || missing+=(prometheus)
  command -v chromium >/dev/null 2>&1 || missing+=(chromium fonts-dejavu-core)
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
  command -v python3 >/dev/null 2>&1 || missing+=(python3 python3-pip)
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
pkg-config --exists libxml-2.0 sqlite3 xlsxwriter

if $tests && ! python3 -c 'import openpyxl, xlrd' 2>/dev/null; then
  echo "setup: installing openpyxl and xlrd (pip)" >&2
  python3 -m pip install -q openpyxl xlrd 2>/dev/null || python3 -m pip install -q --break-system-packages openpyxl xlrd
  python3 -c 'import openpyxl, xlrd'
fi
exit 0
