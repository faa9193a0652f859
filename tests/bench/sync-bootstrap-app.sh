#!/usr/bin/env bash
# The real application's bootstrap (docs/BENCHMARKS.md § Sync, "Bootstrap, third pass"): a new
# data dir runs `magpie sync --once` against the rqlite stand-in (fakerqlite) in its own
# process, serving a copy of a seeded cluster state file. Prints the desktop process's wall,
# CPU and max RSS, and the stand-in's CPU.
#
#   STATE=/path/state1m.db [BIN=build/bin/magpie] [FAKE=path/fakerqlite] tests/bench/sync-bootstrap-app.sh
#
# STATE is the file BenchmarkBootstrapContacts seeds (SYNC_BENCH_STATE=…); it is copied, never
# modified. Run it under the machine's benchmark lock: flock /tmp/magpie-bench.lock …
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
: "${STATE:?STATE=/path/to/seeded/state.db}"
BIN="${BIN:-$root/build/bin/magpie}"
work="$(mktemp -d)"
fp=""
cleanup() { [ -n "$fp" ] && kill "$fp" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
FAKE="${FAKE:-$work/fakerqlite}"
[ -x "$FAKE" ] || (cd "$root" && go build -o "$FAKE" ./tests/sync-demo/fakerqlite)
mkdir -p "$work/fake/t1"
cp "$STATE" "$work/fake/t1/rqlite.db" # fakerqlite keeps its state in <dir>/t1/rqlite.db
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$FAKE" --addr "127.0.0.1:$port" --dir "$work/fake" >"$work/fake.log" 2>&1 &
fp=$!
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/status" >/dev/null 2>&1 && break; sleep 0.1; done
echo "load at start: $(cut -d' ' -f1-3 /proc/loadavg)"
f0=$(awk '{print $14+$15}' "/proc/$fp/stat")
/usr/bin/time -f "desktop: wall %e s, cpu %U user + %S sys, max RSS %M KB" \
  "$BIN" --data-dir "$work/desktop" sync --rqlite "http://127.0.0.1:$port" --once
f1=$(awk '{print $14+$15}' "/proc/$fp/stat")
echo "stand-in: cpu $(awk -v t=$((f1 - f0)) -v hz="$(getconf CLK_TCK)" 'BEGIN{printf "%.1f", t/hz}') s, $(grep VmHWM "/proc/$fp/status" | tr -s ' \t' ' ')"
echo "load at end: $(cut -d' ' -f1-3 /proc/loadavg)"
sqlite3 "$work/desktop/magpie.db" "SELECT 'contacts: ' || count(*) FROM contacts;
  SELECT 'contacts indexes: ' || count(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = 'contacts'"
