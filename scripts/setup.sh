#!/usr/bin/env bash
# Installs what a fresh Debian/Ubuntu machine lacks to build cg-revenue: the headers of libxml2,
# SQLite (the history, through GRDB), libxlsxwriter (STEM.xlsx) and libfreexl (`check` of .xls files), pkg-config, and the sqlite3
# shell (the tests check the history's integrity with it). Swift itself must be on PATH (or at /opt/swift: then add /opt/swift/usr/bin to
# PATH). Safe to run again.
set -euo pipefail
if ! command -v swift >/dev/null 2>&1; then
  if [ -x /opt/swift/usr/bin/swift ]; then
    echo "setup: swift is not on PATH; run: export PATH=/opt/swift/usr/bin:\$PATH" >&2
  else
    echo "setup: swift not found; install Swift 6.2 or later (https://www.swift.org/install/) and put it on PATH" >&2
  fi
  exit 1
fi
if command -v pkg-config >/dev/null 2>&1 && pkg-config --exists libxml-2.0 sqlite3 xlsxwriter freexl && command -v sqlite3 >/dev/null 2>&1; then
  exit 0
fi
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "setup: installing libxml2-dev, libsqlite3-dev, libxlsxwriter-dev, libfreexl-dev, sqlite3 and pkg-config" >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq libxml2-dev libsqlite3-dev libxlsxwriter-dev libfreexl-dev sqlite3 pkg-config >/dev/null
pkg-config --exists libxml-2.0 sqlite3 xlsxwriter freexl
