# test_log: services' output in keel's log ring (tags, priorities, pids, respawns, floods, hostile bytes), its readers, and the file on flash across two boots.
# SPDX-License-Identifier: MIT
. "$(dirname "$0")/lib.sh"

LOGREAD=$KEEL_BUILD/logread
# Debian's own python starts in a tenth of the time of a pyenv shim.
PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3)

if [ ! -x "$LOGREAD" ]; then
	not_ok "logread is built ($LOGREAD)"
	finish
	exit 1
fi

# In a PID namespace keel leaves /dev/kmsg and /dev/log alone unless told:
# the ring holds only what the test's services and keel say.
keel_log_start() { keel_start --log-socket "$SYS/log.sock" "$@"; }

# lr ARGS...: logread on this system's log socket.
lr() { timeout 20 "$LOGREAD" --socket "$SYS/log.sock" "$@"; }
# klog NAME [ARGS...]: keelctl log on this system.
klog() { timeout 20 "$KEELCTL" --socket "$SOCK" --log-socket "$SYS/log.sock" log "$@"; }

# ring_has TAG ERE: a record of TAG whose message matches ERE (plain format:
# "... FACILITY.SEVERITY TAG[PID]: MESSAGE").
ring_has() { lr 2>/dev/null | grep -qE -- " $1(\[[0-9]+\])?: (.*[^a-z])?$2"; }
wait_ring() { wait_until "${3:-20}" ring_has "$1" "$2"; }

# dump: the whole ring as JSON into $OUT/ring.json, for rq.
dump() { lr --json >"$OUT/ring.json" 2>"$OUT/ring.err"; }

# rq EXPR [FILE]: a Python expression over the records R of the last dump,
# with T(tag[, source]) for one tag's records and M(...) for their messages.
cat >"$T/rq.py" <<'EOF'
# rq.py: evaluates an expression over logread --json records (test_log.sh).
import json, re, sys
R = []
with open(sys.argv[2], "rb") as f:
    for line in f:
        if line.strip():
            R.append(json.loads(line))
def T(tag, src=None):
    return [r for r in R if r["tag"] == tag and (src is None or r["source"] == src)]
def M(tag, src=None):
    return [r["message"] for r in T(tag, src)]
print(eval(sys.argv[1]))
EOF
rq() { "$PY" "$T/rq.py" "$1" "${2:-$OUT/ring.json}"; }

# rcheck NAME EXPR [SHOW [FILE]]: one check from a Python expression that is
# True; on failure the value of SHOW (a Python expression) is noted.
rcheck() {
	local got
	got=$(rq "$2" "${4:-}" 2>&1)
	if [ "$got" = True ]; then
		ok "$1"
	else
		[ "$got" = False ] || note "rq: $(echo "$got" | tail -n 3)"
		[ -n "${3:-}" ] && note "$(rq "$3" "${4:-}" 2>&1 | cut -c1-600)"
		not_ok "$1"
	fi
}

# ---------------------------------------------------------------------------
# Boot 1: the ring. 1 MiB, so that nothing of interest is overwritten by the
# flood before it is read; the log file's directory is missing.
sys_new ring

cat >"$BIN/tagged" <<EOF
#!/bin/sh
# tagged: two lines on each stream, then stays up with the same pid.
echo \$\$ >$OUT/tagged.pid
echo "out 1"; echo "err 1" >&2; echo "out 2"; echo "err 2" >&2
exec sleep 600
EOF
# Each run prints its number on stdout and a partial line (no newline) on
# stderr, then exits: the partial line must be a record of its own.
cat >"$BIN/counter" <<EOF
#!/bin/sh
# counter: one numbered run of a respawning service.
n=\$(cat $OUT/counter.n 2>/dev/null || echo 0)
n=\$((n + 1))
echo \$n >$OUT/counter.n
echo "count \$n"
printf 'partial %s' "\$n" >&2
exit 1
EOF
cat >"$BIN/flood" <<EOF
#!/bin/sh
# flood: floods stdout until told to stop, then prints a calm line every 100 ms.
yes "flood line" &
y=\$!
while [ ! -e $OUT/stop.flood ]; do sleep 0.05; done
kill \$y
while :; do echo calm; sleep 0.1; done
EOF
cat >"$BIN/quiet" <<EOF
#!/bin/sh
# quiet: 40 numbered lines, one every 50 ms, next to the flood.
i=1
while [ \$i -le 40 ]; do echo "quiet \$i"; i=\$((i + 1)); sleep 0.05; done
$BIN/rec done quiet
EOF
cat >"$BIN/say" <<EOF
#!/bin/sh
# say NAME: a line on each stream, then records that it ran.
echo "\$1 says out"
echo "\$1 says err" >&2
$BIN/rec end "\$1"
EOF
cat >"$BIN/fresh" <<EOF
#!/bin/sh
# fresh: "fresh first" at boot, "fresh second" when started again.
if [ -e $OUT/fresh.ran ]; then echo "fresh second"; else touch $OUT/fresh.ran; echo "fresh first"; fi
EOF
chmod 755 "$BIN"/*

svc tagged <<EOF
exec $BIN/tagged
EOF
svc counter <<EOF
type respawn
respawn limit 20 delay 20ms max-delay 20ms
exec $BIN/counter
EOF
svc flood <<EOF
exec $BIN/flood
EOF
svc quiet <<EOF
exec $BIN/quiet
EOF
svc failer <<EOF
exec $BIN/job failer 0 3
EOF
svc consvc <<EOF
log console
exec $BIN/say consvc
EOF
svc nullsvc <<EOF
log null
exec $BIN/say nullsvc
EOF
# tty first, log after: the tty still wins. (keel opens the tty, it does
# not create it: a plain file stands in for the terminal.)
: >"$OUT/tty.out"
svc ttysvc <<EOF
tty $OUT/tty.out
log ring
exec $BIN/say ttysvc
EOF
svc fresh <<EOF
exec $BIN/fresh
EOF
# An instance: its records carry the instance name.
svc greet greet@alpha <<EOF
exec $BIN/say greet-%0
EOF

keel_log_start --log-size 1M --log-file "$OUT/nodir/keel.log" --log-flush 1s || { finish; exit 1; }

check "missing log directory: a warning on the console" \
	wait_for "keel: warning: log file $OUT/nodir/keel.log: " 15
warn_ms=$(now_ms)

# A flood does not slow PID 1 down: keelctl list answers at once.
if wait_ring flood "flood line" 20; then
	worst=0
	for i in 1 2 3 4 5; do
		t0=$(now_ms)
		ctl list >/dev/null 2>&1 || worst=99999
		dt=$(($(now_ms) - t0))
		[ "$dt" -gt "$worst" ] && worst=$dt
	done
	note "keelctl list during the flood: slowest of 5 took $worst ms"
	check "flood: PID 1 answers keelctl list within 1 s (slowest $worst ms)" [ "$worst" -lt 1000 ]
else
	not_ok "flood: the flood reaches the ring"
fi

check "flood: the quiet service ran to its end" wait_log "^done quiet " 30
dump
rcheck "flood: every line of the quiet service is there, once, in order" \
	"M('quiet') == ['quiet %d' % i for i in range(1, 41)]" "M('quiet')"

touch "$OUT/stop.flood"
check "flood: the rate limit record says how many lines were suppressed" \
	wait_ring flood "[0-9]+ lines suppressed \(rate limit\)" 20
dump
rcheck "flood: the suppression record is tagged flood, daemon" \
	"any(re.fullmatch(r'[1-9][0-9]* lines suppressed \(rate limit\)', r['message']) and r['facility'] == 'daemon' for r in T('flood'))" \
	"[r for r in T('flood') if 'suppressed' in r['message']]"
# Default rate 1000 lines/s: the flood's stored lines over its time span.
rcheck "flood: at most 1000 lines a second were kept" \
	"(lambda f: len(f) <= 1000 * ((f[-1]['mono_us'] - f[0]['mono_us']) / 1e6 + 2))([r for r in T('flood') if r['message'] == 'flood line'])" \
	"(lambda f: (len(f), (f[-1]['mono_us'] - f[0]['mono_us']) / 1e6))([r for r in T('flood') if r['message'] == 'flood line'])"
ctl stop flood >/dev/null 2>&1

# Tags, priorities and pids.
wait_ring tagged "err 2" 20
tpid=$(cat "$OUT/tagged.pid" 2>/dev/null)
dump
rcheck "stdout: tagged with the instance name, daemon.info, in order" \
	"[(r['message'], r['facility'], r['severity']) for r in T('tagged', 'stdout')] == [('out 1', 'daemon', 'info'), ('out 2', 'daemon', 'info')]" \
	"T('tagged')"
rcheck "stderr: tagged with the instance name, daemon.err, in order" \
	"[(r['message'], r['facility'], r['severity']) for r in T('tagged', 'stderr')] == [('err 1', 'daemon', 'err'), ('err 2', 'daemon', 'err')]" \
	"T('tagged')"
rcheck "the records carry the service's pid ($tpid)" \
	"len(T('tagged')) == 4 and all(r['pid'] == int('${tpid:-0}') for r in T('tagged'))" "[r['pid'] for r in T('tagged')]"
wait_log "^end greet-alpha " 20
dump
rcheck "an instance's lines are tagged with the instance name (greet@alpha)" \
	"M('greet@alpha', 'stdout') == ['greet-alpha says out'] and M('greet@alpha', 'stderr') == ['greet-alpha says err']" \
	"[r for r in R if 'greet' in r['tag']]"
check "the pid is the one keelctl status shows" [ "$(svc_field tagged pid 2>/dev/null)" = "$tpid" ]
rcheck "logread: records in time order, each sequence number once" \
	"all(a['mono_us'] <= b['mono_us'] for a, b in zip(R, R[1:])) and len(set(r['seq'] for r in R)) == len(R)"

# A respawning service writes into the same pipe: nothing lost over 20 restarts.
check "respawn: the counter gave up after 20 restarts" wait_state counter failed 40
dump
rcheck "respawn: every count 1..21 is there exactly once, in order" \
	"[int(x) for m in M('counter', 'stdout') for x in re.findall(r'count ([0-9]+)', m)] == list(range(1, 22))" \
	"M('counter', 'stdout')"
rcheck "respawn: a partial line at exit is a record of its own" \
	"M('counter', 'stderr') == ['partial %d' % i for i in range(1, 22)]" "M('counter', 'stderr')"
rcheck "respawn: each run's records carry that run's pid" \
	"len(set(r['pid'] for r in T('counter', 'stdout'))) == 21" "[r['pid'] for r in T('counter')]"

# log console, log null, tty.
wait_log "^end consvc " 20
wait_log "^end nullsvc " 20
wait_log "^end ttysvc " 20
dump
check "log console: the lines on the console, untagged" \
	eval 'grep -qx "consvc says out" "$CONSOLE" && grep -qx "consvc says err" "$CONSOLE"'
rcheck "log console: nothing in the ring" "T('consvc') == []" "T('consvc')"
check "log null: nothing on the console" not grep -q "nullsvc says" "$CONSOLE"
rcheck "log null: nothing in the ring" "T('nullsvc') == []" "T('nullsvc')"
check "tty wins over log: the output is in the tty file" \
	eval 'grep -qx "ttysvc says out" "$OUT/tty.out" && grep -qx "ttysvc says err" "$OUT/tty.out"'
rcheck "tty wins over log: nothing in the ring" "T('ttysvc') == []" "T('ttysvc')"
check "tty wins over log: nothing on the console" not grep -q "ttysvc says" "$CONSOLE"

# keel's own lines.
check "failing service: [FAIL] on the console" wait_for '\[FAIL\] failer' 20
dump
rcheck "keel's own lines are in the ring, tag keel, source keel" \
	"len(T('keel', 'keel')) > 0 and all(r['facility'] == 'daemon' for r in T('keel'))" "T('keel')[:5]"
rcheck "failing service: its [FAIL] line is in the ring (tag keel, daemon.err)" \
	"any(m['message'].startswith('[FAIL] failer') and m['severity'] == 'err' for m in T('keel'))" \
	"[r for r in T('keel') if 'failer' in r['message']]"
rcheck "the console's 'target boot reached' is in the ring too" \
	"any('target boot reached' in m for m in M('keel'))" "M('keel')[-10:]"

# keelctl status NAME and keelctl log NAME.
ctl status tagged >"$OUT/status.txt" 2>&1
check "keelctl status NAME shows its last lines" \
	eval 'grep -q "out 2" "$OUT/status.txt" && grep -q "err 2" "$OUT/status.txt"'
klog counter >"$OUT/klog.txt" 2>&1
rc=$?
check "keelctl log NAME: exit 0 ($rc)" [ "$rc" -eq 0 ]
check "keelctl log NAME: the last 20 lines by default ($(wc -l <"$OUT/klog.txt"))" \
	[ "$(wc -l <"$OUT/klog.txt")" -eq 20 ]
check "keelctl log NAME: only that service's lines" \
	eval '! grep -vqE "(count|partial) [0-9]+$" "$OUT/klog.txt"'
klog counter -n 2 >"$OUT/klog2.txt" 2>&1
check "keelctl log NAME -n 2: the last two lines" \
	eval '[ "$(wc -l <"$OUT/klog2.txt")" -eq 2 ] && tail -n 1 "$OUT/klog2.txt" | grep -q "partial 21$"'

# logread's options.
lr -l 5 >"$OUT/l5.txt"
check "logread -l 5: five lines ($(wc -l <"$OUT/l5.txt"))" [ "$(wc -l <"$OUT/l5.txt")" -eq 5 ]
lr -e 'quiet 1[0-9]$' >"$OUT/e.txt"
check "logread -e: only the matching records ($(wc -l <"$OUT/e.txt"))" \
	eval '[ "$(wc -l <"$OUT/e.txt")" -eq 10 ] && ! grep -vqE "quiet 1[0-9]$" "$OUT/e.txt"'
lr --json -s quiet >"$OUT/s.json"
rcheck "logread -s: only that service's records" \
	"len(R) == 40 and all(r['tag'] == 'quiet' for r in R)" "len(R)" "$OUT/s.json"
rcheck "logread -s quiet: the same 40 lines" "M('quiet') == ['quiet %d' % i for i in range(1, 41)]" "" "$OUT/s.json"
"$LOGREAD" --socket "$SYS/nowhere.sock" >/dev/null 2>&1
rc=$?
check "logread: exit 111 when keel is not reachable ($rc)" [ "$rc" -eq 111 ]

# -f: the dump, then a new line as it comes.
"$LOGREAD" --socket "$SYS/log.sock" -f -s fresh >"$OUT/follow.txt" 2>&1 &
fpid=$!
"$KEELCTL" --socket "$SOCK" --log-socket "$SYS/log.sock" log fresh -f >"$OUT/kfollow.txt" 2>&1 &
kfpid=$!
check "logread -f: prints the ring first" wait_until 10 grep -q "fresh first" "$OUT/follow.txt"
check "keelctl log -f: prints the last lines first" wait_until 10 grep -q "fresh first" "$OUT/kfollow.txt"
ctl start fresh >/dev/null 2>&1
check "logread -f: a new record within 10 s" wait_until 10 grep -q "fresh second" "$OUT/follow.txt"
check "keelctl log -f: a new record within 10 s" wait_until 10 grep -q "fresh second" "$OUT/kfollow.txt"
check "logread -f: still following" kill -0 "$fpid"
check "keelctl log -f: still following" kill -0 "$kfpid"
kill "$fpid" "$kfpid" 2>/dev/null
wait "$fpid" "$kfpid" 2>/dev/null

# -F FILE -S SIZE: the dump goes into a file rotated past SIZE.
lr -F "$OUT/lr.txt" -S 4096
rc=$?
check "logread -F -S: exit 0 ($rc)" [ "$rc" -eq 0 ]
check "logread -F -S: rotated to FILE.1" eval '[ -s "$OUT/lr.txt" ] && [ -s "$OUT/lr.txt.1" ]'
sz0=$(stat -c %s "$OUT/lr.txt" 2>/dev/null || echo 0)
sz1=$(stat -c %s "$OUT/lr.txt.1" 2>/dev/null || echo 0)
check "logread -F -S: neither file much over SIZE ($sz0, $sz1 bytes)" \
	eval '[ "$sz0" -le $((4096 + 4300)) ] && [ "$sz1" -le $((4096 + 4300)) ]'
check "logread -F -S: the last record ends the file" eval 'tail -n 1 "$OUT/lr.txt" | grep -q .'

# -r HOST PORT -u: records as RFC 3164 datagrams to a UDP listener.
cat >"$T/udp.py" <<'EOF'
# udp.py: receives N datagrams (or gives up after 15 s) into a file, one a line (test_log.sh).
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write(str(s.getsockname()[1]))
import os
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
end = time.time() + 15
got = []
while len(got) < int(sys.argv[3]) and time.time() < end:
    s.settimeout(max(0.01, end - time.time()))
    try:
        got.append(s.recv(65536))
    except socket.timeout:
        break
with open(sys.argv[2], "w") as f:
    for d in got:
        f.write(d.decode("utf-8", "backslashreplace") + "\n")
EOF
"$PY" "$T/udp.py" "$OUT/udp.port" "$OUT/udp.txt" 4 &
upid=$!
if wait_until 10 test -s "$OUT/udp.port"; then
	port=$(cat "$OUT/udp.port")
	lr -s tagged -r 127.0.0.1 "$port" -u >"$OUT/remote.out" 2>&1
	rc=$?
	check "logread -r -u: exit 0 ($rc)" [ "$rc" -eq 0 ]
	wait "$upid"
	check "logread -r -u: four datagrams ($(wc -l <"$OUT/udp.txt" 2>/dev/null))" \
		[ "$(wc -l <"$OUT/udp.txt" 2>/dev/null)" -eq 4 ]
	check "logread -r -u: stdout as <30> (daemon.info) with tag and pid" \
		grep -qE "^<30>.*tagged\[$tpid\]: out 1$" "$OUT/udp.txt"
	check "logread -r -u: stderr as <27> (daemon.err)" \
		grep -qE "^<27>.*tagged\[$tpid\]: err 2$" "$OUT/udp.txt"
else
	not_ok "UDP listener starts"
	kill "$upid" 2>/dev/null
fi

# The log file: the warning once, the ring unharmed, then a retry succeeds.
wait_until 10 eval '[ $(($(now_ms) - warn_ms)) -ge 3000 ]'
n=$(grep -c "keel: warning: log file $OUT/nodir/keel.log" "$CONSOLE")
check "missing log directory: exactly one warning after 3 flush intervals ($n)" [ "$n" -eq 1 ]
mkdir -p "$OUT/nodir"
check "missing log directory: written at a later flush once it exists" \
	wait_until 10 grep -qs "quiet 40" "$OUT/nodir/keel.log"

check "poweroff ends the namespace" keel_stop

# ---------------------------------------------------------------------------
# Boot 2: hostile output in a 16K ring (boot option).
sys_new hostile
KEEL_CMDLINE="keel.log.size=16K"
# One line of 1 MiB + 100 bytes: 1024 records of 1024 bytes, then 100.
cat >"$BIN/bigline" <<EOF
#!/bin/sh
# bigline: one huge line, then a normal one.
head -c 1048676 /dev/zero | tr '\\000' a
echo
echo "after big"
EOF
cat >"$BIN/garbage" <<EOF
#!/bin/sh
# garbage: random bytes, invalid UTF-8, control bytes, a NUL, valid UTF-8.
head -c 3000 /dev/urandom
printf '\n\377\376 bad utf8 \303\050 end\n'
printf 'ctl \001\033[31m red\177 tab\there\n'
printf 'nul \000 inside\n'
printf 'good utf8 \303\251 \342\234\223\n'
echo "garbage done"
EOF
chmod 755 "$BIN/bigline" "$BIN/garbage"
# No rate limit: the 1025 records of the line come within a second, and
# every one counts as a line.
svc bigline <<EOF
type wait
log ring rate 0
exec $BIN/bigline
EOF
svc garbage <<EOF
after bigline
exec $BIN/garbage
EOF

keel_log_start || { finish; exit 1; }
check "hostile: the garbage service ran" wait_ring garbage "garbage done" 30
check "hostile: keel still answers" keel_answers
lr --json >"$OUT/ring.json" 2>"$OUT/ring.err"
rc=$?
check "hostile: logread --json exits 0 ($rc)" [ "$rc" -eq 0 ]
check "hostile: every logread --json line is valid UTF-8 JSON" "$PY" -c '
import json, sys
n = 0
for line in open(sys.argv[1], "rb"):
    json.loads(line.decode("utf-8"))
    n += 1
sys.exit(0 if n > 0 else 1)' "$OUT/ring.json"
rcheck "hostile: invalid UTF-8 escaped byte by byte" \
	"'\xff\xfe bad utf8 \xc3( end' in M('garbage')" "M('garbage')[-6:]"
rcheck "hostile: control bytes kept (escaped)" \
	"'ctl \x01\x1b[31m red\x7f tab\there' in M('garbage')" "M('garbage')[-6:]"
rcheck "hostile: a NUL byte kept inside the line" "'nul \x00 inside' in M('garbage')" "M('garbage')[-6:]"
rcheck "hostile: valid UTF-8 kept as it is" "'good utf8 \u00e9 \u2713' in M('garbage')" "M('garbage')[-6:]"
rcheck "hostile: a 1 MiB line: the last piece 100 bytes, not continued, then the next line" \
	"(lambda b: b[-1]['message'] == 'after big' and b[-2]['message'] == 'a' * 100 and 'c' not in b[-2]['flags'])(T('bigline'))" \
	"[(len(r['message']), r['flags']) for r in T('bigline')][-5:]"
rcheck "hostile: a 1 MiB line: the pieces before are 1024 bytes, flag c" \
	"(lambda p: len(p) >= 3 and all(r['message'] == 'a' * 1024 and 'c' in r['flags'] for r in p))(T('bigline')[:-2])" \
	"[(len(r['message']), r['flags']) for r in T('bigline')][:5]"
rcheck "hostile: keel.log.size=16K holds (messages total $(rq 'sum(len(r["message"]) for r in R)' 2>/dev/null) bytes)" \
	"sum(len(r['message']) for r in R) <= 16384"
lr >"$OUT/plain.txt" 2>&1
check "hostile: plain logread says older records were overwritten" \
	grep -q "older records were overwritten" "$OUT/plain.txt"
# Text keeps invalid UTF-8 as it came (as OpenWrt's logread does), but no
# byte that could drive a terminal.
check "hostile: plain logread output has no control bytes but newline and tab" "$PY" -c '
import sys
t = open(sys.argv[1], "rb").read()
sys.exit(1 if any(c < 32 and c not in (9, 10) or c == 127 for c in t) else 0)' "$OUT/plain.txt"
check "hostile: plain logread shows the escaped control bytes" \
	grep -qF 'ctl \x01\x1b[31m red\x7f tab' "$OUT/plain.txt"
# The protocol itself: nine tab-separated fields a record, then "end".
check "hostile: the socket protocol: 9 fields a line, ends with end" "$PY" -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(10)
s.connect(sys.argv[1])
s.sendall(b"dump\n")
data = b""
while True:
    b = s.recv(65536)
    if not b:
        break
    data += b
    if data.endswith(b"\nend\n"):
        break
lines = data.decode("utf-8").split("\n")
assert lines[-1] == "" and lines[-2] == "end", lines[-3:]
bad = [l for l in lines[:-2] if not l.startswith("lost ") and len(l.split("\t")) != 9]
assert not bad, bad[:3]' "$SYS/log.sock"
check "hostile: poweroff ends the namespace" keel_stop
KEEL_CMDLINE=

# ---------------------------------------------------------------------------
# Boots 3 and 4: the file on flash, shared by both boots.
FLASH=$T/flash
mkdir -p "$FLASH"
FILE=$FLASH/keel.log
sys_new file1
cat >"$BIN/chatty" <<EOF
#!/bin/sh
# chatty: waits for its go, then 200 lines of about 100 bytes.
while [ ! -e $OUT/go.chatty ]; do sleep 0.05; done
i=1
while [ \$i -le 200 ]; do
	echo "boot1 chatty \$i ................................................................................"
	i=\$((i + 1))
done
$BIN/rec end chatty
EOF
# byer WORDS: says WORDS when it is stopped.
cat >"$BIN/byer" <<EOF
#!/bin/sh
# byer: prints its words when stopped (the last line of a boot).
trap 'echo "\$* bye"; exit 0' TERM
while :; do sleep 5 & wait \$!; done
EOF
chmod 755 "$BIN/chatty" "$BIN/byer"
svc early <<EOF
exec /bin/echo boot1 early
EOF
svc chatty <<EOF
exec $BIN/chatty
EOF
svc byer <<EOF
exec $BIN/byer boot1
EOF
keel_log_start --log-file "$FILE" --log-flush 1s --log-filesize 16K || { finish; exit 1; }
check "file: a line reaches the file after the flush interval" \
	wait_until 15 eval 'grep -q "boot1 early" "$FILE" "$FILE.1" 2>/dev/null'
check "file: written as protocol lines (9 tab-separated fields) after a #boot line" \
	eval 'head -n 1 "$FILE" | grep -q "^#boot ." && awk -F "\t" "!/^#/ && NF != 9 { bad = 1 } END { exit bad }" "$FILE"'
touch "$OUT/go.chatty"
check "file: rotated to PATH.1 past --log-filesize" \
	wait_until 15 eval 'grep -q "boot1 chatty 200 " "$FILE" "$FILE.1" 2>/dev/null && [ -s "$FILE.1" ]'
check "file: rotation keeps PATH under about its size" \
	[ "$(stat -c %s "$FILE" 2>/dev/null || echo 0)" -le $((16384 + 33000)) ]
check "file: poweroff ends the namespace" keel_stop
check "file: after poweroff the last lines of the boot are in the file" grep -q "boot1 bye" "$FILE"

# keel tells boots apart by the kernel's boot id, which both test boots
# share: the second keel sees another one, as after a real reboot, through
# a wrapper that binds a file over it in keel's namespace before becoming
# keel (it runs as PID 1 and execs, so keel is still PID 1).
sys_new file2
echo "00000000-0000-4000-8000-$(printf '%012d' $$)" >"$OUT/boot_id"
real_keel=$KEEL
KEEL=$BIN/keel-reboot
cat >"$KEEL" <<EOF
#!/bin/sh
# keel-reboot: another kernel boot id for the keel it becomes.
/bin/mount --bind "$OUT/boot_id" /proc/sys/kernel/random/boot_id || exit 1
exec "$real_keel" "\$@"
EOF
chmod 755 "$KEEL"
cat >"$BIN/burst" <<EOF
#!/bin/sh
# burst: waits for its go, then 350 lines of about 100 bytes: over 32 KiB,
# but well within the 64 KiB ring.
while [ ! -e $OUT/go.burst ]; do sleep 0.05; done
i=1
while [ \$i -le 350 ]; do
	echo "boot2 burst \$i ................................................................................"
	i=\$((i + 1))
done
EOF
cp "$T/file1/bin/byer" "$BIN/byer"
chmod 755 "$BIN/burst" "$BIN/byer"
svc marker <<EOF
exec /bin/echo boot2 marker
EOF
svc burst <<EOF
exec $BIN/burst
EOF
svc byer <<EOF
exec $BIN/byer boot2
EOF
# A flush interval of an hour: only 32 KiB waiting or the power-off write
# can put anything in the file.
keel_log_start --log-file "$FILE" --log-flush 1h || { finish; exit 1; }
wait_ring marker "boot2 marker" 20
touch "$OUT/go.burst"
check "file: 32 KiB waiting are written before the flush interval" \
	wait_until 15 eval 'grep -q "boot2 burst 100 " "$FILE" 2>/dev/null'
check "file: the first write of a boot moved the previous file to PATH.prev" \
	eval 'grep -q "boot1 bye" "$FILE.prev" && ! grep -q "boot2" "$FILE.prev"'
check "file: PATH.1 became PATH.prev.1" grep -q "boot1 chatty" "$FILE.prev.1"
check "file: poweroff ends the namespace" keel_stop
KEEL=$real_keel
check "file: the power-off write has the lines since the last flush" \
	eval 'grep -q "boot2 burst 350 " "$FILE" && grep -q "boot2 bye" "$FILE"'
check "file: every line of the boot once, no record lost ($(grep -c "boot2 burst" "$FILE") burst lines)" \
	eval '[ "$(grep -o "boot2 burst [0-9]* " "$FILE" | sort -u | wc -l)" -eq 350 ] &&
	      [ "$(grep -c "boot2 burst" "$FILE")" -eq 350 ] && ! grep -q "^lost" "$FILE"'

# logread reads the running boot's id (a file not yet moved aside is still
# the previous boot's): it runs in the second boot, as keel did.
in_boot2() {
	unshare --mount sh -c 'mount --bind "$0" /proc/sys/kernel/random/boot_id && exec "$@"' \
		"$OUT/boot_id" "$@"
}
in_boot2 "$LOGREAD" -P --file "$FILE" >"$OUT/prev.txt" 2>&1
rc=$?
check "logread -P: exit 0 without keel ($rc)" [ "$rc" -eq 0 ]
check "logread -P: the first boot's lines, not the second's" \
	eval 'grep -q "boot1 chatty" "$OUT/prev.txt" && grep -q "boot1 bye" "$OUT/prev.txt" && ! grep -q "boot2" "$OUT/prev.txt"'
check "logread -P: PATH.prev.1 before PATH.prev" \
	eval '[ "$(grep -n "boot1 chatty" "$OUT/prev.txt" | tail -n 1 | cut -d: -f1)" -lt "$(grep -n "boot1 bye" "$OUT/prev.txt" | cut -d: -f1)" ]'
in_boot2 "$LOGREAD" -P --file "$FILE" --json >"$OUT/prev.json" 2>/dev/null
rcheck "logread -P --json: the first boot's bye with its tag" \
	"any(r['tag'] == 'byer' and r['message'] == 'boot1 bye' for r in R)" "R[-3:]" "$OUT/prev.json"

finish
