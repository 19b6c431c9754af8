# test_ctlcli: keelctl for people and scripts — option placement, exit codes, JSON shapes, --wait, --version, events under a burst, analyze and chart.
# SPDX-License-Identifier: MIT
. "$(dirname "$0")/lib.sh"

sys_new cli

# A chain with known waits: first (ready at once) -> slow (a `wait` of 0.4 s)
# -> last; loner depends on nothing.
svc first <<EOF
description first daemon
exec $BIN/daemon first
EOF
svc slow <<EOF
type wait
after first
exec $BIN/job slow 0.4
EOF
svc last <<EOF
after slow
exec $BIN/daemon last
EOF
svc loner <<EOF
exec $BIN/daemon loner
EOF
svc broken <<EOF
type wait
condition flag never
exec $BIN/job broken 0 3
EOF
cat >"$BIN/stubborn" <<EOF
#!/bin/sh
trap "" TERM
"$BIN/rec" start stubborn
while :; do sleep 1; done
EOF
chmod 755 "$BIN/stubborn"
svc stubborn <<EOF
stop TERM 5s
exec $BIN/stubborn
EOF
# Console: a `once` that started, then failed; a `wait` that takes long.
svc oncefail <<EOF
exec $BIN/job oncefail 0.3 1
EOF
svc longwait <<EOF
type wait
condition flag longwait
exec $BIN/job longwait 6
EOF
# Invalid UTF-8 in a description goes out as valid JSON.
printf 'description bad \377\376 bytes\nexec %s/daemon utf\n' "$BIN" | svc utf
# The burst: 500 services that run once when the flag `go` is set: 1000
# state changes at least (starting, done), more with running. In all more
# than a slow subscriber's queue and socket hold; the 500 starts of one
# pass of PID 1's loop less (a reader that keeps up keeps up).
for i in $(seq -w 1 500); do
	printf 'description burst service number %s\ntype once\ncondition flag go\nexec /bin/true\n' "$i" >"$SHARE/burst-$i"
	ln -s "$SHARE/burst-$i" "$SVC/burst-with-a-rather-long-instance-name-$i"
done

keel_start || { finish; exit 1; }
check "boot target reached" wait_for "target boot reached" 30
wait_state last running 20

# ---- option placement, --version, usage ----
count_svcs() { python3 -c 'import json,sys; print(len(json.load(sys.stdin)["services"]))'; }
a=$(ctl --json status 2>&1 | count_svcs)
b=$(ctl status --json 2>&1 | count_svcs)
c=$("$KEELCTL" status -j --socket "$SOCK" 2>&1 | count_svcs)
check "options anywhere: --json before or after the verb, --socket last ($a $b $c)" \
	eval '[ "$a" = 509 ] && [ "$b" = 509 ] && [ "$c" = 509 ]'
check "--version: keelctl's and keel's version and protocol" \
	eval 'ctl --version | grep -q "^keelctl .* (protocol 2)$" && ctl --version | grep -q "^keel .* (protocol 2)$"'
check "--version --json" \
	eval '[ "$(ctl --version --json | python3 -c "import json,sys; d=json.load(sys.stdin); print(d[\"protocol\"], d[\"keel_protocol\"], bool(d[\"keel\"]))")" = "2 2 True" ]'
check "--version without keel: keelctl's own, exit 0" \
	eval '"$KEELCTL" --socket "$SYS/none" --version | grep -q "^keelctl "'
check "--help: exit 0" eval '"$KEELCTL" --help | grep -q "^usage: keelctl"'
rc_of() { "$@" >"$OUT/rc.out" 2>"$OUT/rc.err"; echo $?; }
check "no command: exit 2" [ "$(rc_of "$KEELCTL" --socket "$SOCK")" = 2 ]
check "unknown option: exit 2" [ "$(rc_of ctl status --bogus)" = 2 ]
check "missing option value: exit 2" [ "$(rc_of ctl status --socket)" = 2 ]
check "too many arguments: exit 2" [ "$(rc_of ctl stop a b)" = 2 ]
check "--wait on a verb that does not wait: exit 2" [ "$(rc_of ctl status --wait)" = 2 ]
check "bad --timeout: exit 2" [ "$(rc_of ctl start last --wait --timeout soon)" = 2 ]
check "unknown verb: keel refuses, exit 1" [ "$(rc_of ctl frobnicate)" = 1 ]
check "no such service: exit 1" [ "$(rc_of ctl stop nosuch)" = 1 ]
check "keel not reachable: exit 111" [ "$(rc_of "$KEELCTL" --socket "$SYS/none" status)" = 111 ]
check "status NAME of a waiting service: exit 3" [ "$(rc_of ctl status broken)" = 3 ]
check "status NAME of a service still waiting: the condition it waits for, with the time so far" \
	eval 'ctl status broken | grep -qE "waited for: flag never [0-9]+\.[0-9]{3}s"'

# ---- bash completion ----
comp() {
	PATH=$KEEL_BUILD:$PATH bash -c '. "$0"; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _keelctl; echo "${COMPREPLY[*]}"' \
		"$KEEL_SRC/completion/keelctl.bash" keelctl "$@"
}
check "completion: commands" eval '[ "$(comp re)" = "restart reload reboot" ]'
check "completion: options anywhere" eval '[ "$(comp status --js)" = "--json" ]'
check "completion: service names from keel" eval '[ "$(comp --socket "$SOCK" restart lo)" = "loner longwait" ]'
check "completion: analyze views, then names" \
	eval '[ "$(comp analyze cr)" = "critical-chain" ] && [ "$(comp --socket "$SOCK" analyze critical-chain fi)" = "first" ]'

# ---- errors as JSON ----
js_err() { python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["ok"], d["exit"], bool(d["error"]))'; }
check "usage error under --json: a JSON object on stdout" \
	eval '[ "$(ctl --json status --bogus 2>/dev/null | js_err)" = "False 2 True" ]'
check "keel's ERR under --json" eval '[ "$(ctl stop nosuch --json 2>/dev/null | js_err)" = "False 1 True" ]'
check "unreachable under --json" \
	eval '[ "$("$KEELCTL" --json --socket "$SYS/none" status 2>/dev/null | js_err)" = "False 111 True" ]'
check "OK under --json: ok and message" \
	eval '[ "$(ctl cond set hello --json | python3 -c "import json,sys; d=json.load(sys.stdin); print(d[\"ok\"], d[\"message\"])")" = "True flag hello set" ]'

# ---- JSON shape: numbers next to display strings, the timeline ----
ctl status --json >"$OUT/status.json"
check "status --json: protocol 2, exit code and signal as numbers, times in ms" python3 - "$OUT/status.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["protocol"] == 2
s = {x["name"]: x for x in d["services"]}
slow, first = s["slow"], s["first"]
assert slow["last_exit"] == "exit 0" and slow["exit_code"] == 0 and slow["signal"] is None, slow
for k in ("wanted_ms", "started_ms", "ready_ms", "stopped_ms", "exited_ms"):
    assert k in first, k
assert isinstance(first["started_ms"], int) and first["stopped_ms"] is None
assert slow["exited_ms"] - slow["started_ms"] >= 350, slow
assert s["broken"]["state"] == "waiting" and s["broken"]["started_ms"] is None
PY
check "status NAME --json: waited per dependency" python3 -c '
import json, subprocess, sys
d = json.loads(subprocess.run(sys.argv[1:], capture_output=True, text=True).stdout)
w = {x["for"]: x["ms"] for x in d["services"][0]["waits"]}
assert w["slow"] >= 350, w
' "$KEELCTL" --socket "$SOCK" status last --json
check "status NAME: its times and waits in the text" \
	eval 'ctl status last | grep -qE "^    wanted [0-9.]+s, started [0-9.]+s, ready [0-9.]+s" && ctl status last | grep -qE "waited for: slow 0\.[4-9]"'
check "invalid UTF-8 in a description: valid JSON, the bytes escaped" \
	eval 'ctl status utf --json | python3 -c "import json,sys; b=sys.stdin.buffer.read(); b.decode(\"utf-8\"); d=json.loads(b); assert d[\"services\"][0][\"description\"] == \"bad \\u00ff\\u00fe bytes\""'

# ---- console: which step [ OK ] and [FAIL] are about ----
check "a once service that started, then failed: the [FAIL] line says so" \
	wait_for '^keel: \[FAIL\] oncefail: exit 1 \(after it started\)$' 20
ctl cond set longwait >/dev/null

# ---- --wait ----
r=$(ctl restart last --wait --timeout 10)
check "restart --wait: returns running, with a new process ($r)" \
	eval '[ "$r" = "last running" ] && wait_until 10 eval "[ \$(log_count \"start last\") -eq 2 ]"'
r=$(ctl stop loner --wait --json)
check "stop --wait --json: stopped ($r)" \
	eval 'echo "$r" | python3 -c "import json,sys; d=json.load(sys.stdin); assert d[\"ok\"] and d[\"state\"] == \"stopped\""'
check "start --wait: running" eval '[ "$(ctl --wait start loner)" = "loner running" ]'
rc=$(rc_of ctl start broken --wait --timeout 0.5)
check "start --wait of a service whose condition never holds: exit 4 naming the wait ($rc: $(cat "$OUT/rc.err"))" \
	eval '[ "$rc" = 4 ] && grep -q "still waiting.*flag never" "$OUT/rc.err"'
ctl cond set never >/dev/null
rc=$(rc_of ctl restart broken --wait --timeout 10)
check "restart --wait of a service that fails: exit 1 with the reason ($rc: $(cat "$OUT/rc.err"))" \
	eval '[ "$rc" = 1 ] && grep -q "broken failed: exit 3" "$OUT/rc.err"'
wait_log "^start stubborn " 20
rc=$(rc_of ctl stop stubborn --wait --timeout 0.5)
check "stop --wait of a service that ignores TERM: exit 4 while it is stopping ($rc: $(cat "$OUT/rc.err"))" \
	eval '[ "$rc" = 4 ] && grep -q "stubborn still stopping" "$OUT/rc.err"'
check "stop --wait again: stopped once SIGKILL came" eval '[ "$(ctl stop stubborn --wait --timeout 20)" = "stubborn stopped" ]'

# ---- events: a burst of 1000 state changes, a fast and a slow subscriber ----
# The fast one reads with a raised priority: on a loaded host a reader
# that is not scheduled for a while is a slow reader.
timeout 60 nice -n -15 "$KEELCTL" --socket "$SOCK" events --json >"$OUT/events.json" 2>"$OUT/events.err" &
fast=$!
cat >"$BIN/slow.py" <<'PY'
# slow.py: subscribes, reads nothing for a while, then everything: keel must have dropped it.
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
s.sendall(b"events\n")
open(sys.argv[2], "w").close()
time.sleep(float(sys.argv[3]))
data = b""
s.settimeout(20)
try:
    while True:
        b = s.recv(65536)
        if not b:
            break
        data += b
except socket.timeout:
    data += b"\t\t\t\tstill-subscribed\n"
lines = data.decode().splitlines()
print(len(lines), lines[-1].split("\t")[4] if lines else "none")
PY
python3 "$BIN/slow.py" "$SOCK" "$OUT/slow.ready" 4 >"$OUT/slow.txt" 2>&1 &
slow=$!
wait_until 10 test -e "$OUT/slow.ready"
wait_until 10 test -s "$OUT/events.json"
sleep 0.2
ctl cond set go >/dev/null
answered=0
for i in 1 2 3 4 5; do ctl list >/dev/null && answered=$((answered + 1)); done
check "keel answers during the burst ($answered of 5)" [ "$answered" = 5 ]
burst_done() {
	[ "$(ctl status --json | python3 -c 'import json,sys; print(sum(1 for s in json.load(sys.stdin)["services"] if s["name"].startswith("burst") and s["state"] == "done"))')" = 500 ]
}
check "the burst: 500 services ran" wait_until 60 burst_done
wait "$slow"
check "the slow subscriber was dropped with a last overrun event ($(cat "$OUT/slow.txt"))" grep -qE "^[0-9]+ overrun$" "$OUT/slow.txt"
sleep 0.5
kill "$fast" 2>/dev/null
wait "$fast" 2>/dev/null
check "the fast subscriber: every event in order, no gap, at least 1000 burst state changes" python3 - "$OUT/events.json" <<'PY'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
assert ev[0]["kind"] == "subscribed", ev[0]
seqs = [e["seq"] for e in ev[1:]]
assert seqs == list(range(seqs[0], seqs[0] + len(seqs))), "gap in seq"
burst = [e for e in ev if e["kind"] == "state" and e["service"].startswith("burst")]
assert len(burst) >= 1000, len(burst)
assert not [e for e in ev if e["kind"] == "overrun"]
e = burst[0]
assert e["from"] == "waiting" and e["state"] == "starting" and e["pid"] > 0, e
assert isinstance(e["mono_ms"], int) and e["wall_ms"] > 1600000000000, e
assert [e for e in ev if e["kind"] == "cond" and e["condition"] == "flag go" and e["value"]], "no cond event"
assert [e for e in ev if e["kind"] == "log" and "[ OK ]" in e["message"]], "no log event"
PY
check "PID 1 still answers after the burst" keel_answers
timeout 5 "$KEELCTL" --socket "$SOCK" events >"$OUT/events.txt" 2>&1 &
ev=$!
sleep 0.5
ctl restart loner >/dev/null
wait_until 10 grep -q "state loner starting -> running" "$OUT/events.txt"
check "events as text: time, kind, service, from -> to" \
	grep -qE "^[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3} state loner running -> stopping pid [0-9]+$" "$OUT/events.txt"
kill "$ev" 2>/dev/null

check "status NAME --json: waited per condition (flag longwait, set seconds after boot)" python3 -c '
import json, subprocess, sys
d = json.loads(subprocess.run(sys.argv[1:], capture_output=True, text=True).stdout)
w = {x["for"]: x["ms"] for x in d["services"][0]["waits"]}
assert w["flag longwait"] >= 1000, w
' "$KEELCTL" --socket "$SOCK" status longwait --json
check "a wait service still running after 5 s: still waiting for it, on the console" \
	wait_for '^keel: still waiting for longwait \([5-9]s\)$' 20

# ---- analyze and chart ----
ctl analyze blame >"$OUT/blame.txt"
check "analyze blame: slow first among the chain, with its time" \
	eval 'grep -qE "^ +0\.[4-9][0-9]{2}s slow " "$OUT/blame.txt" && [ "$(grep -n " slow " "$OUT/blame.txt" | cut -d: -f1)" -lt "$(grep -n " first " "$OUT/blame.txt" | cut -d: -f1)" ]'
check "analyze blame --json" \
	eval 'ctl analyze blame --json | python3 -c "import json,sys; b={x[\"name\"]: x for x in json.load(sys.stdin)[\"blame\"]}; assert b[\"slow\"][\"ms\"] >= 350"'
ctl analyze critical-chain last >"$OUT/chain.txt"
check "analyze critical-chain last: last <- slow <- first" \
	eval '[ "$(grep -oE "(last|slow|first) @" "$OUT/chain.txt" | tr -d " @" | tr "\n" ,)" = "last,slow,first," ]'
check "analyze critical-chain --json" \
	eval '[ "$(ctl analyze critical-chain last --json | python3 -c "import json,sys; print(\",\".join(x[\"name\"] for x in json.load(sys.stdin)[\"chain\"]))")" = "last,slow,first" ]'
check "analyze with a bad view: exit 2" [ "$(rc_of ctl analyze frob)" = 2 ]
ctl times >"$OUT/times.txt"
ctl chart >"$OUT/boot.svg"
check "chart: well-formed SVG, a bar group per service, the chain marked critical" python3 - "$OUT/boot.svg" <<'PY'
import sys, xml.etree.ElementTree as ET
ns = "{http://www.w3.org/2000/svg}"
root = ET.parse(sys.argv[1]).getroot()
assert root.tag == ns + "svg"
groups = [g for g in root.iter(ns + "g") if "service" in g.get("class", "")]
assert len(groups) >= 500, len(groups)
crit = {g.find(ns + "title").text.split(":")[0] for g in groups if "critical" in g.get("class")}
assert crit, crit
assert root.find(ns + "line[@class='keel-start']") is not None
PY
check "chart --from a saved times: the same picture" eval 'ctl chart --from "$OUT/times.txt" | cmp -s - "$OUT/boot.svg"'
if command -v rsvg-convert >/dev/null; then
	rsvg-convert -o "$OUT/boot.png" "$OUT/boot.svg" 2>"$OUT/rsvg.err"
	check "chart renders to PNG (rsvg-convert): at least 1000 px wide, tall enough for 500 rows" python3 - "$OUT/boot.png" <<'PY'
import struct, sys
b = open(sys.argv[1], "rb").read(32)
assert b[:8] == b"\x89PNG\r\n\x1a\n"
w, h = struct.unpack(">II", b[16:24])
assert w >= 1000 and h >= 500 * 18, (w, h)
PY
fi

keel_stop
finish
