#!/usr/bin/env bash
# Landing pages, DWC and focus items on the tracker (figures in docs/BENCHMARKS.md, section
# "Landing pages, DWC, focus"): Go benchmarks through the tracker's HTTP handler with a real
# SQLite store and spool. Usage: tests/bench/pages.sh [ignored binary path]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
go test ./backend/tracking -run '^$' -bench 'LandingPage|DWCResolve|FocusList' -benchtime "${BENCHTIME:-2000x}" -count "${COUNT:-5}"
