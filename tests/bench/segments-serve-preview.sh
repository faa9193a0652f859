#!/usr/bin/env bash
# The segment editor's live count as the app runs it: `magpie serve` on the 1M benchmark store
# (tests/bench/segments.sh builds it), 5 warm-up previews of the three-filter segment, then N
# timed ones through the browser bridge. Prints each call's wall time and the serve process's
# CPU per preview. Run it under the bench lock:
#   BIN=build/bin/magpie flock /tmp/magpie-bench.lock tests/bench/segments-serve-preview.sh 20
set -euo pipefail
BIN=${BIN:-build/bin/magpie}
DATA=${MAGPIE_BENCH_DIR:-/tmp/magpie-bench-seg-1000000-10}
N=${1:-20}
D=$(mktemp -d)
FILTERS='[{"glue":"and","object":"lead","field":"city","operator":"=","properties":{"filter":"Paris"}},{"glue":"and","object":"behaviors","field":"hit_url","operator":"=","properties":{"filter":"https://site.example/pricing"}},{"glue":"or","object":"lead","field":"tags","operator":"in","properties":{"filter":["tag3"]}},{"glue":"and","object":"lead","field":"points","operator":"gt","properties":{"filter":"50"}}]'
python3 -c 'import json,sys; print(json.dumps([sys.argv[1], "", 20]))' "$FILTERS" > "$D/body.json"
"$BIN" serve --addr 127.0.0.1:0 --data-dir "$DATA" --url-file "$D/url" > "$D/log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null; rm -rf "$D"' EXIT
for _ in $(seq 1 1200); do [ -s "$D/url" ] && break; sleep 0.05; done
URL=$(cat "$D/url"); BASE=${URL%%/?token=*}; TOK=${URL##*token=}
call() { curl -s -o "$D/out" -w '%{time_total}' -H "X-Magpie-Token: $TOK" --data @"$D/body.json" "$BASE/rpc/app.Segments.Preview"; }
for _ in 1 2 3 4 5; do call > /dev/null; done
cpu() { awk '{print $14+$15}' "/proc/$PID/stat"; }
c0=$(cpu)
times=()
for _ in $(seq 1 "$N"); do times+=("$(call)"); sleep 0.4; done
c1=$(cpu)
python3 - "$N" "$c0" "$c1" "$(getconf CLK_TCK)" "${times[@]}" <<'PY'
import statistics, sys
n, c0, c1, hz = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
ms = [float(x) * 1000 for x in sys.argv[5:]]
print("wall ms:", " ".join(f"{x:.0f}" for x in ms))
print(f"median {statistics.median(ms):.0f} ms (min {min(ms):.0f}, max {max(ms):.0f}), {sum(x <= 300 for x in ms)}/{n} <= 300 ms, "
      f"serve CPU {(c1 - c0) * 1000 / hz / n:.0f} ms/preview")
PY
grep -E '^(VmHWM|VmRSS)' "/proc/$PID/status" | tr -s ' \t' ' ' | paste -sd ' ' | sed 's/^/serve memory: /'
uptime
