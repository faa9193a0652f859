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
awk '/^Benchmark/ { n = $1; sub(/-[0-9]+$/, "", n); v[n] = v[n] " " $3 }
  END { for (n in v) { k = split(substr(v[n], 2), a, " "); asort(a); printf "%-40s %10.3f ms\n", n, a[int((k + 1) / 2)] / 1e6 } }' "$out" | sort
rm -f "$out"
