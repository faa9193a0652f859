#!/usr/bin/env bash
# Campaign benchmarks (issue 7): MAGPIE_BENCH_CONTACTS (default 1,000,000) contacts enter a
# five-step campaign (condition, tag, points, send email, decision with a one-day no path)
# and run to the end with a virtual clock; then the latency of a decision fired by an
# arriving open. Figures: steps/s (wall), steps/cpu-s (this process's CPU time), entry-ms,
# heap-MB; ns/op of BenchmarkDecisionLatency.
set -euo pipefail
cd "$(dirname "$0")/../.."
export MAGPIE_BENCH_CONTACTS="${MAGPIE_BENCH_CONTACTS:-1000000}"
go test -run '^$' -bench 'FiveSteps' -benchtime 1x -count "${COUNT:-1}" -timeout 3h ./backend/campaigns/
go test -run '^$' -bench 'DecisionLatency' -benchtime 2000x -count "${COUNT:-3}" ./backend/campaigns/
