#!/usr/bin/env bash
# Emails benchmarks (issue 6); figures go to docs/BENCHMARKS.md, section "Emails".
#   queue:  queueing a 1M-recipient segment email (one INSERT … SELECT)       target ≤ 30 s
#   send:   render + send to a loopback SMTP server over pooled connections     target ≥ 1,000 msgs/s
#   memory: heap while rendering/sending 200k messages (Null mailer)           target: flat
set -euo pipefail
cd "$(dirname "$0")/../.."
export EMAILS_BENCH_QUEUE="${EMAILS_BENCH_QUEUE:-1000000}"
export EMAILS_BENCH_SEND="${EMAILS_BENCH_SEND:-20000}"
export EMAILS_BENCH_MEM="${EMAILS_BENCH_MEM:-200000}"
go test -run '^$' -bench 'BenchmarkQueueSegment|BenchmarkDrainSMTP|BenchmarkDrainMemory' -benchtime=1x -count="${COUNT:-3}" \
  -timeout 60m ./backend/emails/ 2>&1 | grep -E '^(Benchmark|ok|FAIL|PASS)'
