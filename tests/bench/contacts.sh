#!/usr/bin/env bash
# Contacts, import, export benchmarks (issue 2); figures go to docs/BENCHMARKS.md, section
# "Contacts, import, export".
#   seed:    magpie seed --contacts N (2 events per contact, 10 custom fields)   target < 60 s for 1M
#   grid:    first / later page, sorted by indexed columns                       target < 30 ms
#   search:  email prefix, accent-insensitive name                               target < 50 ms
#   contact: contact page with a 1k-event timeline                               target < 50 ms
#   xlsx:    export N rows to XLSX                                               target < 30 s, < 300 MB RSS
#   import:  import the N-row CSV export into an empty store                     target >= 100k rows/s
# Usage: tests/bench/contacts.sh [path/to/magpie]   (CONTACTS_BENCH_N=1000000 by default)
set -euo pipefail
cd "$(dirname "$0")/../.."
bin="${1:-}"
if [ -z "$bin" ] || [ ! -x "$bin" ]; then
  bin="$(mktemp -d)/magpie"
  go build -o "$bin" .
fi
n="${CONTACTS_BENCH_N:-1000000}"
work="${CONTACTS_BENCH_DIR:-$(mktemp -d)}"
[ -n "${CONTACTS_BENCH_KEEP:-}" ] || trap 'rm -rf "$work"' EXIT
timed() { /usr/bin/time -f "   wall %e s, cpu %U s user + %S s sys, max RSS %M KB" "$@" 2>&1 | tr '\r' '\n' | grep -v ' / ' | tail -2; }

echo "-- seed $n contacts"
timed "$bin" --data-dir "$work/seeded" seed --contacts "$n" --seed 1
echo "-- grid, search, contact page (median of 7)"
go run ./tests/bench/contactsbench -data-dir "$work/seeded"
echo "-- export $n contacts to XLSX (all fields)"
timed "$bin" --data-dir "$work/seeded" export contacts --format xlsx -o "$work/all.xlsx"
echo "-- export $n contacts to CSV (the import source)"
timed "$bin" --data-dir "$work/seeded" export contacts -o "$work/all.csv" --tags \
  --fields email,firstname,lastname,company,position,phone,mobile,city,country,preferred_locale,timezone,birthday,newsletter_optin,plan,interests,nps,lead_source,customer_since,last_order_at,lifetime_value,loyalty_card
echo "-- import $n rows into an empty store with the same custom fields"
"$bin" --data-dir "$work/imported" seed --contacts 0 >/dev/null 2>&1
timed "$bin" --data-dir "$work/imported" import contacts "$work/all.csv"
