#!/usr/bin/env bash
# Email end-to-end test (issue 6): maildev (a real SMTP server with a REST API) on loopback,
# a segment email to N contacts sent through the magpie binary, the sender killed with
# SIGKILL mid-run and restarted; then every message is checked through maildev's API:
# exactly N distinct messages (one per contact, one Message-ID each), personalised subject
# and body, open pixel, signed tracked links, List-Unsubscribe + List-Unsubscribe-Post.
# Finally `magpie tracker` serves the links of a received message: the pixel, a click
# (redirected to the original URL) and an RFC 8058 one-click unsubscribe show up in the
# email's statistics.
#
# usage: tests/maildev/e2e.sh [path/to/magpie]   (builds one when not given)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
N="${E2E_MAIL_N:-1000}"
tmp="$(mktemp -d)"
cleanup() {
  [ -n "${md_pid:-}" ] && kill "$md_pid" 2>/dev/null
  [ -n "${send_pid:-}" ] && kill -9 "$send_pid" 2>/dev/null
  [ -n "${tr_pid:-}" ] && kill "$tr_pid" 2>/dev/null
  [ -n "${KEEP:-}" ] || rm -rf "$tmp"
}
trap cleanup EXIT

bin="${1:-}"
if [ -z "$bin" ]; then
  bin="$tmp/magpie"
  (cd "$root" && go build -o "$bin" .)
fi
maildev="$root/tests/maildev/node_modules/.bin/maildev"
[ -x "$maildev" ] || (cd "$root/tests/maildev" && npm ci --no-audit --no-fund --loglevel=error)

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
smtp_port="$(free_port)"; web_port="$(free_port)"; tr_port="$(free_port)"
tracker="http://127.0.0.1:$tr_port"
"$maildev" --ip 127.0.0.1 --smtp "$smtp_port" --web "$web_port" --mail-directory "$tmp/mail" >"$tmp/maildev.log" 2>&1 &
md_pid=$!
api="http://127.0.0.1:$web_port"
for _ in $(seq 1 120); do curl -sf "$api/healthz" >/dev/null 2>&1 && (exec 3<>"/dev/tcp/127.0.0.1/$smtp_port") 2>/dev/null && break; sleep 0.5; done
curl -sf "$api/healthz" >/dev/null || { cat "$tmp/maildev.log"; echo "maildev did not start"; exit 1; }

data="$tmp/data"
m() { "$bin" --data-dir "$data" "$@"; }
m emails settings --smtp-host 127.0.0.1 --smtp-port "$smtp_port" --tls none --connections 2 --rate 150 \
  --from news@magpie.test --from-name "Magpie News" --tracker-url "$tracker" >/dev/null

# Fixture: N contacts in segment "seg-e2e" (the segments package owns segment_members; the
# table is created here only when this build predates it).
now=$(( $(date +%s) * 1000 ))
sqlite3 "$data/magpie.db" <<SQL
.timeout 10000
CREATE TABLE IF NOT EXISTS segment_members(segment_id TEXT NOT NULL, contact_id TEXT NOT NULL, date_added INTEGER NOT NULL,
  manually_added INTEGER NOT NULL DEFAULT 0, manually_removed INTEGER NOT NULL DEFAULT 0, PRIMARY KEY(segment_id, contact_id)) WITHOUT ROWID;
WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < $N)
INSERT INTO contacts(id, firstname, lastname, email, date_added, date_modified)
  SELECT printf('01900000-0000-7000-8000-%012d', i), 'Ann' || i, 'Lee', 'ann' || i || '@example.com', $now, $now FROM seq;
INSERT INTO segment_members(segment_id, contact_id, date_added) SELECT 'seg-e2e', id, $now FROM contacts WHERE id LIKE '01900000-0000-7000-8000-%';
SQL

cat >"$tmp/news.html" <<'HTML'
<html><head><title>Hello {contactfield=firstname|friend}</title></head><body>
<p>Dear {contactfield=firstname} {contactfield=lastname},</p>
<p>See <a href="https://shop.example/spring?ref=mail">the spring sale</a>.</p>
<p><a href="{unsubscribe_url}">Unsubscribe</a> · <a href="{webview_url}">View online</a></p>
</body></html>
HTML
id="$(m emails import-html "$tmp/news.html" --name "E2E spring" --segment seg-e2e)"
m emails send "$id" --dry-run

count() { curl -sf "$api/email" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))'; }

# Phase 1: send, and kill -9 the sender once part of the messages arrived.
"$bin" --data-dir "$data" emails send "$id" >"$tmp/send1.log" 2>&1 &
send_pid=$!
kill_at=$(( N * 3 / 10 ))
for _ in $(seq 1 600); do
  c="$(count)"; [ "$c" -ge "$kill_at" ] && break
  kill -0 "$send_pid" 2>/dev/null || break
  sleep 0.05
done
kill -9 "$send_pid" 2>/dev/null || { echo "the sender finished before it could be killed"; exit 1; }
wait "$send_pid" 2>/dev/null || true
send_pid=""
before="$(count)"
echo "killed the sender with $before/$N messages delivered"
[ "$before" -lt "$N" ] || { echo "not mid-run"; exit 1; }

# Phase 2: restart; the sender reconciles and completes.
m emails send "$id"
m emails stats "$id"

curl -sf "$api/email" >"$tmp/all.json"
python3 - "$tmp/all.json" "$N" "$tracker" <<'PY'
import json, re, sys
mails, n, base = json.load(open(sys.argv[1])), int(sys.argv[2]), sys.argv[3]
tb = re.escape(base)
ids = {m["messageId"] for m in mails}
to = {}
for m in mails:
    to.setdefault(m["to"][0]["address"], []).append(m["messageId"])
dups = len(mails) - len(ids)
bad = []
for m in mails:
    addr = m["to"][0]["address"]
    i = re.match(r"ann(\d+)@example\.com", addr).group(1)
    h = m["headers"]
    html = m.get("html") or ""
    if m["subject"] != f"Hello Ann{i}": bad.append(f"{addr}: subject {m['subject']!r}")
    if f"Dear Ann{i} Lee" not in html: bad.append(f"{addr}: body not personalised")
    if not re.search(r'<img src="' + tb + r'/e/o/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.gif"', html): bad.append(f"{addr}: no open pixel")
    if not re.search(r'href="' + tb + r'/r/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+"', html) or "shop.example" in html: bad.append(f"{addr}: link not tracked")
    if not h.get("list-unsubscribe", "").startswith(f"<{base}/e/u/"): bad.append(f"{addr}: List-Unsubscribe")
    if h.get("list-unsubscribe-post") != "List-Unsubscribe=One-Click": bad.append(f"{addr}: List-Unsubscribe-Post")
    if f"{base}/e/v/" not in html: bad.append(f"{addr}: no web view link")
print(f"maildev holds {len(mails)} messages, {len(ids)} distinct Message-IDs, {len(to)} recipients; {dups} resent")
if bad: print("\n".join(bad[:20])); sys.exit(1)
if len(to) != n or len(ids) != n: print(f"want {n} recipients and {n} Message-IDs"); sys.exit(1)
multi = [a for a, v in to.items() if len(set(v)) > 1]
if multi: print("recipients with two different messages:", multi[:5]); sys.exit(1)
if dups:
    # Only a message in flight when the sender died can arrive twice (the server accepted it,
    # the reply never reached the killed process); it carries the same Message-ID.
    print(f"note: {dups} message(s) were in the SMTP acceptance window at the kill")
    if dups > 2: sys.exit(1)
print("ok")
PY

# The tracker: open, click and one-click unsubscribe from one received message.
"$bin" --data-dir "$data" tracker --addr "127.0.0.1:$tr_port" --public-url "$tracker" >"$tmp/tracker.log" 2>&1 &
tr_pid=$!
for _ in $(seq 1 100); do curl -sf "$tracker/health" >/dev/null 2>&1 && break; sleep 0.2; done
eval "$(python3 - "$tmp/all.json" "$tracker" <<'PY'
import json, re, sys
m = json.load(open(sys.argv[1]))[0]
base = re.escape(sys.argv[2])
html = m["html"]
print("pixel=%s" % re.search(r'<img src="(' + base + r'/e/o/[^"]+)"', html).group(1))
print("click=%s" % re.search(r'href="(' + base + r'/r/[^"]+)"', html).group(1).replace("&amp;", "&"))
print("view=%s" % re.search(r'href="(' + base + r'/e/v/[^"]+)"', html).group(1))
print("unsub=%s" % m["headers"]["list-unsubscribe"].strip("<>"))
PY
)"
# Browser user agents: the tracker counts no bots (curl's own agent is one).
ua_phone="Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148"
ua_pc="Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
curl -sf -o /dev/null -A "$ua_phone" "$pixel"
dest="$(curl -s -o /dev/null -A "$ua_pc" -w '%{redirect_url}' "$click")"
[ "$dest" = "https://shop.example/spring?ref=mail" ] || { echo "click redirected to '$dest'"; exit 1; }
curl -sf -A "$ua_pc" "$view" | grep -q "Dear Ann" || { echo "web view does not show the message"; exit 1; }
curl -sf -o /dev/null -A "$ua_pc" -X POST --data "List-Unsubscribe=One-Click" "$unsub"
for _ in $(seq 1 50); do
  m emails stats "$id" --json >"$tmp/stats.json"
  python3 -c 'import json,sys; t=json.load(open(sys.argv[1]))["totals"]; sys.exit(0 if t["read"]>=1 and t["clicked"]>=1 and t["unsubscribed"]>=1 else 1)' "$tmp/stats.json" && break
  sleep 0.2
done
python3 - "$tmp/stats.json" <<'PY' || { echo "--- tracker log"; tail -20 "$tmp/tracker.log"; exit 1; }
import json, sys
st = json.load(open(sys.argv[1]))
t = st["totals"]
print(f"stats: sent {t['sent']}, read {t['read']} ({t['readTotal']} opens), clicked {t['clicked']}, unsubscribed {t['unsubscribed']}; devices {st['byDevice']}; links {st['links']}")
if not (t["read"] == 1 and t["clicked"] == 1 and t["unsubscribed"] == 1 and st["links"] and st["links"][0]["url"] == "https://shop.example/spring?ref=mail"):
    print("tracker interactions missing from the statistics"); sys.exit(1)
print("tracker ok")
PY
# Every duplicate delivery must have been flagged as an uncertain resend (journal: transmission
# started, acceptance not recorded), never a silent one.
python3 - "$tmp/stats.json" "$tmp/all.json" <<'PY'
import json, sys
t = json.load(open(sys.argv[1]))["totals"]
mails = json.load(open(sys.argv[2]))
dups = len(mails) - len({m["messageId"] for m in mails})
print(f"resends in an uncertain state after the kill: {t.get('resentUncertain', 0)}; duplicate deliveries: {dups}")
if dups > t.get("resentUncertain", 0): print("a duplicate was not flagged as uncertain"); sys.exit(1)
PY
