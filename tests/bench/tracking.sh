#!/usr/bin/env bash
# Tracking benchmarks (figures go to docs/BENCHMARKS.md, section "Tracking").
#   1. page hits over HTTP into `magpie tracker` storing durably in the local SQLite file
#      (bounded Go load generator on loopback: throughput, p50/p90/p99 latency, stored == accepted);
#   2. hits into the rqlite stand-in through the tracker (sustained rate, none lost);
#   3. desktop ingest of 1M queued hits (time, CPU, peak RSS).
# Usage: tests/bench/tracking.sh /path/to/magpie   (CONC, SECONDS, HITS override the sizes)
set -euo pipefail
bin="${1:?usage: tracking.sh /path/to/magpie}"
root="$(cd "$(dirname "$0")/../.." && pwd)"
conc="${CONC:-64}"
secs="${SECONDS_RUN:-10}"
hits="${HITS:-1000000}"
work="$(mktemp -d)"
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

echo "-- 1. HTTP page hits -> magpie tracker -> local SQLite (durable spool, group commit)"
if [ -n "${TRACKLOAD:-}" ]; then cp "$TRACKLOAD" "$work/trackload"; else (cd "$root" && go build -o "$work/trackload" ./tests/bench/trackload); fi
prof=()
[ -n "${CPUPROFILE:-}" ] && prof=(--cpuprofile "$CPUPROFILE")
"$bin" --data-dir "$work/data" tracker --addr 127.0.0.1:0 --no-ingest --rate-limit 0 "${prof[@]}" \
  --allowed-origins https://www.example.com >"$work/out" 2>"$work/log" &
pid=$!
for _ in $(seq 100); do grep -q listening "$work/out" 2>/dev/null && break; sleep 0.1; done
url="$(grep -o 'http://127.0.0.1:[0-9]*' "$work/out" | head -1)"
[ -n "$url" ] || { echo "tracker did not start"; cat "$work/log"; exit 1; }
ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
t0="$(ticks)"
"$work/trackload" -url "$url" -c "$conc" -d "${secs}s" >"$work/load.json"
lcpu="$(grep -o '"cpu_ns":[0-9]*' "$work/load.json" | cut -d: -f2)"
for _ in $(seq 300); do
  curl -s "$url/health" | grep -q '"pending":0,' && break; sleep 0.1
done
curl -s "$url/health"; echo
cpu="$(( $(ticks) - t0 ))"
hz="$(getconf CLK_TCK)"
echo "tracker CPU: $(awk -v c="$cpu" -v h="$hz" 'BEGIN {printf "%.2f", c/h}')s for $(grep -o '"ok":[0-9]*' "$work/load.json" | cut -d: -f2) hits = $(awk -v c="$cpu" -v h="$hz" -v n="$(grep -o '"ok":[0-9]*' "$work/load.json" | cut -d: -f2)" 'BEGIN {printf "%.0f", n/(c/h)}') hits per CPU-second; load generator CPU: $(awk -v c="$lcpu" 'BEGIN {printf "%.2f", c/1e9}')s; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
kill -INT "$pid"; wait "$pid" 2>/dev/null || true; pid=""
stored="$("$bin" --data-dir "$work/data" tracking status | awk '/hits stored/ {print $3}')"
ok="$(grep -o '"ok":[0-9]*' "$work/load.json" | cut -d: -f2)"
echo "answered 200: $ok, rows in the hits table: $stored"
[ "$ok" -le "$stored" ] || { echo "LOST HITS: $ok answered, $stored stored"; exit 1; }

[ -n "${ONLY_HTTP:-}" ] && exit 0

echo "-- 2. hits -> tracker -> rqlite stand-in, and 3. ingest of $hits queued hits"
(cd "$root" && MAGPIE_BENCH=1 MAGPIE_BENCH_SECONDS="$secs" MAGPIE_BENCH_CONC="$conc" MAGPIE_BENCH_HITS="$hits" \
  go test -count=1 -timeout 30m -run 'TestBench(RqliteStore|Ingest)$' -v ./backend/tracking/ | grep -E '^BENCH|FAIL|^ok')
