#!/usr/bin/env bash
# Store layout A/B (docs/BENCHMARKS.md "Store layout: page size and packing"): the same
# workloads on stores created with different SQLite page sizes (MAGPIE_PAGE_SIZE, honoured
# only when a store is created), alternating sizes run after run, each step under the shared
# benchmark lock. Prints one line per step: size, run, wall, CPU, RSS, load, figures.
# Usage: tests/bench/layout.sh [BIN_DIR | path/to/magpie]   (BIN_DIR holds magpie,
# campaigns.test, tracking.test, trackload, contactsbench, else they are built; SIZES="4096
# 16384", RUNS=2, N=200000, STEPS="seed xlsx grid import campaigns ingest tracker" override;
# grid needs N >= 20000: its warm-up waits for sparse anchors; LOCK names another lock file
# when the caller already holds the shared one)
set -euo pipefail
bin="${1:-}"
root="$(cd "$(dirname "$0")/../.." && pwd)"
if [ ! -d "$bin" ]; then # make bench passes the magpie binary (or nothing): build the rest
  b="$(mktemp -d)"
  if [ -n "$bin" ] && [ -x "$bin" ]; then cp "$bin" "$b/magpie"; else (cd "$root" && go build -o "$b/magpie" .); fi
  (cd "$root" && go test -c -o "$b/campaigns.test" ./backend/campaigns/ && go test -c -o "$b/tracking.test" ./backend/tracking/ &&
    go build -o "$b/trackload" ./tests/bench/trackload && go build -o "$b/contactsbench" ./tests/bench/contactsbench)
  bin="$b"
fi
sizes="${SIZES:-4096 8192 16384}"
runs="${RUNS:-2}"
if [ "$bin" != "${1:-}" ]; then # from make bench: one A/B run of the default and 16 KiB
  sizes="${SIZES:-4096 16384}"; runs="${RUNS:-1}"
fi
n="${N:-200000}"
steps="${STEPS:-seed xlsx grid import campaigns ingest tracker}"
work="${WORK:-$(mktemp -d)}"
lock="${LOCK:-/tmp/magpie-bench.lock}" # LOCK=/some/private/file when the caller holds the shared lock
tf="   wall %e s, cpu %U + %S s, max RSS %M KB"
load() { cut -d' ' -f1-3 /proc/loadavg; }
size() { du -cb "$1"/magpie.db* 2>/dev/null | tail -1 | cut -f1; }
log() { echo "$*" | tee -a "$work/results.txt"; }
timed() { /usr/bin/time -f "$tf" -o "$work/time" "$@" >"$work/out" 2>&1 || { cat "$work/out"; return 1; }; cat "$work/time"; }

for step in $steps; do
  for r in $(seq "$runs"); do
    for ps in $sizes; do
      export MAGPIE_PAGE_SIZE="$ps"
      s="$work/seed-$ps"
      case "$step" in
      seed)
        rm -rf "$s"
        l0="$(load)"; t="$(flock "$lock" bash -c "$(declare -f timed); tf='$tf' work='$work'; timed '$bin/magpie' --data-dir '$s' seed --contacts $n --seed 1")"
        log "seed $n ps=$ps run=${RUNLABEL:-$r} |$t | store $(size "$s") B | load $l0 -> $(load)"
        ;;
      xlsx)
        l0="$(load)"; t="$(flock "$lock" bash -c "$(declare -f timed); tf='$tf' work='$work'; timed '$bin/magpie' --data-dir '$s' export contacts --format xlsx -o '$work/all.xlsx'")"
        log "xlsx $n ps=$ps run=${RUNLABEL:-$r} |$t | load $l0 -> $(load)"; rm -f "$work/all.xlsx"
        ;;
      grid)
        l0="$(load)"; flock "$lock" "$bin/contactsbench" -data-dir "$s" >"$work/grid-$ps-$r.txt" 2>&1
        log "grid $n ps=$ps run=${RUNLABEL:-$r} | load $l0 -> $(load)"; sed 's/^/   /' "$work/grid-$ps-$r.txt" | tee -a "$work/results.txt"
        ;;
      import)
        if [ ! -f "$work/all.csv" ]; then
          "$bin/magpie" --data-dir "$s" export contacts -o "$work/all.csv" --tags \
            --fields email,firstname,lastname,company,position,phone,mobile,city,country,preferred_locale,timezone,birthday,newsletter_optin,plan,interests,nps,lead_source,customer_since,last_order_at,lifetime_value,loyalty_card >/dev/null 2>&1
        fi
        i="$work/imp-$ps"; rm -rf "$i"; "$bin/magpie" --data-dir "$i" seed --contacts 0 >/dev/null 2>&1
        l0="$(load)"; t="$(flock "$lock" bash -c "$(declare -f timed); tf='$tf' work='$work'; timed '$bin/magpie' --data-dir '$i' import contacts '$work/all.csv'")"
        log "import $n ps=$ps run=${RUNLABEL:-$r} |$t | store $(size "$i") B | load $l0 -> $(load)"; rm -rf "$i"
        ;;
      campaigns)
        l0="$(load)"; t="$(cd "$root/backend/campaigns" && MAGPIE_BENCH_CONTACTS=$n flock "$lock" bash -c "$(declare -f timed); tf='$tf' work='$work'; timed '$bin/campaigns.test' -test.run '^\$' -test.bench 'FiveSteps\$' -test.benchtime 1x")"
        log "campaigns $n ps=$ps run=${RUNLABEL:-$r} |$t | $(grep -o '[0-9.]* steps/s.*' "$work/out" | head -1) | load $l0 -> $(load)"
        ;;
      ingest)
        l0="$(load)"; t="$(cd "$root/backend/tracking" && MAGPIE_BENCH=1 MAGPIE_BENCH_HITS=$n flock "$lock" bash -c "$(declare -f timed); tf='$tf' work='$work'; timed '$bin/tracking.test' -test.run '^TestBenchIngest\$' -test.v")"
        log "ingest $n ps=$ps run=${RUNLABEL:-$r} |$t | $(grep -o 'ingested.*' "$work/out" | head -1) | load $l0 -> $(load)"
        ;;
      tracker)
        l0="$(load)"; ONLY_HTTP=1 CONC=64 SECONDS_RUN=10 TRACKLOAD="$bin/trackload" flock "$lock" "$root/tests/bench/tracking.sh" "$bin/magpie" >"$work/out" 2>&1 || { cat "$work/out"; exit 1; }
        log "tracker c64 ps=$ps run=${RUNLABEL:-$r} | load $l0 -> $(load)"
        grep -v '^--\|^{' "$work/out" | sed 's/^/   /' | tee -a "$work/results.txt"
        ;;
      esac
    done
  done
done
[ -n "${WORK:-}" ] || rm -rf "$work"/seed-* "$work"/imp-* "$work"/all.csv # keep only the results
echo "results: $work/results.txt"
