#!/usr/bin/env bash
# Forms (issue 9): form post handler cost (BenchmarkFormPost, with and without the spool's
# fsync) and the load test: FORMS_LOAD_USERS concurrent submitters for FORMS_LOAD_SECONDS over
# real HTTP with the pump and ingest running; every acknowledged submission must end up as a
# result, a contact and its actions (the test fails otherwise). Figures in docs/BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
go test -count=1 -run '^$' -bench 'BenchmarkFormPost' -benchtime 3000x -count 5 -benchmem ./backend/tracking/ | grep -E '^Benchmark'
FORMS_LOAD_SECONDS="${FORMS_LOAD_SECONDS:-30}" FORMS_LOAD_USERS="${FORMS_LOAD_USERS:-100}" \
  go test -count=1 -timeout 10m -run '^TestFormLoad$' -v ./backend/tracking/ | grep -E 'FORMLOAD|accepted|^(ok|FAIL|---)'
