#!/usr/bin/env bash
# Builds cg-revenue in release mode and writes its shell completions and man page (both made by
# swift-argument-parser from the same definitions as --help, finished by scripts/finish-man.py)
# into DIR (default: ./dist); fails when `man --warnings -l` has anything to say about the page.
#   scripts/install-extras.sh            # then copy dist/ where your system looks, see README
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-dist}"
mkdir -p "$out/completions" "$out/man/man1" "$out/bin"
swift build -c release --product cg-revenue
swift build -c release --product generate-manual
bin=.build/release/cg-revenue
cp "$bin" "$out/bin/cg-revenue"
"$bin" --generate-completion-script bash > "$out/completions/cg-revenue.bash"
"$bin" --generate-completion-script zsh > "$out/completions/_cg-revenue"
"$bin" --generate-completion-script fish > "$out/completions/cg-revenue.fish"
.build/release/generate-manual "$bin" --output-directory "$out/man/man1"
python3 scripts/finish-man.py "$out/man/man1/cg-revenue.1"
# The page must read without a warning.
if command -v man >/dev/null 2>&1; then
  warnings=$(LC_ALL=C.UTF-8 man --warnings -l "$out/man/man1/cg-revenue.1" 2>&1 >/dev/null || true)
  if [ -n "$warnings" ]; then echo "man page warnings:" >&2; echo "$warnings" >&2; exit 1; fi
fi
echo "wrote $out/bin/cg-revenue, $out/completions/{cg-revenue.bash,_cg-revenue,cg-revenue.fish} and $out/man/man1/cg-revenue.1"
