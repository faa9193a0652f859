#!/usr/bin/env bash
# Dashboard benchmarks (issue 8): 1M contacts and 10M events generated once with set-based
# SQL into $MAGPIE_BENCH_DIR (default /tmp/magpie-bench-dash-1000000-10) and reused; the
# first run also logs the initial statistics catch-up over the whole log. Prints the median
# ms/op of each widget (last 30 days and last 12 months), of the default board, and of
# folding one appended event, over COUNT runs.
set -euo pipefail
cd "$(dirname "$0")/../.."
export MAGPIE_BENCH_CONTACTS="${MAGPIE_BENCH_CONTACTS:-1000000}"
export MAGPIE_BENCH_EVENTS="${MAGPIE_BENCH_EVENTS:-10}"
COUNT="${COUNT:-5}"
out="$(mktemp)"
go test -run '^$' -bench "${BENCH:-.}" -benchtime "${BENCHTIME:-5x}" -count "$COUNT" -timeout 3h ./backend/dashboard/ | tee "$out"
echo "== medians (${MAGPIE_BENCH_CONTACTS} contacts, $((MAGPIE_BENCH_CONTACTS * MAGPIE_BENCH_EVENTS)) events)"
awk '/^Benchmark/ { n = $1; sub(/-[0-9]+$/, "", n); v[n] = v[n] " " $3 }
  END { for (n in v) { k = split(substr(v[n], 2), a, " "); asort(a); printf "%-56s %10.2f ms\n", n, a[int((k + 1) / 2)] / 1e6 } }' "$out" | sort
rm -f "$out"
