#!/usr/bin/env bash
# Fuzzes the JSON and XML page parsers and the four revenue file readers of `check` with
# libFuzzer + AddressSanitizer, seeded from examples/ and the regression corpus, each for
# SECONDS (default 60) or, with --runs N, for N executions (no time bound). Only the targets
# named after the bound, when any are given. Crashes land in Fuzz/regressions/<target>/; every
# one kept there is replayed by the test suite. Each target's libFuzzer log is kept in
# .build-fuzz/<target>.log (its last lines give the executions and the coverage reached).
#   scripts/fuzz.sh 300
#   scripts/fuzz.sh --runs 1000000 FuzzRevenueCSV FuzzRevenueXLSX
set -euo pipefail
cd "$(dirname "$0")/.."
bound=(-max_total_time="${1:-60}")
if [ "${1:-}" = "--runs" ]; then
  bound=(-runs="$2")
  shift 2
else
  shift || true
fi
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(FuzzJSONPage FuzzXMLPage FuzzRevenueCSV FuzzRevenueXLSX FuzzRevenueXLS FuzzRevenueXML)
export CG_FUZZ=1
# Faults and leaks inside the libraries we use, each named with why (never our code's: those still end a run).
export LSAN_OPTIONS="suppressions=$PWD/Fuzz/lsan-suppressions.txt${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
export ASAN_OPTIONS="suppressions=$PWD/Fuzz/asan-suppressions.txt${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
scratch=.build-fuzz
# `--sanitize=fuzzer --sanitize=address` alone gives every Swift module `-sanitize=fuzzer
# -sanitize=address`, and swiftc keeps only the last: no Swift code would be instrumented for
# coverage (libFuzzer then finds nothing new: "no interesting inputs"). The one combined flag,
# passed last, instruments every module for both; the two --sanitize flags keep C code and the link.
for target in "${targets[@]}"; do
  swift build -c release --scratch-path "$scratch" --sanitize=fuzzer --sanitize=address -Xswiftc -sanitize=fuzzer,address --product "$target"
done
for target in "${targets[@]}"; do
  corpus="$scratch/corpus/$target"
  crashes="Fuzz/regressions/$target"
  mkdir -p "$corpus" "$crashes"
  case "$target" in
    FuzzJSONPage) python3 scripts/fuzz-seeds.py json "$corpus" ;;  # the example pages cut into records and small pages
    FuzzXMLPage) python3 scripts/fuzz-seeds.py xml "$corpus" ;;
    FuzzRevenue*) ext=$(echo "${target#FuzzRevenue}" | tr 'A-Z' 'a-z'); cp examples/revenue-files/*."$ext" "$corpus"/
                  cp Tests/RevenueReportTests/Fixtures/finance/*."$ext" "$corpus"/ 2>/dev/null || true ;;  # LibreOffice's files
  esac
  cp Fuzz/regressions/"$target"/* "$corpus"/ 2>/dev/null || true
  echo "== $target: ${bound[*]}"
  "$scratch/release/$target" "${bound[@]}" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix="$crashes/" -print_final_stats=1 "$corpus" > "$scratch/$target.log" 2>&1 || { tail -40 "$scratch/$target.log"; exit 1; }
  grep -E "^#[0-9]+ +(DONE|INITED)|stat::number_of_executed_units|ERROR|SUMMARY" "$scratch/$target.log" || true
done
