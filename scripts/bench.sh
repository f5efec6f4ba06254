#!/usr/bin/env bash
# Benchmarks cg-revenue against what people use instead, in one run, and writes the table with
# the machine's description to bench/results.md. Traffic stays on loopback.
#   scripts/bench.sh                       # 10k, 100k and 1M uploads (needs ~2 GB of disk)
#   BENCH_SIZES="10000 100000" scripts/bench.sh
set -euo pipefail
cd "$(dirname "$0")/.."
sizes="${BENCH_SIZES:-10000 100000 1000000}"
live_uploads="${BENCH_LIVE_UPLOADS:-50000}"
work="${BENCH_DIR:-bench/data}"
mkdir -p "$work" bench

need() { command -v "$1" >/dev/null 2>&1 || { echo "installing $2" >&2; apt-get install -y -qq "$2" >/dev/null; }; }
need jq jq
need xmllint libxml2-utils
need curl curl
[ -x /usr/bin/time ] || apt-get install -y -qq time >/dev/null

swift build -c release --product cg-revenue >&2
swift build -c release --product cg-sandbox >&2
cg=.build/release/cg-revenue
sandbox=.build/release/cg-sandbox

# measure NAME BYTES UPLOADS -- command...: one timed run; prints a table row, keeps seconds in $last
declare -A seconds
declare -A peak_mb
declare -A commands
rows=""
measure() {
  local name="$1" bytes="$2" uploads="$3"; shift 4
  commands[$name]="$*"
  /usr/bin/time -f "%e %M" -o "$work/time.txt" "$@" >/dev/null 2>"$work/stderr.txt" || { echo "  $name failed:" >&2; tail -3 "$work/stderr.txt" >&2; }
  local out; out=$(tail -1 "$work/time.txt")
  local wall=${out% *} rss=${out#* }
  seconds[$name]=$wall
  peak_mb[$name]=$((rss / 1024))
  local mbs ups
  mbs=$(python3 -c "print(f'{$bytes/1e6/max($wall,0.001):.1f}' if $bytes else '–')")
  ups=$(python3 -c "print(f'{$uploads/max($wall,0.001):,.0f}')")
  rows+="| $name | $wall | $mbs | $ups | $((rss / 1024)) |"$'\n'
  echo "  $name: ${wall}s, ${mbs} MB/s, ${ups} uploads/s, $((rss / 1024)) MB peak" >&2
}
# median_peak NAME: the median peak RSS in MB of 3 more runs of NAME's command (one run's peak
# swings by a few MB with the threads' timing, enough to make a flat line look like growth).
median_peak() {
  local list="" i
  for i in 1 2 3; do
    /usr/bin/time -f "%M" -o "$work/peak.txt" ${commands[$1]} >/dev/null 2>&1 || true
    list+="$(tail -1 "$work/peak.txt") "
  done
  python3 -c "import statistics; print(int(statistics.median([int(x) for x in '$list'.split()])) // 1024)"
}
ratio() { python3 -c "a=${seconds[$1]}; b=${seconds[$2]}; print(f'{b/max(a,0.001):.2f}x')"; }
# median_ratio PAIRS 'COMMAND A' 'COMMAND B': A's wall time over B's, the median of PAIRS pairs run in
# turn. One run of each swings by a third on a shared machine; pairs taken close together keep the
# ratio true.
median_ratio() {
  local list="" i a b
  for i in $(seq "$1"); do
    # `|| true`: a command may end non-zero by design (check's exit 3 for a file with problems);
    # only its time is read here.
    a=$( { /usr/bin/time -f "%e" sh -c "$2 >/dev/null 2>&1" || true; } 2>&1 | tail -1)
    b=$( { /usr/bin/time -f "%e" sh -c "$3 >/dev/null 2>&1" || true; } 2>&1 | tail -1)
    list+="$a/$b,"
  done
  python3 -c "import statistics; print(statistics.median([eval(p) for p in '$list'.strip(',').split(',')]))"
}
# paired 'A' 'B': how much longer A takes than B (+N%), median of 5 pairs.
paired() { python3 -c "print(f'{($(median_ratio 5 "$1" "$2")) * 100 - 100:+.0f}%')"; }
# faster 'OURS' 'THEIRS': how many times as fast OURS is (THEIRS's time over ours), median of 3 pairs.
faster() { python3 -c "print(f'{1 / $(median_ratio 3 "$1" "$2"):.2f}x')"; }

summary=""
for n in $sizes; do
  for fmt in json xml; do
    dir="$work/$fmt-$n"
    if [ ! -d "$dir" ]; then
      $sandbox generate --uploads "$n" --seed 7 --from 2023-01-01 --to 2026-06-30 --page-size 1000 --format "$fmt" --out "$dir" >&2
    fi
  done
  # Every folder of this size read once first, so that no single run (ours or a yardstick's)
  # pays for reading from the disk what the others find in the page cache (a 1M folder made an
  # hour before and read cold took three times as long).
  for dir in "$work/json-$n" "$work/xml-$n" "$work/json-$n-random-dates" "$work/xml-$n-random-dates"; do
    if [ -d "$dir" ]; then cat "$dir"/* > /dev/null; fi
  done
  jbytes=$(du -cb "$work/json-$n"/*.json | tail -1 | cut -f1)
  xbytes=$(du -cb "$work/xml-$n"/*.xml | tail -1 | cut -f1)
  echo "== $n uploads" >&2
  rm -rf "$work/out"
  measure "cg-revenue replay JSON $n" "$jbytes" "$n" -- $cg report --replay "$work/json-$n" --out "$work/out" --name j --quiet
  measure "cg-revenue replay XML $n" "$xbytes" "$n" -- $cg report --replay "$work/xml-$n" --out "$work/out" --name x --quiet
  measure "jq to CSV $n" "$jbytes" "$n" -- sh -c "jq -r '.[] | [.id, .status, .source_filename, .date_upload, .total_records, .successful_records, .unsuccessful_records, (.logs|length), (.logs|tojson)] | @csv' $work/json-$n/*.json > $work/out/jq.csv"
  measure "python json+csv $n" "$jbytes" "$n" -- python3 scripts/bench-python.py "$work/json-$n" "$work/out/py.csv"
  measure "xmllint --stream $n" "$xbytes" "$n" -- sh -c "for f in $work/xml-$n/*.xml; do xmllint --stream --noout \$f || exit 1; done"
  # The same bytes through one xmllint process: libxml2's own throughput, with no start-up per
  # page (with pages of 1,000 uploads, starting 100 processes is most of the loop's time).
  measure "xmllint --stream, one process $n" "$xbytes" "$n" -- sh -c "xmllint --stream --noout $work/xml-$n/*.xml"
  # The same pages read newest first: every upload out of order, so the sorter (spilled runs and
  # a k-way merge) does the work that data in report order does not need.
  shuffled="$work/json-$n-newest-first"
  if [ ! -d "$shuffled" ]; then
    mkdir -p "$shuffled"
    total=$(ls "$work/json-$n" | wc -l)
    i=0
    for f in $(ls "$work/json-$n" | sort -V); do
      i=$((i + 1)); ln -s "$(cd "$work/json-$n" && pwd)/$f" "$shuffled/page-$(printf %05d $((total - i + 1))).json"
    done
  fi
  measure "cg-revenue replay JSON $n newest page first" "$jbytes" "$n" -- $cg report --replay "$shuffled" --out "$work/out" --name s --quiet
  # Ids in order, upload dates at random (another imitation of the API sends such data): every
  # run goes down the sorting path.
  for fmt in json xml; do
    dir="$work/$fmt-$n-random-dates"
    [ -d "$dir" ] || $sandbox generate --uploads "$n" --seed 7 --from 2023-01-01 --to 2026-06-30 --page-size 1000 --format "$fmt" --dates random --out "$dir" >&2
  done
  rbytes=$(du -cb "$work/json-$n-random-dates"/*.json | tail -1 | cut -f1)
  rxbytes=$(du -cb "$work/xml-$n-random-dates"/*.xml | tail -1 | cut -f1)
  measure "cg-revenue replay JSON $n dates at random" "$rbytes" "$n" -- $cg report --replay "$work/json-$n-random-dates" --out "$work/out" --name r --quiet
  measure "cg-revenue replay XML $n dates at random" "$rxbytes" "$n" -- $cg report --replay "$work/xml-$n-random-dates" --out "$work/out" --name rx --quiet
  summary+="- $n uploads, XML replay at $(ratio "cg-revenue replay XML $n" "xmllint --stream, one process $n") (in date order) and $(ratio "cg-revenue replay XML $n dates at random" "xmllint --stream, one process $n") (dates at random) of the throughput of one \`xmllint --stream --noout\` process over the same bytes; dates at random $(paired "$cg report --replay $work/xml-$n-random-dates --out $work/out --name rx --quiet" "$cg report --replay $work/xml-$n --out $work/out --name x --quiet") against date order (median of 5 pairs)"$'\n'
  random_vs_ordered=$(paired "$cg report --replay $work/json-$n-random-dates --out $work/out --name r --quiet" "$cg report --replay $work/json-$n --out $work/out --name j --quiet")
  jq_command="jq -r '.[] | [.id, .status, .source_filename, .date_upload, .total_records, .successful_records, .unsuccessful_records, (.logs|length), (.logs|tojson)] | @csv'"
  ours_random="$cg report --replay $work/json-$n-random-dates --out $work/out --name r --quiet"
  ours_ordered="$cg report --replay $work/json-$n --out $work/out --name j --quiet"
  summary+="- $n uploads in date order, medians of 3 pairs run in turn: $(faster "$ours_ordered" "$jq_command $work/json-$n/*.json > $work/out/jq.csv") as fast as jq, $(faster "$ours_ordered" "python3 scripts/bench-python.py $work/json-$n $work/out/py.csv") as fast as the Python script, $(faster "$cg report --replay $work/xml-$n --out $work/out --name x --quiet" "xmllint --stream --noout $work/xml-$n/*.xml") of one xmllint process's throughput (XML)"$'\n'
  summary+="- $n uploads, dates at random, medians of 3 pairs run in turn: $(faster "$ours_random" "$jq_command $work/json-$n-random-dates/*.json > $work/out/jq.csv") as fast as jq, $(faster "$ours_random" "python3 scripts/bench-python.py $work/json-$n-random-dates $work/out/py.csv") as fast as the Python script, $(faster "$cg report --replay $work/xml-$n-random-dates --out $work/out --name rx --quiet" "xmllint --stream --noout $work/xml-$n-random-dates/*.xml") of one xmllint process's throughput (XML)"$'\n'
  summary+="- $n uploads, dates at random: JSON replay $(python3 -c "a=${seconds["cg-revenue replay JSON $n"]}; b=${seconds["cg-revenue replay JSON $n dates at random"]}; print(f'{(b-a)/a*100:+.0f}%')") against the same size in date order in the one run above, $random_vs_ordered as the median of 5 pairs run in turn; vs jq $(ratio "cg-revenue replay JSON $n dates at random" "jq to CSV $n"), vs Python $(ratio "cg-revenue replay JSON $n dates at random" "python json+csv $n")"$'\n'
  if [ "$n" -ge 100000 ]; then
    # The workbook too: libxlsxwriter in constant-memory mode, from the rows the sorter carries.
    measure "cg-revenue replay JSON $n --emit csv,ndjson,html,xlsx" "$jbytes" "$n" -- $cg report --replay "$work/json-$n" --out "$work/out" --name w --quiet --emit csv,ndjson,html,xlsx
    summary+="- $n uploads: adding the XLSX costs $(python3 -c "a=${seconds["cg-revenue replay JSON $n"]}; b=${seconds["cg-revenue replay JSON $n --emit csv,ndjson,html,xlsx"]}; print(f'{b-a:+.1f} s')") (${peak_mb["cg-revenue replay JSON $n --emit csv,ndjson,html,xlsx"]} MB peak)"$'\n'
    # The same replay remembering every upload in a new history (the first night of a history:
    # every upload new, all recorded), against the run without it above.
    history="$work/history-$n.sqlite"
    rm -f "$history" "$history"-wal "$history"-shm "$history".lock
    measure "cg-revenue replay JSON $n --history (new file)" "$jbytes" "$n" -- $cg report --replay "$work/json-$n" --out "$work/out" --name h --quiet --history "$history"
    summary+="- $n uploads: JSON replay with a new --history $(python3 -c "a=${seconds["cg-revenue replay JSON $n"]}; b=${seconds["cg-revenue replay JSON $n --history (new file)"]}; print(f'{(b-a)/a*100:+.0f}% time')") against without, ${peak_mb["cg-revenue replay JSON $n --history (new file)"]} MB peak"$'\n'
    # A nightly run of one page (the last day's uploads) against that history, which now holds
    # every upload, and the same run without a history: median of 5 each.
    night="$work/json-$n-last-page"
    mkdir -p "$night"
    ln -sf "$(cd "$work/json-$n" && pwd)/$(ls "$work/json-$n" | sort -V | tail -1)" "$night/page.json"
    for mode in without with; do
      extra=""; [ "$mode" = with ] && extra="--history $history"
      for i in 1 2 3 4 5; do
        /usr/bin/time -f "%e %M" -o "$work/time-$i.txt" $cg report --replay "$night" --from 2026-06-30 --to 2026-06-30 --compare none --out "$work/out" --name n --quiet $extra >/dev/null 2>"$work/stderr.txt" || tail -3 "$work/stderr.txt" >&2
      done
      median=$(cat "$work"/time-[1-5].txt | grep -v Command | awk '{print $1}' | sort -n | sed -n 3p)
      rss=$(cat "$work"/time-[1-5].txt | grep -v Command | awk '{print $2}' | sort -n | tail -1)
      seconds["nightly one page $n $mode"]=$median
      rows+="| nightly run, one page, $mode a history of $n uploads (median of 5) | $median | – | – | $((rss / 1024)) |"$'\n'
      echo "  nightly one page $mode history of $n: ${median}s" >&2
    done
    summary+="- one-page nightly run against a history of $n uploads: $(python3 -c "a=${seconds["nightly one page $n without"]}; b=${seconds["nightly one page $n with"]}; print(f'{(b-a)*1000:+.0f} ms')") against the same run without a history (medians of 5)"$'\n'
    # The same on PostgreSQL (a throwaway cluster, scripts/pg-throwaway.sh): the first night of
    # every upload written to a new database, as a ratio to SQLite from pairs run in turn (each
    # run of a pair starts from an empty history: a file removed, a database made again), and the
    # one-page nightly run against the database that then holds every upload.
    if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
      pg_dir="$(cd "$work" && pwd)/pg"; pg_port=55499
      scripts/pg-throwaway.sh start "$pg_dir" "$pg_port"
      pg_url="postgresql://postgres@127.0.0.1:$pg_port/history_$n"
      pg_fresh="psql -q -h 127.0.0.1 -p $pg_port -U postgres -d postgres -c 'DROP DATABASE IF EXISTS history_$n' -c 'CREATE DATABASE history_$n'"
      sh -c "$pg_fresh" >/dev/null
      measure "cg-revenue replay JSON $n --history (new PostgreSQL database)" "$jbytes" "$n" -- $cg report --replay "$work/json-$n" --out "$work/out" --name h --quiet --history "$pg_url"
      pg_first="$pg_fresh >/dev/null && $cg report --replay $work/json-$n --out $work/out --name h --quiet --history $pg_url"
      sqlite_first="rm -f $history $history-wal $history-shm && $cg report --replay $work/json-$n --out $work/out --name h --quiet --history $history"
      pg_vs_sqlite=$(median_ratio 3 "$pg_first" "$sqlite_first")
      # The pairs leave both histories holding every upload, as the nights below need.
      for mode in sqlite postgresql; do
        target=$history; [ "$mode" = postgresql ] && target=$pg_url
        for i in 1 2 3 4 5; do
          /usr/bin/time -f "%e %M" -o "$work/time-$i.txt" $cg report --replay "$night" --from 2026-06-30 --to 2026-06-30 --compare none --out "$work/out" --name n --quiet --history "$target" >/dev/null 2>"$work/stderr.txt" || tail -3 "$work/stderr.txt" >&2
        done
        median=$(cat "$work"/time-[1-5].txt | grep -v Command | awk '{print $1}' | sort -n | sed -n 3p)
        rss=$(cat "$work"/time-[1-5].txt | grep -v Command | awk '{print $2}' | sort -n | tail -1)
        seconds["nightly one page $n $mode history"]=$median
        rows+="| nightly run, one page, a $mode history of $n uploads (median of 5) | $median | – | – | $((rss / 1024)) |"$'\n'
      done
      scripts/pg-throwaway.sh stop "$pg_dir"
      summary+="- $n uploads, first night into a new history: PostgreSQL takes $(python3 -c "print(f'{$pg_vs_sqlite:.2f}x')") the time of SQLite (median of 3 pairs run in turn, the database made again before each), ${peak_mb["cg-revenue replay JSON $n --history (new PostgreSQL database)"]} MB peak; one-page nightly run against a history of $n uploads: PostgreSQL $(python3 -c "a=${seconds["nightly one page $n sqlite history"]}; b=${seconds["nightly one page $n postgresql history"]}; print(f'{(b-a)*1000:+.0f} ms')") against SQLite (medians of 5)"$'\n'
    fi
  fi
  summary+="- $n uploads: JSON replay vs jq $(ratio "cg-revenue replay JSON $n" "jq to CSV $n"), vs Python $(ratio "cg-revenue replay JSON $n" "python json+csv $n") (pages newest first, sorted: vs jq $(ratio "cg-revenue replay JSON $n newest page first" "jq to CSV $n")); XML replay at $(ratio "xmllint --stream $n" "cg-revenue replay XML $n" | python3 -c "import sys; v=float(sys.stdin.read().strip()[:-1]); print(f'{1/v:.2f}x')") of the throughput of xmllint run once a page (the loop above)"$'\n'
done

# Peak memory from the smallest size measured above 10k to the largest: it should stay flat.
set -- $sizes
first_size=""; last_size=""
for n in "$@"; do if [ "$n" -gt 10000 ] && [ -z "$first_size" ]; then first_size=$n; fi; last_size=$n; done
if [ -n "$first_size" ] && [ "$first_size" != "$last_size" ]; then
  for job in "JSON|" "XML|" "JSON| dates at random" "XML| dates at random"; do
    fmt=${job%%|*}; suffix=${job#*|}
    a=$(median_peak "cg-revenue replay $fmt $first_size$suffix"); b=$(median_peak "cg-revenue replay $fmt $last_size$suffix")
    summary+="- peak RSS (median of 3 runs), $fmt replay$suffix: $a MB at $first_size uploads, $b MB at $last_size ($(python3 -c "print(f'{($b-$a)/$a*100:+.1f}%')"))"$'\n'
  done
fi

echo "== live: $live_uploads uploads, 25 ms per request" >&2
port=$(python3 -c "import socket; s=socket.socket(); s.bind(('127.0.0.1',0)); print(s.getsockname()[1]); s.close()")
$sandbox serve --port "$port" --uploads "$live_uploads" --latency-ms 25 --from 2023-01-01 --to 2026-06-30 > "$work/sandbox.log" 2>&1 &
sandbox_pid=$!
trap 'kill $sandbox_pid 2>/dev/null || true' EXIT
for _ in $(seq 50); do grep -q listening "$work/sandbox.log" && break; sleep 0.1; done
url="http://127.0.0.1:$port"
export CG_CLIENT_ID=sandbox-client CG_CLIENT_SECRET=sandbox-secret
# One unmeasured pull first: the sandbox keeps the pages it has rendered, so every measured run
# below (ours and curl's alike) is served the same way, from memory.
$cg report --base-url "$url" --auth-url "$url" --concurrency 8 --emit csv --out "$work/out" --name warm --quiet >/dev/null
measure "live --concurrency 1" 0 "$live_uploads" -- $cg report --base-url "$url" --auth-url "$url" --concurrency 1 --emit csv --out "$work/out" --name c1 --quiet
measure "live --concurrency 8" 0 "$live_uploads" -- $cg report --base-url "$url" --auth-url "$url" --concurrency 8 --emit csv --out "$work/out" --name c8 --quiet
cat > "$work/curl-loop.sh" <<CURL
set -e
token=\$(curl -s -X POST -d "grant_type=client_credentials&client_id=sandbox-client&client_secret=sandbox-secret" $url/oauth2/token | sed 's/.*"access_token":"\([^"]*\)".*/\1/')
start=0; rm -rf $work/curl; mkdir -p $work/curl
while :; do
  curl -s -H "Authorization: Bearer \$token" "$url/v4.1/file/company-revenue.json?start=\$start&limit=1000" > $work/curl/page-\$start.json
  grep -q 400184 $work/curl/page-\$start.json && break
  start=\$((start + 1000))
done
CURL
measure "curl loop" 0 "$live_uploads" -- bash "$work/curl-loop.sh"
if python3 -c 'import dlt' 2>/dev/null; then
  measure "dlt rest_api" 0 "$live_uploads" -- python3 scripts/bench-dlt.py "$url"
  dlt_line="; vs dlt $(ratio "live --concurrency 8" "dlt rest_api")"
else
  dlt_line="; dlt not installed (python3 -c 'import dlt' failed), not measured"
fi
summary+="- live: --concurrency 8 is $(ratio "live --concurrency 8" "live --concurrency 1") faster than --concurrency 1; vs the curl loop $(ratio "live --concurrency 8" "curl loop")$dlt_line"$'\n'

# `check`: a 1,000-row CSV (milliseconds, median of 5), then a 1M-row CSV and a 100k-row XLSX
# against scripts/bench-check-python.py applying the same rules (csv module, openpyxl read-only),
# as medians of 3 pairs run in turn, with our peak memory (median of 3).
echo "check" >&2
check_data="$work/check"
mkdir -p "$check_data"
[ -f "$check_data/r1k.csv" ] || python3 scripts/make-bench-revenue.py 1000 "$check_data/r1k.csv"
[ -f "$check_data/r1m.csv" ] || python3 scripts/make-bench-revenue.py 1000000 "$check_data/r1m.csv"
[ -f "$check_data/r100k.xlsx" ] || python3 scripts/make-bench-revenue.py 100000 "$check_data/r100k.xlsx"
# The largest .xls a sheet holds (65,536 rows with the header), made by xlwt.
python3 -c 'import xlwt, xlrd' 2>/dev/null || python3 -m pip install -q xlwt xlrd 2>/dev/null || python3 -m pip install -q --break-system-packages xlwt xlrd
[ -f "$check_data/r65k.xls" ] || python3 scripts/make-bench-revenue.py 65535 "$check_data/r65k.xls"
small=""
# (The command's output is silenced inside `sh -c`: silencing it outside would silence time too.)
for i in 1 2 3 4 5; do small+="$( { /usr/bin/time -f "%e" sh -c "$cg check $check_data/r1k.csv >/dev/null 2>&1" || true; } 2>&1 | tail -1) "; done
small_ms=$(python3 -c "import statistics; print(int(statistics.median([float(x) for x in '$small'.split()]) * 1000))")
measure "cg-revenue check 1M-row CSV" "$(stat -c %s "$check_data/r1m.csv")" 1000000 -- $cg check "$check_data/r1m.csv"
measure "python check 1M-row CSV" "$(stat -c %s "$check_data/r1m.csv")" 1000000 -- python3 scripts/bench-check-python.py "$check_data/r1m.csv"
measure "cg-revenue check 100k-row XLSX" "$(stat -c %s "$check_data/r100k.xlsx")" 100000 -- $cg check "$check_data/r100k.xlsx"
measure "python check 100k-row XLSX" "$(stat -c %s "$check_data/r100k.xlsx")" 100000 -- python3 scripts/bench-check-python.py "$check_data/r100k.xlsx"
measure "cg-revenue check 65,536-row XLS" "$(stat -c %s "$check_data/r65k.xls")" 65535 -- $cg check "$check_data/r65k.xls"
measure "python check 65,536-row XLS" "$(stat -c %s "$check_data/r65k.xls")" 65535 -- python3 scripts/bench-check-python.py "$check_data/r65k.xls"
summary+="- check: a 1,000-row CSV in ${small_ms} ms (median of 5, the whole process); 1M-row CSV $(faster "$cg check $check_data/r1m.csv" "python3 scripts/bench-check-python.py $check_data/r1m.csv") as fast as Python (csv), $(median_peak "cg-revenue check 1M-row CSV") MB peak; 100k-row XLSX $(faster "$cg check $check_data/r100k.xlsx" "python3 scripts/bench-check-python.py $check_data/r100k.xlsx") as fast as Python (openpyxl read-only), $(median_peak "cg-revenue check 100k-row XLSX") MB peak; 65,536-row XLS $(faster "$cg check $check_data/r65k.xls" "python3 scripts/bench-check-python.py $check_data/r65k.xls") as fast as Python (xlrd), $(median_peak "cg-revenue check 65,536-row XLS") MB peak (medians of 3 pairs run in turn)"$'\n'

# The hand-written section "Across runs" (figures gathered over several runs, which the README
# sums up in one line) is carried over from the file this run replaces.
across=""
[ -f bench/results.md ] && across=$(sed -n '/^## Across runs/,$p' bench/results.md)

{
  echo "# Benchmark results"
  echo
  echo "Made by \`scripts/bench.sh\` on $(date -u +%Y-%m-%dT%H:%MZ). Ratios come from this one run; the machine is shared and noisy."
  echo
  echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -sr), $(swift --version 2>/dev/null | head -1)"
  echo
  echo "| job | wall s | MB/s in | uploads/s | peak RSS MB |"
  echo "|---|---|---|---|---|"
  printf "%s" "$rows"
  echo
  echo "cg-revenue replay writes CSV, NDJSON, HTML and the manifest; jq and Python write the CSV only (jq does not sort)."
  echo "Live runs write the CSV and manifest; the curl loop only saves the pages."
  echo
  printf "%s" "$summary"
  if [ -n "$across" ]; then echo; printf "%s\n" "$across"; fi
} > bench/results.md
cat bench/results.md
