#!/usr/bin/env bash
# Fuzzes the JSON and XML page parsers and the four revenue file readers of `check` with
# libFuzzer + AddressSanitizer for SECONDS each (default 60), seeded from examples/ and the
# regression corpus. Only the targets named after SECONDS, when any are given. Crashes land in
# Fuzz/regressions/<target>/; every one kept there is replayed by the test suite.
#   scripts/fuzz.sh 300
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(FuzzJSONPage FuzzXMLPage FuzzRevenueCSV FuzzRevenueXLSX FuzzRevenueXLS FuzzRevenueXML)
export CG_FUZZ=1
scratch=.build-fuzz
for target in "${targets[@]}"; do
  swift build -c release --scratch-path "$scratch" --sanitize=fuzzer --sanitize=address --product "$target"
done
for target in "${targets[@]}"; do
  corpus="$scratch/corpus/$target"
  crashes="Fuzz/regressions/$target"
  mkdir -p "$corpus" "$crashes"
  case "$target" in
    FuzzJSONPage) python3 scripts/fuzz-seeds.py json "$corpus" ;;  # the example pages cut into records and small pages
    FuzzXMLPage) python3 scripts/fuzz-seeds.py xml "$corpus" ;;
    FuzzRevenue*) ext=$(echo "${target#FuzzRevenue}" | tr 'A-Z' 'a-z'); cp examples/revenue-files/*."$ext" "$corpus"/ ;;
  esac
  cp Fuzz/regressions/"$target"/* "$corpus"/ 2>/dev/null || true
  echo "== $target: ${seconds}s"
  "$scratch/release/$target" -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix="$crashes/" -print_final_stats=1 "$corpus" 2>&1 | tee "$scratch/$target.log" | grep -E "^#[0-9]+ +(DONE|INITED)|stat::|ERROR|SUMMARY" || true
done
