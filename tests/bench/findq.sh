#!/bin/bash
# usage: tests/bench/findq.sh DB NEEDLE — the command palette's System.Find query (app/find.go),
# one sqlite3 process per run (its caches cold), timed by the shell.
db=$1; n=$2; Q=""
for f in "segments segments name" "campaigns campaigns name" "emails emails name" "forms forms name" "pages pages title" "reports reports name" "assets assets title" "dwc dwc_slots name" "focus focus_items name" "companies companies companyname"; do
  set -- $f
  part="SELECT * FROM (SELECT '$1', id, $3 FROM $2 WHERE deleted = 0 AND $3 LIKE '%$n%' ESCAPE '\\' ORDER BY $3 LIKE '$n%' ESCAPE '\\' DESC, $3 LIMIT 5)"
  if [ -z "$Q" ]; then Q="$part"; else Q="$Q UNION ALL $part"; fi
done
printf ".timer on\n%s;\n" "$Q" | sqlite3 -readonly "$db" 2>&1 | grep -i "run time"
