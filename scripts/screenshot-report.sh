#!/usr/bin/env bash
# Remakes the pictures of the example report that the README shows (examples/report-700.png and
# examples/report-390.png): the bundled example data, January to June 2026, as headless Chromium
# lays the HTML out at 700 px and on a 390 px phone.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"
browser=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
[ -n "$browser" ] || { echo "screenshot: needs chromium (apt-get install chromium)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
swift run -c debug cg-revenue report --replay examples/responses --from 2026-01-01 --to 2026-06-30 \
  --now 2026-07-01T06:00:00Z --emit html --out "$work" --name report --quiet >/dev/null
for size in 700,1900 390,2600; do
  width=${size%,*}
  "$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$work/profile" \
    --window-size="$size" --screenshot="examples/report-$width.png" "file://$work/report.html" 2>/dev/null
  echo "wrote examples/report-$width.png"
done
