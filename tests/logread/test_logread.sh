#!/bin/bash
# test_logread: logread (and keelctl log) against a fake keel log socket — every option's exact output, rotation, remote syslog over UDP and TCP, the pid file, JSON.
# SPDX-License-Identifier: MIT
#
# No keel here: a small python3 server speaks the log socket protocol of
# docs/logging.md with canned record lines (escaped bytes, invalid UTF-8, a
# "lost 3" line, kernel lines with earlier MONO_US arriving late), and
# python3 listeners on 127.0.0.1 stand in for remote syslog servers.
set -u
KEEL_SRC=${KEEL_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
KEEL_BUILD=${KEEL_BUILD:-$KEEL_SRC/build}
case $KEEL_BUILD in /*) ;; *) KEEL_BUILD=$KEEL_SRC/$KEEL_BUILD ;; esac
LOGREAD=$KEEL_BUILD/logread
KEELCTL=$KEEL_BUILD/keelctl
# Exact text needs a known time zone and the C locale's day and month names.
export TZ=UTC0 LC_ALL=C

PASS=0 FAIL=0
T=$(mktemp -d /tmp/keel-logread.XXXXXX) || { echo "not ok - logread: mktemp"; exit 1; }
PIDS=""
cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	rm -rf "$T"
}
trap cleanup EXIT

ok() { PASS=$((PASS + 1)); echo "ok - logread: $1"; }
not_ok() {
	FAIL=$((FAIL + 1))
	echo "not ok - logread: $1"
	[ -z "${2:-}" ] || printf '# %s\n' "$2"
	return 0
}
# same NAME GOT_FILE WANT_FILE: byte-exact comparison, with a diff when not.
same() {
	if cmp -s "$2" "$3"; then
		ok "$1"
	else
		not_ok "$1"
		diff <(od -c "$3") <(od -c "$2") | head -20 | sed 's/^/#   /'
	fi
}
# wait_until SECONDS CMD...: poll CMD until it succeeds or the deadline passes.
wait_until() {
	local end=$((SECONDS + $1)); shift
	until "$@"; do
		[ "$SECONDS" -lt "$end" ] || return 1
		sleep 0.05
	done
}
lines_at_least() { [ -f "$1" ] && [ "$(wc -l <"$1")" -ge "$2" ]; }

[ -x "$LOGREAD" ] || { echo "not ok - logread: no $LOGREAD"; exit 1; }

# ---- the fake keel -------------------------------------------------------
cat >"$T/server.py" <<'EOF'
# The log socket side of keel, canned: "dump N" / "follow N" answered from files.
import os, socket, sys, threading, time
path, backlog, live, reqlog, mode = sys.argv[1:6]
def read(p):
    with open(p, 'rb') as f:
        return [l for l in f.read().split(b'\n') if l]
def serve(c):
    f = c.makefile('rb')
    req = f.readline().rstrip(b'\n')
    with open(reqlog, 'ab') as r:
        r.write(req + b'\n')
    words = req.split()
    if mode == 'refuse':
        c.sendall(b'ERR not allowed\n'); c.close(); return
    n = int(words[1]) if len(words) > 1 else 0
    lines = read(backlog)
    recs = [l for l in lines if l[:1].isdigit()]
    keep = set(map(id, recs[-n:] if n else recs))
    out = [l for l in lines if not l[:1].isdigit() or id(l) in keep]
    c.sendall(b''.join(l + b'\n' for l in out))
    if mode == 'noend':
        c.close(); return
    if words[0] == b'follow':
        # keel sends no "end" after a follow's backlog; mode followend does.
        if mode == 'followend':
            c.sendall(b'end\n')
        # The new records come when the test says so (it has seen the
        # backlog printed by then): path.go appears.
        deadline = time.time() + 20
        while not os.path.exists(path + '.go') and time.time() < deadline:
            time.sleep(0.02)
        c.sendall(b''.join(l + b'\n' for l in read(live)))
        while c.recv(4096):
            pass
    else:
        c.sendall(b'end\n')
    c.close()
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(path + '.tmp'); s.listen(16)
os.rename(path + '.tmp', path)
while True:
    c, _ = s.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
EOF

cat >"$T/listen.py" <<'EOF'
# A syslog server on 127.0.0.1: UDP (one datagram per line of OUT) or TCP (the bytes as they came).
import socket, sys
proto, portfile, out = sys.argv[1:4]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM if proto == 'udp' else socket.SOCK_STREAM)
s.bind(('127.0.0.1', 0))
if proto == 'tcp':
    s.listen(1)
with open(portfile + '.tmp', 'w') as f:
    f.write(str(s.getsockname()[1]))
import os; os.rename(portfile + '.tmp', portfile)
with open(out, 'ab', buffering=0) as o:
    if proto == 'udp':
        while True:
            o.write(s.recv(65536) + b'\n')
    else:
        while True:
            c, _ = s.accept()
            while True:
                d = c.recv(65536)
                if not d:
                    break
                o.write(d)
            c.close()
EOF

# Record lines: SEQ MONO_US REAL_US PRI SOURCE PID FLAGS TAG MESSAGE. Seq 1
# to 3 were overwritten, 8 to 10 while the dump was read ("lost 3"). The
# kernel's lines (5, 12) have the earliest MONO_US but come late; 6 and 7
# have the same MONO_US (their order must stay). Escapes as keel writes
# them; é and U+0085 (a C1 control) raw, as valid UTF-8 is sent.
tab=$'\t'
{
	printf '4\t2000000\t1796098136123456\t30\tstdout\t1234\t-\tdnsmasq\tstarted, version 2.89\n'
	printf '5\t500000\t1796098130000001\t6\tkern\t0\t-\tkernel\tLinux version 6.1.0\n'
	printf '6\t3000000\t1796098137500000\t27\tstderr\t1234\tc\tdnsmasq\ttab\\tthere back\\\\slash bell\\x07 nl\\n "q"\n'
	printf '7\t3000000\t1796098137500001\t30\tstdout\t77\t-\tweb@a\tbad \\xff\\xfe byte \xc3\xa9 C1\xc2\x85 del\\x7f\n'
	printf 'something a later keel may add\n'
	echo "lost 3"
	printf '11\t4000000\t1796098140000000\t13\tsyslog\t0\t-\tlogger\thello from logger\n'
	printf '12\t1000000\t1796098135000000\t4\tkern\t0\t-\tkernel\tusb 1-1: new device\n'
} >"$T/backlog"
{
	echo "lost 2"
	printf '13\t5000000\t1796098141000000\t30\tstdout\t1234\t-\tdnsmasq\tlive one\n'
	printf '14\t5100000\t1796098141100000\t31\tstdout\t1234\t-\tdnsmasq\tlive two\n'
} >"$T/live"

# The same records as logread prints them, in MONO_US order.
L5='Tue Dec  1 04:08:50 2026 kern.info kernel: Linux version 6.1.0'
L9='Tue Dec  1 04:08:55 2026 kern.warn kernel: usb 1-1: new device'
L4='Tue Dec  1 04:08:56 2026 daemon.info dnsmasq[1234]: started, version 2.89'
L6="Tue Dec  1 04:08:57 2026 daemon.err dnsmasq[1234]: tab${tab}there back\\slash bell\\x07 nl\\n \"q\""
L7=$(printf 'Tue Dec  1 04:08:57 2026 daemon.info web@a[77]: bad \xff\xfe byte \xc3\xa9 C1\xc2\x85 del\\x7f')
L8='Tue Dec  1 04:09:00 2026 user.notice logger: hello from logger'
L10='Tue Dec  1 04:09:01 2026 daemon.info dnsmasq[1234]: live one'
L11='Tue Dec  1 04:09:01 2026 daemon.debug dnsmasq[1234]: live two'
want() { printf '%s\n' "$@" >"$T/want"; }

start_server() { # start_server NAME MODE
	local sock=$T/$1.sock
	python3 "$T/server.py" "$sock" "$T/backlog" "$T/live" "$T/$1.req" "$2" &
	PIDS="$PIDS $!"
	wait_until 10 test -S "$sock" || { not_ok "fake server $1 started"; return 1; }
}
start_server keel normal || exit 1
start_server refuse refuse || exit 1
start_server noend noend || exit 1
start_server followend followend || exit 1
S=$T/keel.sock
lr() { "$LOGREAD" --socket "$S" "$@"; }
last_req() { tail -n 1 "$T/keel.req"; }

# ---- the ring: plain, -l, -s, -e --------------------------------------------
lr >"$T/out" 2>"$T/err"; rc=$?
want "$L5" "$L9" "$L4" "$L6" "$L7" "$L8"
[ "$rc" = 0 ] && ok "dump exits 0" || not_ok "dump exits 0" "exit $rc: $(cat "$T/err")"
same "dump: every record, in MONO_US order, OpenWrt's format" "$T/out" "$T/want"
[ "$(last_req)" = "dump 0" ] && ok "dump asks 'dump 0'" || not_ok "dump asks 'dump 0'" "$(last_req)"
printf 'logread: 3 older records were overwritten\nlogread: 3 records were overwritten before logread read them\n' >"$T/want"
same "dump: records before the first one and 'lost 3' said on stderr" "$T/err" "$T/want"

lr -l 2 >"$T/out" 2>"$T/err"
want "$L9" "$L8"
same "-l 2: the last 2 records, in order" "$T/out" "$T/want"
[ "$(last_req)" = "dump 2" ] && ok "-l 2 asks 'dump 2'" || not_ok "-l 2 asks 'dump 2'" "$(last_req)"
[ ! -s "$T/err" ] && ok "-l 2: the loss is not said (all asked for came)" ||
	not_ok "-l 2: the loss is not said (all asked for came)" "$(cat "$T/err")"

lr -s dnsmasq >"$T/out" 2>/dev/null
want "$L4" "$L6"
same "-s dnsmasq" "$T/out" "$T/want"

lr -l 1 -s dnsmasq >"$T/out" 2>/dev/null
want "$L6"
same "-l 1 -s dnsmasq: the last matching record" "$T/out" "$T/want"
[ "$(last_req)" = "dump 0" ] && ok "-l with a filter asks for everything" ||
	not_ok "-l with a filter asks for everything" "$(last_req)"

lr -e 'version' >"$T/out" 2>/dev/null
want "$L5" "$L4"
same "-e matches messages" "$T/out" "$T/want"

lr -e '^(web|log)' >"$T/out" 2>/dev/null
want "$L7" "$L8"
same "-e matches tags (extended regex)" "$T/out" "$T/want"

lr -l5 -e 'kern|logger' -s kernel >"$T/out" 2>/dev/null
want "$L5" "$L9"
same "-s and -e together (-lN attached)" "$T/out" "$T/want"

# ---- --json ------------------------------------------------------------------
lr --json >"$T/out" 2>/dev/null
python3 - "$T/out" <<'EOF' && ok "--json: valid UTF-8, every line a JSON object with exactly the documented keys" || not_ok "--json: valid UTF-8, every line a JSON object with exactly the documented keys"
import json, sys
keys = ["seq", "mono_us", "real_us", "time", "facility", "severity", "source", "pid", "flags", "tag", "message"]
data = open(sys.argv[1], 'rb').read()
lines = data.decode('utf-8').splitlines()   # strict: raises on invalid UTF-8
objs = [json.loads(l) for l in lines]
assert len(objs) == 6, len(objs)
for o in objs:
    assert list(o) == keys, list(o)
assert [o["seq"] for o in objs] == [5, 12, 4, 6, 7, 11]
EOF
python3 - "$T/out" <<'EOF' && ok "--json: values (escapes, invalid bytes, flags, time)" || not_ok "--json: values (escapes, invalid bytes, flags, time)"
import json, sys
objs = {o["seq"]: o for o in map(json.loads, open(sys.argv[1], encoding='utf-8'))}
o = objs[6]
assert o == {"seq": 6, "mono_us": 3000000, "real_us": 1796098137500000,
             "time": "2026-12-01T04:08:57.500000Z", "facility": "daemon", "severity": "err",
             "source": "stderr", "pid": 1234, "flags": "c", "tag": "dnsmasq",
             "message": 'tab\tthere back\\slash bell\x07 nl\n "q"'}, o
assert objs[7]["message"] == "bad \u00ff\u00fe byte \u00e9 C1\u0085 del\u007f", objs[7]["message"]
assert objs[7]["tag"] == "web@a" and objs[7]["flags"] == ""
assert objs[5]["facility"] == "kern" and objs[5]["severity"] == "info" and objs[5]["pid"] == 0
assert objs[11]["source"] == "syslog" and objs[11]["facility"] == "user" and objs[11]["severity"] == "notice"
assert objs[4]["time"] == "2026-12-01T04:08:56.123456Z"
EOF
grep '"seq":7,' "$T/out" >"$T/got7"
printf '%s\n' '{"seq":7,"mono_us":3000000,"real_us":1796098137500001,"time":"2026-12-01T04:08:57.500001Z","facility":"daemon","severity":"info","source":"stdout","pid":77,"flags":"","tag":"web@a","message":"bad \u00ff\u00fe byte é C1\u0085 del\u007f"}' >"$T/want"
same "--json: one line, byte for byte" "$T/got7" "$T/want"
grep '"seq":6,' "$T/out" >"$T/got6"
printf '%s\n' '{"seq":6,"mono_us":3000000,"real_us":1796098137500000,"time":"2026-12-01T04:08:57.500000Z","facility":"daemon","severity":"err","source":"stderr","pid":1234,"flags":"c","tag":"dnsmasq","message":"tab\u0009there back\\slash bell\u0007 nl\u000a \"q\""}' >"$T/want"
same "--json: control characters as \\u00XX" "$T/got6" "$T/want"

# ---- -f, -p ------------------------------------------------------------------
# follow_check NAME SERVER ARGS... -- BACKLOG_LINES... -- LIVE_LINES...: logread
# -f prints the backlog (in order) before the new records exist, then them.
follow_check() {
	local name=$1 sock=$T/$2.sock; shift 2
	local args=() back=() live=()
	while [ "$1" != -- ]; do args+=("$1"); shift; done; shift
	while [ "$1" != -- ]; do back+=("$1"); shift; done; shift
	live=("$@")
	# Removed here, not truncated by the background job's redirection: that
	# may happen after the first look at the file.
	rm -f "$sock.go" "$T/fout" "$T/ferr"
	"$LOGREAD" --socket "$sock" -f "${args[@]}" >"$T/fout" 2>"$T/ferr" &
	fpid=$!
	PIDS="$PIDS $fpid"
	if wait_until 10 lines_at_least "$T/fout" "${#back[@]}"; then
		want "${back[@]}"
		same "$name: the backlog in order, before any new record" "$T/fout" "$T/want"
	else
		not_ok "$name: the backlog in order, before any new record" "$(cat "$T/fout" "$T/ferr")"
	fi
	touch "$sock.go"
	if wait_until 10 lines_at_least "$T/fout" $((${#back[@]} + ${#live[@]})); then
		want "${back[@]}" "${live[@]}"
		same "$name: then the new records" "$T/fout" "$T/want"
	else
		not_ok "$name: then the new records" "$(cat "$T/fout" "$T/ferr")"
	fi
}
follow_check "-f" keel -p "$T/lr.pid" -- "$L5" "$L9" "$L4" "$L6" "$L7" "$L8" -- "$L10" "$L11"
[ "$(last_req)" = "follow 0" ] && ok "-f asks 'follow 0'" || not_ok "-f asks 'follow 0'" "$(last_req)"
[ "$(cat "$T/lr.pid" 2>/dev/null)" = "$fpid" ] && ok "-p: the pid file holds logread's pid" ||
	not_ok "-p: the pid file holds logread's pid" "$(cat "$T/lr.pid" 2>&1) vs $fpid"
kill -TERM "$fpid"
wait "$fpid"; rc=$?
[ "$rc" = 0 ] && ok "-f: SIGTERM ends it with 0" || not_ok "-f: SIGTERM ends it with 0" "exit $rc"
[ ! -e "$T/lr.pid" ] && ok "-p: the pid file is removed at exit" || not_ok "-p: the pid file is removed at exit"
printf '%s\n' "logread: 3 older records were overwritten" \
	"logread: 3 records were overwritten before logread read them" \
	"logread: 2 records were overwritten before logread read them" >"$T/want"
same "-f: losses said on stderr" "$T/ferr" "$T/want"

follow_check "-f -s -l 1" keel -s dnsmasq -l 1 -- "$L6" -- "$L10" "$L11"
kill -INT "$fpid"
wait "$fpid"; rc=$?
[ "$rc" = 0 ] && ok "-f: SIGINT ends it with 0" || not_ok "-f: SIGINT ends it with 0" "exit $rc"

mapfile -t json_lines < <(lr --json 2>/dev/null)
follow_check "-f, 'end' after the backlog" followend --json -- "${json_lines[@]}" -- \
	'{"seq":13,"mono_us":5000000,"real_us":1796098141000000,"time":"2026-12-01T04:09:01.000000Z","facility":"daemon","severity":"info","source":"stdout","pid":1234,"flags":"","tag":"dnsmasq","message":"live one"}' \
	'{"seq":14,"mono_us":5100000,"real_us":1796098141100000,"time":"2026-12-01T04:09:01.100000Z","facility":"daemon","severity":"debug","source":"stdout","pid":1234,"flags":"","tag":"dnsmasq","message":"live two"}'
kill "$fpid"; wait "$fpid"

# ---- -F -S -------------------------------------------------------------------
lr -F "$T/file.log" -S 300 >"$T/out" 2>"$T/err"; rc=$?
want "$L5" "$L9" "$L4" "$L6" "$L7" "$L8"
[ "$rc" = 0 ] && [ ! -s "$T/out" ] && ok "-F: exit 0, nothing on stdout" || not_ok "-F: exit 0, nothing on stdout" "exit $rc"
# The file is rotated before a record would take it past SIZE.
awk -v max=300 -v f=0 -v d="$T" '{ n = length($0) + 1; if (size && size + n > max) { size = 0; f++ } size += n;
	print > (d "/rot" f) }' "$T/want"
cat "$T/rot0" "$T/rot1" >"$T/rot01"
cat "$T/file.log.1" "$T/file.log" >"$T/got" 2>/dev/null
same "-F -S 300: FILE.1 then FILE hold every record" "$T/got" "$T/want"
[ -f "$T/rot2" ] && not_ok "-F -S 300: test data rotates more than once"
same "-F -S 300: FILE.1 is what came before the rotation" "$T/file.log.1" "$T/rot0"
same "-F -S 300: FILE is what came after" "$T/file.log" "$T/rot1"
lr -F "$T/file.log" -S 300 -s logger 2>/dev/null
printf '%s\n' "$L8" >>"$T/rot1"
same "-F appends to an existing FILE while it fits" "$T/file.log" "$T/rot1"
lr -F "$T/file.log" -S 1K -l 1 --json 2>/dev/null
[ "$(tail -n 1 "$T/file.log" | python3 -c 'import json,sys; print(json.load(sys.stdin)["seq"])')" = 12 ] &&
	ok "-F --json -S 1K" || not_ok "-F --json -S 1K"
lr -F "$T/no/such/dir/f" 2>"$T/err"; rc=$?
[ "$rc" = 1 ] && grep -q "no/such/dir/f" "$T/err" && ok "-F into a missing directory: exit 1, said" ||
	not_ok "-F into a missing directory: exit 1, said" "exit $rc: $(cat "$T/err")"

# ---- -r ------------------------------------------------------------------------
HOST=$(uname -n)
{
	printf '<6>Dec  1 04:08:50 %s kernel: Linux version 6.1.0\n' "$HOST"
	printf '<4>Dec  1 04:08:55 %s kernel: usb 1-1: new device\n' "$HOST"
	printf '<30>Dec  1 04:08:56 %s dnsmasq[1234]: started, version 2.89\n' "$HOST"
	printf '<27>Dec  1 04:08:57 %s dnsmasq[1234]: tab\tthere back\\slash bell\\x07 nl\\n "q"\n' "$HOST"
	printf '<30>Dec  1 04:08:57 %s web@a[77]: bad \xff\xfe byte \xc3\xa9 C1\xc2\x85 del\\x7f\n' "$HOST"
	printf '<13>Dec  1 04:09:00 %s logger: hello from logger\n' "$HOST"
} >"$T/want_remote"
for proto in udp tcp; do
	python3 "$T/listen.py" "$proto" "$T/$proto.port" "$T/$proto.out" &
	PIDS="$PIDS $!"
	wait_until 10 test -s "$T/$proto.port" || { not_ok "-r $proto: listener"; continue; }
	port=$(cat "$T/$proto.port")
	flag=; [ "$proto" = udp ] && flag=-u
	lr -r 127.0.0.1 "$port" $flag 2>"$T/err"; rc=$?
	[ "$rc" = 0 ] && ok "-r $proto: exit 0" || not_ok "-r $proto: exit 0" "exit $rc: $(cat "$T/err")"
	wait_until 10 lines_at_least "$T/$proto.out" 6
	# UDP: the listener ends each datagram with a newline; TCP: logread's framing.
	same "-r $proto: RFC 3164, one message per record" "$T/$proto.out" "$T/want_remote"
done
lr -r localhost "$(cat "$T/tcp.port")" -s logger 2>"$T/err"
wait_until 10 lines_at_least "$T/tcp.out" 7
tail -n 1 "$T/tcp.out" >"$T/got"
tail -n 1 "$T/want_remote" >"$T/want"
same "-r with a host name" "$T/got" "$T/want"
freeport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
lr -r 127.0.0.1 "$freeport" 2>"$T/err"; rc=$?
[ "$rc" = 1 ] && ok "-r to a closed TCP port: exit 1" || not_ok "-r to a closed TCP port: exit 1" "exit $rc: $(cat "$T/err")"

# ---- -P --------------------------------------------------------------------------
mkdir -p "$T/flash"
{
	printf '1\t300\t1796098000000000\t30\tkeel\t0\t-\tkeel\tfirst of the boot\n'
	printf '2\t100\t1796098000000001\t6\tkern\t0\t-\tkernel\tbooting\n'
} >"$T/flash/keel.log.prev.1"
{
	printf '3\t400\t1796098001000000\t30\tstdout\t9\t-\tsvc\tlater\n'
	printf '4\t200\t1796098000500000\t6\tkern\t0\t-\tkernel\tlate kernel line\n'
	printf '5\t500\t1796098002000000\t30\tstdout\t9\t-\tsvc\tcut short by the power'
} >"$T/flash/keel.log.prev"
"$LOGREAD" -P --file "$T/flash/keel.log" >"$T/out" 2>"$T/err"; rc=$?
want 'Tue Dec  1 04:06:40 2026 kern.info kernel: booting' \
	'Tue Dec  1 04:06:40 2026 kern.info kernel: late kernel line' \
	'Tue Dec  1 04:06:40 2026 daemon.info keel: first of the boot' \
	'Tue Dec  1 04:06:41 2026 daemon.info svc[9]: later' \
	'Tue Dec  1 04:06:42 2026 daemon.info svc[9]: cut short by the power'
[ "$rc" = 0 ] && ok "-P: exit 0" || not_ok "-P: exit 0" "exit $rc: $(cat "$T/err")"
same "-P: PATH.prev.1 then PATH.prev, in MONO_US order" "$T/out" "$T/want"
"$LOGREAD" -P --file="$T/flash/keel.log" -l 1 -s kernel --json >"$T/out"
grep -q '"message":"late kernel line"' "$T/out" && [ "$(wc -l <"$T/out")" = 1 ] &&
	ok "-P with -l -s --json" || not_ok "-P with -l -s --json" "$(cat "$T/out")"
mkdir -p "$T/flash2"
{
	printf '10\t100\t1796098000000000\t30\tkeel\t0\t-\tkeel\tafter a rotation\n'
	printf 'lost 2\n'
	printf '13\t200\t1796098000000001\t30\tkeel\t0\t-\tkeel\tafter a loss\n'
} >"$T/flash2/keel.log.prev"
"$LOGREAD" -P --file "$T/flash2/keel.log" >"$T/out" 2>"$T/err"; rc=$?
want 'Tue Dec  1 04:06:40 2026 daemon.info keel: after a rotation' \
	'Tue Dec  1 04:06:40 2026 daemon.info keel: after a loss'
same "-P: only PATH.prev" "$T/out" "$T/want"
want "logread: 9 older records are not in the files (rotated away)" \
	"logread: 2 records were overwritten before keel wrote them to the file"
same "-P: what the files miss is said on stderr" "$T/err" "$T/want"
"$LOGREAD" -P --file "$T/flash/none.log" 2>"$T/err"; rc=$?
[ "$rc" = 1 ] && grep -q "none.log.prev" "$T/err" && ok "-P without the files: exit 1, said" ||
	not_ok "-P without the files: exit 1, said" "exit $rc: $(cat "$T/err")"
if "$LOGREAD" --help | grep -q -- '--file PATH.*default'; then
	ok "-P without --file: a LOG_FILE default is built in"
else
	"$LOGREAD" -P 2>"$T/err"; rc=$?
	[ "$rc" = 2 ] && grep -q -- "-P needs --file" "$T/err" && ok "-P without --file: exit 2, said" ||
		not_ok "-P without --file: exit 2, said" "exit $rc: $(cat "$T/err")"
fi

# ---- errors and exit codes -------------------------------------------------------
"$LOGREAD" --socket "$T/nothing.sock" >/dev/null 2>"$T/err"; rc=$?
[ "$rc" = 111 ] && grep -q "cannot reach keel" "$T/err" && ok "no keel: exit 111" ||
	not_ok "no keel: exit 111" "exit $rc: $(cat "$T/err")"
"$LOGREAD" --socket "$T/refuse.sock" 2>"$T/err"; rc=$?
[ "$rc" = 1 ] && grep -q "keel refused: not allowed" "$T/err" && ok "keel refuses: exit 1" ||
	not_ok "keel refuses: exit 1" "exit $rc: $(cat "$T/err")"
"$LOGREAD" --socket "$T/noend.sock" >"$T/out" 2>"$T/err"; rc=$?
want "$L5" "$L9" "$L4" "$L6" "$L7" "$L8"
[ "$rc" = 1 ] && grep -q "before the end" "$T/err" && ok "dump without 'end': exit 1, said" ||
	not_ok "dump without 'end': exit 1, said" "exit $rc: $(cat "$T/err")"
same "dump without 'end': what came is printed" "$T/out" "$T/want"
for args in "-l" "-l x" "-S 10" "-u" "-r 127.0.0.1" "-e (" "--bogus" "extra" "-P -f --file x" \
	"-F f -r h 1" "--json -r h 1"; do
	# shellcheck disable=SC2086
	lr $args >/dev/null 2>&1; rc=$?
	[ "$rc" = 2 ] && ok "usage: logread $args: exit 2" || not_ok "usage: logread $args: exit 2" "exit $rc"
done
lr 2>/dev/null | head -n 1 >/dev/null; rc=${PIPESTATUS[0]}
[ "$rc" = 0 ] || [ "$rc" = 1 ] && ok "a closed stdout is no crash" || not_ok "a closed stdout is no crash" "exit $rc"

# ---- keelctl log (ctl_log.c), through keelctl once the lead has wired it -----------
if "$KEELCTL" --help 2>&1 | grep -q '^  log '; then
	"$KEELCTL" --log-socket "$S" log dnsmasq >"$T/out" 2>"$T/err"; rc=$?
	want "$L4" "$L6"
	[ "$rc" = 0 ] && same "keelctl log NAME" "$T/out" "$T/want" ||
		not_ok "keelctl log NAME" "exit $rc: $(cat "$T/err")"
	"$KEELCTL" --log-socket "$S" log dnsmasq -n 1 >"$T/out"
	want "$L6"
	same "keelctl log NAME -n 1" "$T/out" "$T/want"
	rm -f "$S.go" "$T/fout"
	"$KEELCTL" --log-socket "$S" log dnsmasq -f >"$T/fout" 2>/dev/null &
	fpid=$!
	PIDS="$PIDS $fpid"
	if wait_until 10 lines_at_least "$T/fout" 2; then
		want "$L4" "$L6"
		same "keelctl log NAME -f: the backlog before any new record" "$T/fout" "$T/want"
	else
		not_ok "keelctl log NAME -f: the backlog before any new record" "$(cat "$T/fout")"
	fi
	touch "$S.go"
	if wait_until 10 lines_at_least "$T/fout" 4; then
		want "$L4" "$L6" "$L10" "$L11"
		same "keelctl log NAME -f: then the new records" "$T/fout" "$T/want"
	else
		not_ok "keelctl log NAME -f: then the new records" "$(cat "$T/fout")"
	fi
	"$KEELCTL" --log-socket "$T/followend.sock" log dnsmasq -n 1 --json >"$T/out"
	grep -q '"seq":6,' "$T/out" && [ "$(wc -l <"$T/out")" = 1 ] && ok "keelctl log NAME -n 1 --json" ||
		not_ok "keelctl log NAME -n 1 --json" "$(cat "$T/out")"
	kill "$fpid"; wait "$fpid" 2>/dev/null
	"$KEELCTL" --log-socket "$T/nothing.sock" log dnsmasq 2>/dev/null; rc=$?
	[ "$rc" = 111 ] && ok "keelctl log: no keel: exit 111" || not_ok "keelctl log: no keel: exit 111" "exit $rc"
	"$KEELCTL" --log-socket "$S" log 2>/dev/null; rc=$?
	[ "$rc" = 2 ] && ok "keelctl log without NAME: exit 2" || not_ok "keelctl log without NAME: exit 2" "exit $rc"
else
	echo "# keelctl has no 'log' command yet: its checks are skipped"
fi

echo "# $PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
