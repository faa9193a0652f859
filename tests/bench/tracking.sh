#!/usr/bin/env bash
# Tracking benchmarks (figures go to docs/BENCHMARKS.md, section "Tracking").
#   1. page hits over HTTP into `magpie tracker` storing durably in the local SQLite file
#      (bounded Go load generator on loopback: throughput, p50/p90/p99 latency, stored == accepted);
#   2. the same into `magpie tracker --rqlite` writing to the rqlite stand-in, each in its own
#      process (tests/sync-demo/fakerqlite; sustained rate, none lost, CPU of each process);
#   3. desktop ingest of 1M queued hits (time, CPU, peak RSS).
# Usage: tests/bench/tracking.sh /path/to/magpie   (CONC, SECONDS_RUN, HITS override the sizes;
# ONLY_HTTP / ONLY_RQLITE run one part; RATE=R makes part 1 open-loop at R req/s (latency from
# each request's due time; CONC is then the connection pool); INFLIGHT, RQ_LATENCY tune part 2; TRACKLOAD and
# FAKERQLITE take prebuilt helpers; CPUPROFILE / LOADPROFILE profile the tracker / the load
# generator of part 1; TRACKER_ARGS adds flags to both trackers, e.g. --net-http)
set -euo pipefail
bin="${1:?usage: tracking.sh /path/to/magpie}"
root="$(cd "$(dirname "$0")/../.." && pwd)"
conc="${CONC:-64}"
secs="${SECONDS_RUN:-10}"
hits="${HITS:-1000000}"
work="$(mktemp -d)"
pid=""
rqpid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; [ -n "$rqpid" ] && kill "$rqpid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

hz="$(getconf CLK_TCK)"
ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
if [ -n "${TRACKLOAD:-}" ]; then cp "$TRACKLOAD" "$work/trackload"; else (cd "$root" && go build -o "$work/trackload" ./tests/bench/trackload); fi
if [ -z "${ONLY_RQLITE:-}" ]; then
echo "-- 1. HTTP page hits -> magpie tracker -> local SQLite (durable spool, group commit)"
prof=()
[ -n "${CPUPROFILE:-}" ] && prof=(--cpuprofile "$CPUPROFILE")
"$bin" --data-dir "$work/data" tracker --addr 127.0.0.1:0 --no-ingest --rate-limit 0 "${prof[@]}" ${TRACKER_ARGS:-} \
  --allowed-origins https://www.example.com >"$work/out" 2>"$work/log" &
pid=$!
for _ in $(seq 100); do grep -q listening "$work/out" 2>/dev/null && break; sleep 0.1; done
url="$(grep -o 'http://127.0.0.1:[0-9]*' "$work/out" | head -1)"
[ -n "$url" ] || { echo "tracker did not start"; cat "$work/log"; exit 1; }
t0="$(ticks)"
lprof=(); [ -n "${LOADPROFILE:-}" ] && lprof=(-cpuprofile "$LOADPROFILE")
"$work/trackload" -url "$url" -c "$conc" -d "${secs}s" ${RATE:+-rate "$RATE"} "${lprof[@]}" >"$work/load.json"
lcpu="$(grep -o '"cpu_ns":[0-9]*' "$work/load.json" | cut -d: -f2)"
for _ in $(seq 300); do
  curl -s "$url/health" | grep -q '"pending":0,' && break; sleep 0.1
done
curl -s "$url/health"; echo
cpu="$(( $(ticks) - t0 ))"
echo "tracker CPU: $(awk -v c="$cpu" -v h="$hz" 'BEGIN {printf "%.2f", c/h}')s for $(grep -o '"ok":[0-9]*' "$work/load.json" | cut -d: -f2) hits = $(awk -v c="$cpu" -v h="$hz" -v n="$(grep -o '"ok":[0-9]*' "$work/load.json" | cut -d: -f2)" 'BEGIN {printf "%.0f", n/(c/h)}') hits per CPU-second; load generator CPU: $(awk -v c="$lcpu" 'BEGIN {printf "%.2f", c/1e9}')s; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
kill -INT "$pid"; wait "$pid" 2>/dev/null || true; pid=""
stored="$("$bin" --data-dir "$work/data" tracking status | awk '/hits stored/ {print $3}')"
ok="$(grep -o '"ok":[0-9]*' "$work/load.json" | cut -d: -f2)"
echo "answered 200: $ok, rows in the hits table: $stored"
[ "$ok" -le "$stored" ] || { echo "LOST HITS: $ok answered, $stored stored"; exit 1; }
fi

[ -n "${ONLY_HTTP:-}" ] && exit 0

echo "-- 2. HTTP page hits -> magpie tracker --rqlite -> rqlite stand-in (three processes)"
if [ -n "${FAKERQLITE:-}" ]; then cp "$FAKERQLITE" "$work/fakerqlite"; else (cd "$root" && go build -o "$work/fakerqlite" ./tests/sync-demo/fakerqlite); fi
"$work/fakerqlite" -addr 127.0.0.1:0 -dir "$work/rq" -latency "${RQ_LATENCY:-0s}" >"$work/rqout" 2>"$work/rqlog" &
rqpid=$!
for _ in $(seq 100); do grep -q listening "$work/rqout" 2>/dev/null && break; sleep 0.1; done
rqurl="$(grep -o 'http://127.0.0.1:[0-9]*' "$work/rqout" | head -1)"
[ -n "$rqurl" ] || { echo "stand-in did not start"; cat "$work/rqlog"; kill "$rqpid"; exit 1; }
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$work/secret"
"$bin" --data-dir "$work/rqdata" tracker --addr 127.0.0.1:0 --rqlite "$rqurl" --secret-file "$work/secret" \
  --rqlite-inflight "${INFLIGHT:-4}" --rate-limit 0 ${TRACKER_ARGS:-} --allowed-origins https://www.example.com >"$work/out2" 2>"$work/log2" &
pid=$!
for _ in $(seq 100); do grep -q listening "$work/out2" 2>/dev/null && break; sleep 0.1; done
url="$(grep -o 'http://127.0.0.1:[0-9]*' "$work/out2" | head -1)"
[ -n "$url" ] || { echo "tracker did not start"; cat "$work/log2"; kill "$rqpid"; exit 1; }
rqticks() { awk '{print $14 + $15}' "/proc/$rqpid/stat"; }
t0="$(ticks)"; r0="$(rqticks)"; s0="$(date +%s.%N)"
"$work/trackload" -url "$url" -c "$conc" -d "${secs}s" >"$work/load2.json"
for _ in $(seq 600); do
  curl -s "$url/health" | grep -q '"pending":0,' && break; sleep 0.05
done
s1="$(date +%s.%N)"
health="$(curl -s "$url/health")"; echo "$health"
cpu="$(( $(ticks) - t0 ))"; rqcpu="$(( $(rqticks) - r0 ))"
kill -INT "$pid"; wait "$pid" 2>/dev/null || true; pid=""
ok="$(grep -o '"ok":[0-9]*' "$work/load2.json" | cut -d: -f2)"
lcpu="$(grep -o '"cpu_ns":[0-9]*' "$work/load2.json" | cut -d: -f2)"
rows="$(curl -s -XPOST "$rqurl/db/query" -H 'Content-Type: application/json' -d '["SELECT count(*), count(DISTINCT id) FROM hits"]' | grep -o '"values":\[\[[0-9]*,[0-9]*' | grep -o '[0-9]*,[0-9]*')"
kill "$rqpid"; wait "$rqpid" 2>/dev/null || true; rqpid=""
accepted="$(echo "$health" | grep -o '"accepted":[0-9]*' | cut -d: -f2)"
awk -v ok="$ok" -v acc="$accepted" -v rows="$rows" -v s0="$s0" -v s1="$s1" -v c="$cpu" -v rc="$rqcpu" -v l="$lcpu" -v h="$hz" 'BEGIN {
  split(rows, r, ","); t = s1 - s0
  printf "rqlite: %d answered 200, %d accepted, %d rows in the cluster (%d distinct) in %.2fs = %.0f hits/s sustained (stored and drained)\n", ok, acc, r[1], r[2], t, r[1] / t
  printf "CPU: tracker %.2fs (%.0f hits per CPU-second), stand-in %.2fs, load generator %.2fs\n", c / h, r[1] / (c / h), rc / h, l / 1e9
  exit !(r[1] == acc && r[2] == acc && acc >= ok) }' || { echo "HITS LOST OR DUPLICATED"; exit 1; }
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
[ -n "${ONLY_RQLITE:-}" ] && exit 0

echo "-- 3. ingest of $hits queued hits"
(cd "$root" && MAGPIE_BENCH=1 MAGPIE_BENCH_HITS="$hits" \
  go test -count=1 -timeout 30m -run 'TestBenchIngest$' -v ./backend/tracking/ | grep -E '^BENCH|FAIL|^ok')
