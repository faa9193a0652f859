#!/usr/bin/env bash
# make bench: runs every tests/bench/<area>.sh with the built binary as $1.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
bin="${1:-}"
for f in "$here"/*.sh; do
  case "$(basename "$f")" in run.sh | targets.sh | import-floor.sh | findq.sh) continue ;; esac # a subset and analyses, run on their own
  echo "== $(basename "$f")"
  bash "$f" "$bin"
done
