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
  # Where the time went (instants the app wrote, Unix ms): process start to Go main, main to
  # the store open and services started, then the window and WebKit to the first call.
  m=$(sed -n "s/^main_ms=//p" "$tmp/bound"); r=$(sed -n "s/^ready_ms=//p" "$tmp/bound"); c=$(sed -n "s/^call_ms=//p" "$tmp/bound")
  if [ -n "$m" ] && [ -n "$r" ] && [ -n "$c" ]; then
    echo "smoke: split: launch to Go main $(( m - start / 1000000 )) ms, store open + services $(( r - m )) ms, window + WebKit to first call $(( c - r )) ms"
  fi
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

# Phase 2 (issue 6): the GrapesJS MJML email builder inside the real window, with no network
# at all (a fresh network namespace: only the bundled assets can load). A segment email whose
# source is MJML opens in the visual builder (MAGPIE_SMOKE_ROUTE); the builder compiles it and
# the editor asks Go for a preview + the checker, which the app records in <smoke file>.preview.
if [ "${SMOKE_BUILDER:-1}" = 1 ]; then
  echo '<html><head><title>Smoke</title></head><body><p>seed</p></body></html>' >"$tmp/seed.html"
  id=$("$BIN" --data-dir "$tmp/data2" emails import-html "$tmp/seed.html" --name "Smoke builder" --segment smoke)
  sqlite3 "$tmp/data2/magpie.db" ".timeout 10000" "UPDATE emails SET html = '', source = '<mjml><mj-body><mj-section><mj-column><mj-text>Smoke builder text {bogus}</mj-text><mj-button href=\"https://\">Go</mj-button></mj-column></mj-section></mj-body></mjml>' WHERE id = '$id'"
  export id
  unshare -rn xvfb-run -a -s "-screen 0 1360x860x24 -nolisten tcp" bash -c '
    set -euo pipefail
    MAGPIE_SMOKE_FILE="$tmp/bound2" MAGPIE_SMOKE_ROUTE="#/emails/$id" "$BIN" --data-dir "$tmp/data2" >"$tmp/log2" 2>&1 &
    pid=$!
    ok=""
    for _ in $(seq 1 120); do
      sleep 0.5
      if ! kill -0 $pid 2>/dev/null; then echo "smoke: magpie exited early:"; cat "$tmp/log2"; exit 1; fi
      if [ -f "$tmp/bound2.preview" ] && grep -q "Smoke builder text" "$tmp/bound2.preview"; then ok=1; break; fi
    done
    sleep 1
    import -window root "$OUT/desktop-email-builder.png"
    kill $pid; wait $pid || true
    [ -n "$ok" ] || { echo "smoke: the MJML builder never produced HTML in the window"; cat "$tmp/log2"; cat "$tmp/bound2.preview" 2>/dev/null; exit 1; }
  '
  python3 - "$tmp/bound2.preview" <<'PY'
import json, sys
p = json.load(open(sys.argv[1]))
codes = sorted({i["code"] for i in p["issues"]})
print(f"smoke: builder compiled {len(p['html'])} bytes of HTML offline; checker: {', '.join(codes)}")
bad = []
if "<mj-" in p["html"] or "<table" not in p["html"]: bad.append("the HTML is not compiled MJML")
for c in ("broken_link", "unknown_token", "missing_unsubscribe"):
    if c not in codes: bad.append("checker misses " + c)
if bad: print("smoke: " + "; ".join(bad)); sys.exit(1)
PY
  echo "smoke: screenshot $OUT/desktop-email-builder.png"
fi
echo "smoke: ok"
