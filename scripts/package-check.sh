#!/usr/bin/env bash
# Tries what scripts/package.sh made as an operator would, on this machine (root, or sudo):
#  1. apt install ./dist/cg-revenue_VERSION_amd64.deb
#  2. with no Swift on the path (env -i PATH=/usr/bin:/bin): --version, and the replay of the example
#     data the package carries writes the reports (read back by Python's csv)
#  3. ldd names no Swift library; systemd-analyze verify passes on both units (where it exists); the
#     job's user exists; the credentials file is root's, mode 0600; the man page is found
#  4. dpkg -r removes the binary and keeps the config; then purge, as before the check
#  5. the tarball unpacked into an empty folder runs the same replay
# Exits non-zero at the first thing that is not so, saying what.
set -euo pipefail
cd "$(dirname "$0")/.."
sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
deb=$(ls dist/cg-revenue_*_amd64.deb 2>/dev/null | sort -V | tail -1)
tarball=$(ls dist/cg-revenue-*-linux-x86_64.tar.gz 2>/dev/null | sort -V | tail -1)
[ -n "$deb" ] && [ -n "$tarball" ] || { echo "package-check: run scripts/package.sh first" >&2; exit 1; }
fail() { echo "package-check: FAILED: $*" >&2; exit 1; }
step() { echo "package-check: $*"; }
work=$(mktemp -d)
had_user=false; getent passwd cg-revenue >/dev/null && had_user=true
cleanup() {
  rm -rf "$work"
  $sudo dpkg --purge cg-revenue >/dev/null 2>&1 || true
  $had_user || $sudo userdel cg-revenue >/dev/null 2>&1 || true
}
trap cleanup EXIT
bare() { env -i PATH=/usr/bin:/bin HOME="$work" "$@"; }

step "installing $deb ($(du -h "$deb" | cut -f1))"
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "./$deb" >/dev/null
[ "$(command -v cg-revenue)" = /usr/bin/cg-revenue ] || fail "cg-revenue is not /usr/bin/cg-revenue"
bare sh -c 'command -v swift' && fail "swift is on the bare path"
version=$(basename "$deb" | sed 's/^cg-revenue_\(.*\)_amd64\.deb$/\1/')
[ "$(bare cg-revenue --version)" = "$version" ] || fail "--version does not say $version"
step "--version: $version, with no Swift on the path"

if ldd /usr/bin/cg-revenue | grep -Ei 'swift|libFoundation|libdispatch'; then fail "ldd names a Swift library"; fi
step "ldd: $(ldd /usr/bin/cg-revenue | awk '{print $1}' | tr '\n' ' ')"

mkdir "$work/run"
(cd "$work/run" && bare cg-revenue report --replay /usr/share/doc/cg-revenue/examples/responses --from 2026-01-01 --to 2026-06-30 \
  --out reports --quiet) || fail "the replay of the packaged examples"
stem="$work/run/reports/revenue-uploads_2026-01-01_2026-06-30"
for ext in csv ndjson html manifest.json; do [ -s "$stem.$ext" ] || fail "no $stem.$ext"; done
rows=$(python3 -c 'import csv,sys; print(len(list(csv.reader(open(sys.argv[1], newline="", encoding="utf-8")))) - 1)' "$stem.csv")
[ "$rows" -gt 0 ] || fail "the CSV has no row"
step "the replay wrote the four outputs ($rows uploads in the CSV)"

getent passwd cg-revenue >/dev/null || fail "no user cg-revenue"
[ "$($sudo stat -c '%a %U' /etc/cg-revenue/credentials.env)" = "600 root" ] || fail "credentials.env is not root's 0600"
man -w cg-revenue >/dev/null 2>&1 || [ -f /usr/share/man/man1/cg-revenue.1.gz ] || fail "no man page"
if command -v systemd-analyze >/dev/null 2>&1; then
  verify=$(systemd-analyze verify /lib/systemd/system/cg-revenue-nightly.service /lib/systemd/system/cg-revenue-nightly.timer 2>&1 || true)
  # Only what it says of our units counts (a container without systemd running also talks of its own).
  ours=$(printf '%s\n' "$verify" | grep -i 'cg-revenue' || true)
  [ -z "$ours" ] || fail "systemd-analyze verify: $ours"
  grep -q '^Persistent=true' /lib/systemd/system/cg-revenue-nightly.timer || fail "the timer is not Persistent"
  step "systemd-analyze verify: both units pass"
fi

$sudo dpkg -r cg-revenue >/dev/null
[ ! -e /usr/bin/cg-revenue ] || fail "dpkg -r left /usr/bin/cg-revenue"
[ -f /etc/cg-revenue/config.yaml ] || fail "dpkg -r took the config"
step "dpkg -r: the binary gone, /etc/cg-revenue/config.yaml kept"
$sudo dpkg --purge cg-revenue >/dev/null
[ ! -e /etc/cg-revenue/config.yaml ] || fail "purge left the config"

mkdir "$work/unpacked"
tar -C "$work/unpacked" -xzf "$tarball"
folder=$(ls "$work/unpacked")
(cd "$work/unpacked/$folder" && bare ./bin/cg-revenue report --replay examples/responses --from 2026-01-01 --to 2026-06-30 --out reports --quiet) \
  || fail "the tarball's replay"
cmp "$stem.csv" "$work/unpacked/$folder/reports/revenue-uploads_2026-01-01_2026-06-30.csv" || fail "the tarball's CSV differs from the .deb's"
step "the tarball ($(du -h "$tarball" | cut -f1)) runs the same replay, the same CSV"
step "all good"
