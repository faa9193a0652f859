#!/usr/bin/env bash
# UI benchmarks (issue 2, frontend); figures go to docs/BENCHMARKS.md, section "Frontend".
#   grid:  open the contact grid, scroll to 50 % / end / 10 %, search, sort — in Chromium
#          against `magpie serve`, time until every visible row is rendered (median of 5)
#   cold start: desktop window under Xvfb to the first Go binding call      target < 2 s
# Usage: tests/bench/ui.sh path/to/magpie   (UI_BENCH_N=1000000 contacts by default;
#        UI_BENCH_DATA=<seeded data dir> reuses a store instead of seeding one)
set -euo pipefail
cd "$(dirname "$0")/../.."
bin="${1:?usage: ui.sh path/to/magpie}"
n="${UI_BENCH_N:-1000000}"
data="${UI_BENCH_DATA:-}"
if [ -z "$data" ]; then
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  data="$work/data"
  echo "-- seed $n contacts"
  "$bin" --data-dir "$data" seed --contacts "$n" --seed 1 >/dev/null
fi
[ -f tests/e2e/node_modules/.installed ] || (cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error)
echo "-- contact grid in Chromium"
BIN="$bin" DATA="$data" node tests/e2e/bench-grid.mjs 5
echo "-- desktop cold start (3 launches)"
for _ in 1 2 3; do SMOKE_OUT="$(mktemp -d)" tests/desktop/smoke.sh "$bin" | grep "first binding"; done
