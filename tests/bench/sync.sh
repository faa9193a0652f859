#!/usr/bin/env bash
# Team sync benchmarks (issue 5), figures in docs/BENCHMARKS.md § Sync. Runs the Go
# benchmarks of backend/teamsync on the real disk against the in-process rqlite stand-in.
# SYNC_BENCH_BOOTSTRAP=N sets the bootstrap size (default 100000 rows × 3 columns);
# SYNC_BENCH_CONTACTS=N the realistic one (real contacts table, 20 filled columns; default
# 100000, the issue's size is 1000000). MAGPIE_BENCH_LOCK=/tmp/magpie-bench.lock makes the
# contacts bootstrap take that lock only after its (long) seeding; SYNC_BENCH_STATE=/path.db
# keeps the seeded cluster file for the next run; SYNC_BENCH_CPUPROFILE=/path.prof profiles
# the measured bootstrap only.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
count="${SYNC_BENCH_COUNT:-3}"
echo "load: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
go test -run '^$' -bench 'LocalEdit' -benchtime 2000x -count "$count" ./backend/teamsync/ | grep -E '^Benchmark'
go test -run '^$' -bench 'Push500|PullApply10k' -benchtime 5x -count "$count" ./backend/teamsync/ | grep -E '^Benchmark'
go test -run '^$' -bench 'EditVisible' -benchtime 10x -count 1 ./backend/teamsync/ | grep -E '^Benchmark'
go test -run '^$' -bench 'Bootstrap$' -benchtime 1x -count 1 -timeout 30m ./backend/teamsync/ | grep -E '^Benchmark'
go test -run '^$' -bench 'BootstrapContacts' -benchtime 1x -count 1 -timeout 90m ./backend/teamsync/ | grep -E '^Benchmark'
# The real application's bootstrap (magpie sync --once, the stand-in in its own process) from
# the seeded state file, when there is one and a built magpie.
if [ -n "${SYNC_BENCH_STATE:-}" ] && [ -f "$SYNC_BENCH_STATE" ] && [ -x "$root/build/bin/magpie" ]; then
  STATE="$SYNC_BENCH_STATE" tests/bench/sync-bootstrap-app.sh
fi
