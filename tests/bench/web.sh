#!/usr/bin/env bash
# Public web routes under concurrent load (issue 9; figures in docs/BENCHMARKS.md, section
# "Landing pages, DWC, focus"): `magpie tracker` on loopback with the local store and its
# ingest running, one landing page (with a {dwc} token), one DWC slot with a filter variant,
# two focus items and a published form; tests/bench/webload drives each route in turn
# (WEB_CONC clients, 100 form submitters, WEB_SECONDS each) and prints req/s and p50/p90/p99.
# Afterwards every acknowledged form post must be a stored result (nothing lost).
# Usage: tests/bench/web.sh /path/to/magpie   (run under the bench lock: flock /tmp/magpie-bench.lock …)
# WEB_SCENARIOS="form" WEB_FORM_CONC=4 measures one route at another concurrency.
set -euo pipefail
bin="${1:?usage: web.sh /path/to/magpie}"
root="$(cd "$(dirname "$0")/../.." && pwd)"
conc="${WEB_CONC:-32}"
fconc="${WEB_FORM_CONC:-100}"
secs="${WEB_SECONDS:-10}"
work="$(mktemp -d)"
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
m() { "$bin" --data-dir "$work/data" "$@"; }
save() { printf '%s' "$2" >"$work/def.json"; m "$1" save "$work/def.json" --json; }

(cd "$root" && go build -o "$work/webload" ./tests/bench/webload)
save pages '{"title":"Spring sale","alias":"spring","mode":"html","published":true,"html":"<h1>Spring sale</h1><p>Hello {contactfield=firstname|there}!</p>{dwc=hero}<p>Our best offer of the season, with a long enough body to be a real page.</p>"}' >/dev/null
save dwc '{"name":"Hero","slot":"hero","published":true,"defaultContent":"<p>Welcome, stranger!</p>","variants":[{"name":"Known","content":"<p>Welcome back, {contactfield=firstname}!</p>","filters":[{"glue":"and","field":"email","object":"lead","operator":"!empty","properties":{"filter":null}}]}]}' >/dev/null
save focus '{"name":"Bar","style":"bar","position":"top","contentType":"link","headline":"News","linkUrl":"https://example.com/n","published":true,"urlInclude":"*/blog/*"}' >/dev/null
save focus '{"name":"Modal","style":"modal","position":"middle","contentType":"text","headline":"Hi","published":true,"trigger":"scroll","triggerValue":50,"frequency":"session","urlExclude":"*/blog/post-1*"}' >/dev/null
form="$(save forms '{"name":"Signup","published":true,"minSeconds":0,"fields":[{"alias":"email","label":"Email","type":"email","mapTo":"contact.email","required":true},{"alias":"first","label":"First","type":"text","mapTo":"contact.firstname"}],"actions":[{"type":"tags","add":["bench"]}]}' | grep -o '"id": *"[^"]*"' | head -1 | grep -o '[0-9a-f-]\{36\}')"

"$bin" --data-dir "$work/data" tracker --addr 127.0.0.1:0 --rate-limit 0 --form-rate-limit -1 \
  --allowed-origins https://www.example.com >"$work/out" 2>"$work/log" &
pid=$!
for _ in $(seq 100); do grep -q listening "$work/out" "$work/log" 2>/dev/null && break; sleep 0.1; done
url="$(grep -ho 'http://127.0.0.1:[0-9]*' "$work/out" "$work/log" | head -1)"
[ -n "$url" ] || { echo "tracker did not start"; cat "$work/log"; exit 1; }
ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
hz="$(getconf CLK_TCK)"
for s in ${WEB_SCENARIOS:-page dwc focus form}; do
  t0="$(ticks)"
  "$work/webload" -url "$url" -c "$conc" -form-c "$fconc" -d "${secs}s" -form "$form" -only "$s" >>"$work/load.json"
  echo "   tracker CPU for $s: $(awk -v c="$(( $(ticks) - t0 ))" -v h="$hz" 'BEGIN {printf "%.2f", c/h}')s; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
done
if ! grep -q '"scenario":"form"' "$work/load.json"; then exit 0; fi
ok="$(grep '"scenario":"form"' "$work/load.json" | grep -o '"ok":[0-9]*' | cut -d: -f2)"
for _ in $(seq 600); do
  curl -s "$url/health" | grep -q '"pending":0,' && break; sleep 0.1
done
kill -INT "$pid"; wait "$pid" 2>/dev/null || true; pid=""
m tracking ingest >/dev/null 2>&1 || true
stored="$(m forms results "$form" --json | grep -o '"total": *[0-9]*' | grep -o '[0-9]*$')"
echo "form posts answered 200: $ok, stored results: $stored"
[ "$ok" = "$stored" ] || { echo "LOST OR EXTRA FORM SUBMISSIONS: $ok answered, $stored stored"; exit 1; }
