#!/usr/bin/env bash
# Points benchmarks (issue 8): point rules applied to arriving events through events.Append,
# 50 active rules + 5 triggers, 200 contacts. Prints the median ns/op of each benchmark over
# COUNT runs.
set -euo pipefail
cd "$(dirname "$0")/../.."
COUNT="${COUNT:-5}"
out="$(mktemp)"
go test -run '^$' -bench . -benchtime "${BENCHTIME:-2000x}" -count "$COUNT" ./backend/points/ | tee "$out"
echo "== medians"
awk '/^Benchmark/ { n = $1; sub(/-[0-9]+$/, "", n); print n, $3 }' "$out" | sort -k1,1 -k2,2n |
  awk '{ v[$1] = v[$1] " " $2; c[$1]++ }
    END { for (n in v) { split(substr(v[n], 2), a, " "); printf "%-40s %10.3f ms\n", n, a[int((c[n] + 1) / 2)] / 1e6 } }' | sort
rm -f "$out"
