#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for benchmarks and trials (the tests start their own the same
# way): Debian's postgresql binaries, initdb into DIR (as the postgres user when run as root),
# loopback only, a socket folder of its own, trust authentication.
#   scripts/pg-throwaway.sh start DIR PORT     # then postgresql://postgres@127.0.0.1:PORT/postgres
#   scripts/pg-throwaway.sh stop DIR
set -euo pipefail
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -x "$bin/initdb" ] || { echo "no PostgreSQL server binaries: apt-get install postgresql" >&2; exit 1; }
as_server() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
case "${1:-}" in
  start)
    dir=$2 port=$3
    mkdir -p "$dir"; [ "$(id -u)" -ne 0 ] || chown postgres "$dir"
    [ -d "$dir/data" ] || as_server "$bin/initdb" -D "$dir/data" -A trust -U postgres --no-sync >/dev/null
    as_server "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w -o "-p $port -k $dir -c listen_addresses=127.0.0.1" start >/dev/null
    ;;
  stop)
    as_server "$bin/pg_ctl" -D "$2/data" -m fast -w stop >/dev/null
    ;;
  *) echo "usage: $0 start DIR PORT | stop DIR" >&2; exit 2 ;;
esac
