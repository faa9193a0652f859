#!/usr/bin/env bash
# Report benchmarks (issue 8): a store of MAGPIE_REPORTS_EVENTS events (default 10M) over
# MAGPIE_REPORTS_CONTACTS contacts (default 100k), generated once into MAGPIE_REPORTS_DIR
# (default /tmp/magpie-bench-reports-<contacts>-<events>) and reused. Prints the median
# ns/op and CPU ms/op of each grouped report and of the 1M-row × 10-column XLSX export; with
# the built binary as $1 it also measures that export's max RSS through the CLI.
set -euo pipefail
cd "$(dirname "$0")/../.."
bin="${1:-}"
export MAGPIE_REPORTS_EVENTS="${MAGPIE_REPORTS_EVENTS:-10000000}"
export MAGPIE_REPORTS_CONTACTS="${MAGPIE_REPORTS_CONTACTS:-100000}"
export MAGPIE_REPORTS_DIR="${MAGPIE_REPORTS_DIR:-/tmp/magpie-bench-reports-${MAGPIE_REPORTS_CONTACTS}-${MAGPIE_REPORTS_EVENTS}}"
COUNT="${COUNT:-3}"
out="$(mktemp)"
go test -run '^$' -bench . -benchtime 1x -count "$COUNT" -timeout 3h ./backend/reports/ | tee "$out"
echo "== medians (${MAGPIE_REPORTS_EVENTS} events)"
awk '/^Benchmark/ { n = $1; sub(/-[0-9]+$/, "", n); v[n] = v[n] " " $3; for (i = 4; i < NF; i++) if ($(i+1) == "cpu-ms/op") c[n] = c[n] " " $i }
  END { for (n in v) { k = split(substr(v[n], 2), a, " "); asort(a); m = split(substr(c[n], 2), b, " "); asort(b);
    printf "%-55s %10.0f ms wall %8.0f ms cpu\n", n, a[int((k + 1) / 2)] / 1e6, b[int((m + 1) / 2)] } }' "$out" | sort
rm -f "$out"
if [ -n "$bin" ] && [ -x "$bin" ]; then
  tmp="$(mktemp -d)"
  days=$(( 1000 * 1000000 / (MAGPIE_REPORTS_EVENTS / 2) ))
  to=$(date -u -d "2024-01-01 + $((days - 1)) days" +%F)
  cat > "$tmp/r.json" <<JSON
{"magpie":"report","name":"bench 1M page hits","definition":{"source":"page.hits",
 "columns":["at","type","contact_id","url","title","referrer","device_type","device_os","utm_source","utm_campaign"],
 "groupBy":["at:month"],"graph":"bar","dateFrom":"2024-01-01","dateTo":"$to"}}
JSON
  id=$("$bin" --data-dir "$MAGPIE_REPORTS_DIR" reports import "$tmp/r.json" | awk '{print $1}')
  /usr/bin/time -v "$bin" --data-dir "$MAGPIE_REPORTS_DIR" reports run "$id" --format xlsx -o "$tmp/r.xlsx" 2> "$tmp/time.txt"
  grep -E "Elapsed|Maximum resident|User time|System time" "$tmp/time.txt"
  "$bin" --data-dir "$MAGPIE_REPORTS_DIR" reports delete "$id"
  rm -rf "$tmp"
fi
