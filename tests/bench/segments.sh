#!/usr/bin/env bash
# Segment benchmarks (issue 3): 1M contacts, 10M page hits, 2,000 URLs, generated once into
# $MAGPIE_BENCH_DIR (default /tmp/magpie-bench-seg-1000000-10) and reused. Prints the
# median ns/op of each benchmark over COUNT runs.
set -euo pipefail
cd "$(dirname "$0")/../.."
export MAGPIE_BENCH_CONTACTS="${MAGPIE_BENCH_CONTACTS:-1000000}"
export MAGPIE_BENCH_HITS="${MAGPIE_BENCH_HITS:-10}"
COUNT="${COUNT:-5}"
out="$(mktemp)"
go test -run '^$' -bench . -benchtime "${BENCHTIME:-3x}" -count "$COUNT" -timeout 3h ./backend/segments/ | tee "$out"
echo "== medians (${MAGPIE_BENCH_CONTACTS} contacts, $((MAGPIE_BENCH_CONTACTS * MAGPIE_BENCH_HITS)) hits)"
awk '/^Benchmark/ { n = $1; sub(/-[0-9]+$/, "", n); v[n] = v[n] " " $3 }
  END { for (n in v) { k = split(substr(v[n], 2), a, " "); asort(a); printf "%-40s %10.2f ms\n", n, a[int((k + 1) / 2)] / 1e6 } }' "$out" | sort
rm -f "$out"
