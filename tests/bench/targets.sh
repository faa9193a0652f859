#!/usr/bin/env bash
# The speed targets still open, one after the other, on one build (the "at a glance" table of
# docs/BENCHMARKS.md): seed 1M (issue 2, < 60 s), import 1M rows (issue 2, >= 100k rows/s),
# import 100k new contacts (`;`, accented names) and 100k rows half of which update existing
# contacts into the 1M store the import step left (issue 2's "Done when"), desktop ingest of
# 1M hits (issue 4, <= 30 s, < 300 MB), tracker page hits at 48 connections (issue 4,
# >= 20k req/s with p99 <= 10 ms; TRACKER_RUNS runs), campaigns five steps on 1M contacts
# (issue 7, >= 100k steps/s). Each step holds the machine's benchmark lock
# (LOCK, default /tmp/magpie-bench.lock) for itself only.
# Usage: tests/bench/targets.sh path/to/magpie [step…]   (steps: seed import import-into ingest
# tracker campaigns; default all; N=1000000 sets the size, INTO=100000 the import-into file's;
# WORK=DIR keeps the stores there)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
bin="$(realpath "${1:?usage: targets.sh path/to/magpie [step…]}")"
shift
steps="${*:-seed import import-into ingest tracker campaigns}"
n="${N:-1000000}"
lock="${LOCK:-/tmp/magpie-bench.lock}"
work="${WORK:-$(mktemp -d)}"
[ -n "${WORK:-}" ] || trap 'rm -rf "$work"' EXIT
mkdir -p "$work"
cd "$root"

fmt='wall %e s, cpu %U + %S s, max RSS %M KB'
locked() { flock "$lock" "$@"; }
timed() { locked /usr/bin/time -f "   $fmt" "$@" 2>&1 | tr '\r' '\n' | grep -v ' / ' | tail -"${TAIL:-2}"; }
load() { echo "   load $(cut -d' ' -f1-3 /proc/loadavg)"; }
testbin() { # package → compiled test binary (niced: the build must not disturb a locked run)
  local out="$work/$(basename "$1").test"
  [ -x "$out" ] || nice -n 10 go test -c -o "$out" "$1"
  echo "$out"
}

for step in $steps; do
  case "$step" in
  seed)
    echo "-- seed $n contacts (target < 60 s)"; load
    rm -rf "$work/seeded"
    timed "$bin" --data-dir "$work/seeded" seed --contacts "$n" --seed 1
    ;;
  import)
    [ -d "$work/seeded" ] || { echo "import needs the seed step first"; exit 1; }
    "$bin" --data-dir "$work/seeded" export contacts -o "$work/all.csv" --tags \
      --fields email,firstname,lastname,company,position,phone,mobile,city,country,preferred_locale,timezone,birthday,newsletter_optin,plan,interests,nps,lead_source,customer_since,last_order_at,lifetime_value,loyalty_card >/dev/null 2>&1
    echo "-- import $n rows, 21 columns + tags, into an empty store (target >= 100k rows/s)"; load
    rm -rf "$work/imported"
    "$bin" --data-dir "$work/imported" seed --contacts 0 >/dev/null 2>&1
    TAIL=3 timed "$bin" --data-dir "$work/imported" import contacts "$work/all.csv"
    ;;
  import-into)
    [ -d "$work/imported" ] || { echo "import-into needs the import step first"; exit 1; }
    into="${INTO:-100000}"
    # From the export: the first $into rows with new emails (new contacts), and a file whose
    # first half keeps its emails (existing contacts, lead_source changed: merged with
    # --update-existing) and whose second half is new; both `;`-delimited.
    python3 - "$work/all.csv" "$work/into-new.csv" "$work/into-half.csv" "$into" <<'PY'
import csv, sys
src, new, half, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
with open(src, newline='', encoding='utf-8-sig') as f, \
     open(new, 'w', newline='', encoding='utf-8') as a, open(half, 'w', newline='', encoding='utf-8') as b:
    r = csv.reader(f)
    wa, wb = csv.writer(a, delimiter=';'), csv.writer(b, delimiter=';')
    head = next(r)
    wa.writerow(head); wb.writerow(head)
    email, source = head.index('email'), head.index('lead_source')
    for i, row in enumerate(r):
        if i == n:
            break
        old = list(row)
        row[email] = row[email].replace('@', '.n@', 1)
        wa.writerow(row)
        if i < n // 2:
            old[source] = 'reimport'
            wb.writerow(old)
        else:
            wb.writerow(row)
PY
    for file in new half; do
      echo "-- import $into rows ($file), ';', into the store of $n contacts"; load
      rm -rf "$work/into"; cp -r "$work/imported" "$work/into"
      TAIL=3 timed "$bin" --data-dir "$work/into" import contacts "$work/into-$file.csv" --update-existing
    done
    rm -rf "$work/into"
    ;;
  ingest)
    t="$(testbin ./backend/tracking/)"
    for stream in default sessions; do
      echo "-- ingest $n queued hits, $stream stream (target <= 30 s, < 300 MB)"; load
      s=""; [ "$stream" = sessions ] && s=sessions
      (cd backend/tracking && MAGPIE_BENCH=1 MAGPIE_BENCH_HITS="$n" MAGPIE_BENCH_STREAM=$s \
        TAIL=40 timed "$t" -test.run 'TestBenchIngest$' -test.v | grep -E 'hits/s|wall|RSS' | tail -3)
    done
    ;;
  tracker)
    go build -o "$work/trackload" ./tests/bench/trackload
    for i in $(seq "${TRACKER_RUNS:-3}"); do
      echo "-- tracker, 48 connections, run $i (target >= 20k req/s, p99 <= 10 ms)"; load
      locked env CONC=48 ONLY_HTTP=1 TRACKLOAD="$work/trackload" tests/bench/tracking.sh "$bin" |
        grep -E 'req/s|rows in'
    done
    ;;
  campaigns)
    t="$(testbin ./backend/campaigns/)"
    echo "-- campaigns, five steps, $n contacts (target >= 100k steps/s)"; load
    (cd backend/campaigns && MAGPIE_BENCH_CONTACTS="$n" TAIL=40 timed "$t" -test.run '^$' \
      -test.bench FiveSteps -test.benchtime 1x -test.timeout 3h | grep -E 'steps/s|wall')
    ;;
  *) echo "unknown step $step"; exit 2 ;;
  esac
done
