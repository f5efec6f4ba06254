#!/usr/bin/env bash
# Builds cg-revenue in release mode and writes its shell completions and man page (both made by
# swift-argument-parser from the same definitions as --help) into DIR (default: ./dist).
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
echo "wrote $out/bin/cg-revenue, $out/completions/{cg-revenue.bash,_cg-revenue,cg-revenue.fish} and $out/man/man1/cg-revenue.1"
