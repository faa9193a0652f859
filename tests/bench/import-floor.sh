#!/usr/bin/env bash
# SQLite's own floor for what an import wrote (docs/BENCHMARKS.md "Import: SQLite's own floor"):
# copies the import's tables from an imported store into a fresh file with only their keys,
# one statement per row as the import's inserts (WHERE 1 defeats the transfer optimisation),
# then builds each table's indexes; the shell's timer prints each step.
# Usage: tests/bench/import-floor.sh IMPORTED.db OUT.db [> floor.log]   (sqlite3 on PATH)
set -euo pipefail
src="$(realpath "${1:?usage: import-floor.sh IMPORTED.db OUT.db}")"
out="${2:?usage: import-floor.sh IMPORTED.db OUT.db}"
tables="contacts events contact_tags company_contacts sync_row_clock"
q() { sqlite3 -readonly "$src" "$1"; }
rm -f "$out"
{
  echo "PRAGMA page_size=$(q 'PRAGMA page_size'); PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;"
  echo "PRAGMA cache_size=-131072; PRAGMA temp_store=FILE;"
  echo "ATTACH '$src' AS src;"
  for t in $tables; do q "select sql||';' from sqlite_master where type='table' and name='$t'"; done
  echo ".timer on"
  for t in $tables; do
    echo ".print -- rows $t"
    echo "BEGIN; INSERT INTO main.$t SELECT * FROM src.$t WHERE 1; COMMIT;"
  done
  echo "PRAGMA cache_size=-4096;"
  for t in $tables; do
    echo ".print -- indexes $t"
    q "select sql||';' from sqlite_master where tbl_name='$t' and type='index' and sql is not null"
  done
} | sqlite3 "$out"
