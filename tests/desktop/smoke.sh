#!/usr/bin/env bash
# Desktop smoke test: start the real Wails binary under Xvfb on a fresh data dir, wait until
# the frontend has called a Go binding (the app writes $MAGPIE_SMOKE_FILE on the first call),
# take a screenshot of the screen and check it is not blank. Prints the time from launch to the
# first binding call (the "cold start to first paint" figure of docs/BENCHMARKS.md).
set -euo pipefail
BIN=${1:?usage: smoke.sh /path/to/magpie}
OUT=${SMOKE_OUT:-build/smoke}
mkdir -p "$OUT"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export BIN tmp OUT
xvfb-run -a -s "-screen 0 1360x860x24 -nolisten tcp" bash -c '
  set -euo pipefail
  start=$(date +%s%N)
  MAGPIE_SMOKE_FILE="$tmp/bound" "$BIN" --data-dir "$tmp/data" >"$tmp/log" 2>&1 &
  pid=$!
  for _ in $(seq 1 600); do
    [ -f "$tmp/bound" ] && break
    if ! kill -0 $pid 2>/dev/null; then echo "smoke: magpie exited early:"; cat "$tmp/log"; exit 1; fi
    sleep 0.05
  done
  if [ ! -f "$tmp/bound" ]; then echo "smoke: the frontend never called a Go binding in 30 s"; cat "$tmp/log"; kill $pid; exit 1; fi
  bound=$(date +%s%N)
  echo "smoke: first binding call $(( (bound - start) / 1000000 )) ms after launch"
  # A blank window (white or one flat colour) has almost no variation. On a loaded machine
  # the first paint can follow the first binding call by seconds, so poll for up to 30 s.
  for _ in $(seq 1 30); do
    sleep 1
    import -window root "$OUT/desktop.png"
    sd=$(convert "$OUT/desktop.png" -colorspace Gray -format "%[fx:standard_deviation]" info:)
    awk -v sd="$sd" "BEGIN { exit !(sd > 0.02) }" && break
  done
  kill $pid; wait $pid || true
  echo "smoke: screenshot $OUT/desktop.png (grey std dev $sd)"
  awk -v sd="$sd" "BEGIN { exit !(sd > 0.02) }" || { echo "smoke: the screenshot looks blank"; exit 1; }
'
echo "smoke: ok"
