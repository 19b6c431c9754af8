# test_syslog: what programs send to keel's /dev/log (busybox logger, the C library's syslog(3), RFC 3164 and 5424 datagrams) and the kernel's /dev/kmsg reach the ring parsed.
# SPDX-License-Identifier: MIT
. "$(dirname "$0")/lib.sh"

LOGREAD=$KEEL_BUILD/logread
PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3)

if [ ! -x "$LOGREAD" ]; then
	not_ok "logread is built ($LOGREAD)"
	finish
	exit 1
fi

sys_new syslog
# $SYS/dev stands for the namespace's /dev: keel's syslog socket is
# $SYS/dev/log, and a client gets it as /dev/log through a mount namespace
# of its own where $SYS/dev is bound onto /dev (busybox logger and glibc's
# syslog(3) know no other path).
DEV=$SYS/dev
mkdir -p "$DEV"
chmod 755 "$DEV"
host_devlog_before=0
[ -e /dev/log ] && host_devlog_before=1

lr() { timeout 20 "$LOGREAD" --socket "$SYS/log.sock" "$@"; }
# inns CMD...: CMD with $DEV as its /dev.
inns() { "$UNSHARE" --mount sh -c 'mount --bind "$0" /dev && exec "$@"' "$DEV" "$@"; }
# send_dgram BYTES...: each argument (Python bytes literal) as one datagram.
send_dgram() {
	"$PY" - "$DEV/log" "$@" <<'EOF'
import ast, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
for a in sys.argv[2:]:
    s.sendto(ast.literal_eval(a), sys.argv[1])
EOF
}

cat >"$T/rq.py" <<'EOF'
# rq.py: evaluates an expression over logread --json records (test_syslog.sh).
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
def one(tag):
    t = T(tag)
    return t[-1] if t else {}
print(eval(sys.argv[1]))
EOF
rq() { "$PY" "$T/rq.py" "$1" "$OUT/ring.json"; }
dump() { lr --json >"$OUT/ring.json" 2>"$OUT/ring.err"; }
rcheck() {
	local got
	got=$(rq "$2" 2>&1)
	if [ "$got" = True ]; then
		ok "$1"
	else
		[ "$got" = False ] || note "rq: $(echo "$got" | tail -n 3)"
		[ -n "${3:-}" ] && note "$(rq "$3" 2>&1 | cut -c1-600)"
		not_ok "$1"
	fi
}
ring_has() { lr 2>/dev/null | grep -qE -- "$1"; }

# The syslog(3) client, built here; also run as a service of keel, in its
# namespace, where the pid it sends is a pid of that namespace.
have_client=0
if command -v cc >/dev/null && cc -O2 -Wall -o "$SYS/syslog_client" "$KEEL_SRC/tests/integ/syslog_client.c" 2>"$OUT/cc.txt"; then
	have_client=1
	cat >"$BIN/insider" <<EOF
#!/bin/sh
# insider: the syslog(3) client with $DEV as /dev, inside keel's namespace.
exec $UNSHARE --mount sh -c 'mount --bind "\$0" /dev && exec "\$@"' "$DEV" "$SYS/syslog_client" insidec user notice "from a service"
EOF
	chmod 755 "$BIN/insider"
	svc insider <<EOF
exec $BIN/insider
EOF
else
	note "skip: syslog(3) client not built: $(head -n 3 "$OUT/cc.txt" 2>/dev/null)"
fi

# In a PID namespace keel reads /dev/kmsg and binds a syslog socket only
# when told.
# A ring of 1 MiB: it holds the whole of the host kernel's backlog (which
# the tests' own kmsg lines end), so the kernel's own lines are in it too.
KEEL_CMDLINE="keel.log.size=1M"
keel_start --log-socket "$SYS/log.sock" --syslog-socket "$DEV/log" --kmsg /dev/kmsg || { finish; exit 1; }
KEEL_CMDLINE=
check "keel binds the syslog socket" wait_until 10 test -S "$DEV/log"
if [ "$host_devlog_before" = 0 ]; then
	check "the host's /dev/log is left alone" not test -e /dev/log
fi

# The kernel's buffer is read from its start, and its lines come first: they
# are older than keel.
if [ -r /dev/kmsg ] && [ -n "$(dmesg 2>/dev/null | head -n 1)" ]; then
	kern_in_ring() { lr --json 2>/dev/null | grep -qE '"source": ?"kern"'; }
	check "kmsg: the boot's kernel lines are read" wait_until 10 kern_in_ring
	dump
	rcheck "kmsg: the kernel's lines come first, tag kernel" \
		"R[0]['source'] == 'kern' and all(r['tag'] == 'kernel' for r in R if r['source'] == 'kern')" "R[:2]"
	# The facility as the kernel gives it: kern for its own lines, user for
	# what programs wrote to /dev/kmsg (the host's buffer may by now hold
	# only those: other tests write there too).
	if [ "$(dmesg -x 2>/dev/null | grep -c '^kern ')" -gt 0 ]; then
		rcheck "kmsg: the kernel's own lines have facility kern" \
			"any(r['facility'] == 'kern' for r in R if r['source'] == 'kern')" "R[:2]"
	fi
	rcheck "kmsg: every kernel record's facility is kern or user" \
		"all(r['facility'] in ('kern', 'user') for r in R if r['source'] == 'kern')" \
		"[r for r in R if r['source'] == 'kern' and r['facility'] not in ('kern', 'user')][:2]"
fi

if [ "$have_client" = 1 ]; then
	check "syslog(3) from a service: the message arrives" wait_until 10 ring_has "insidec\[[0-9]+\]: from a service$"
	dump
	rcheck "syslog(3) from a service: user.notice, its pid in keel's namespace" \
		"(lambda r: (r['facility'], r['severity'], r['message']) == ('user', 'notice', 'from a service') and M('insider', 'stdout') == [str(r['pid'])])(one('insidec'))" \
		"(T('insidec'), T('insider'))"
fi

# busybox logger: "<PRI>Mmm dd hh:mm:ss TAG: MSG".
if command -v busybox >/dev/null && busybox logger --help >/dev/null 2>&1; then
	inns busybox logger -t bbtag -p local0.err "hello from busybox logger"
	check "busybox logger: the message arrives" wait_until 10 ring_has "hello from busybox logger"
	dump
	rcheck "busybox logger: local0.err, tag bbtag, source syslog" \
		"(lambda r: (r['facility'], r['severity'], r['source'], r['message']) == ('local0', 'err', 'syslog', 'hello from busybox logger'))(one('bbtag'))" \
		"T('bbtag')"
	check "busybox logger: plain logread shows local0.err bbtag" \
		eval 'lr | grep -qE " local0\.err bbtag(\[[0-9]+\])?: hello from busybox logger$"'
else
	note "skip: no busybox logger"
fi

# The C library's syslog(3) with LOG_PID: "<PRI>Mmm dd hh:mm:ss TAG[PID]: MSG".
if [ "$have_client" = 1 ]; then
	cpid=$(inns "$SYS/syslog_client" ctag local3 warning "warning from C")
	check "syslog(3): the message arrives" wait_until 10 ring_has "warning from C"
	dump
	rcheck "syslog(3): local3.warning, tag ctag, source syslog" \
		"(lambda r: (r['facility'], r['severity'] in ('warning', 'warn'), r['source'], r['message']) == ('local3', True, 'syslog', 'warning from C'))(one('ctag'))" \
		"T('ctag')"
	rcheck "syslog(3): the sender's pid ($cpid)" "one('ctag').get('pid') == int('${cpid:-0}')" "T('ctag')"
	check "syslog(3): plain logread shows local3.warn(ing) ctag[PID]" \
		eval 'lr | grep -qE " local3\.warn(ing)? ctag\[$cpid\]: warning from C$"'
	# A burst: glibc's send blocks while the socket's queue is full, so
	# every message must be read.
	inns "$SYS/syslog_client" burst daemon info "burst" 300 >/dev/null
	check "syslog(3): a burst of 300 arrives whole" wait_until 15 ring_has "burst\[[0-9]+\]: burst 300$"
	dump
	rcheck "syslog(3): burst: every message once, in order" \
		"M('burst') == ['burst %d' % i for i in range(1, 301)]" "len(M('burst'))"
fi

# RFC 5424 with structured data and a BOM, and with every field nil.
send_dgram \
	"b'<165>1 2026-12-01T04:08:56.123456Z myhost app5424 4242 ID47 [exampleSDID@32473 iut=\"3\" eventSource=\"App\"] \\xef\\xbb\\xbfmessage in 5424'" \
	"b'<14>1 - - - - - - nil fields message'"
check "RFC 5424: the message arrives" wait_until 10 ring_has "message in 5424"
wait_until 10 ring_has "nil fields message"
dump
rcheck "RFC 5424: local4.notice, tag APP-NAME, pid PROCID, SD and BOM dropped" \
	"(lambda r: (r['facility'], r['severity'], r['pid'], r['source'], r['message']) == ('local4', 'notice', 4242, 'syslog', 'message in 5424'))(one('app5424'))" \
	"T('app5424')"
rcheck "RFC 5424: nil fields: user.info, empty tag, pid 0" \
	"any(r['message'] == 'nil fields message' and (r['facility'], r['severity'], r['tag'], r['pid']) == ('user', 'info', '', 0) for r in R)" \
	"[r for r in R if 'nil fields' in r['message']]"

# RFC 3164 variants: with a host word, without a timestamp, without <PRI>.
send_dgram \
	"b'<30>Dec  1 04:08:56 myhost htag[77]: with a host word'" \
	"b'<11>notime[5]: without a timestamp'" \
	"b'no pri at all'" \
	"b'<13>Dec  1 04:08:56 trail: trailing newline and NUL\\n\\x00'"
wait_until 10 ring_has "trailing newline and NUL"
dump
rcheck "RFC 3164: a host word is skipped (daemon.info, tag htag, pid 77)" \
	"(lambda r: (r['facility'], r['severity'], r['pid'], r['message']) == ('daemon', 'info', 77, 'with a host word'))(one('htag'))" \
	"[r for r in R if 'host word' in r['message']]"
rcheck "RFC 3164: no timestamp (user.err, tag notime, pid 5)" \
	"(lambda r: (r['facility'], r['severity'], r['pid'], r['message']) == ('user', 'err', 5, 'without a timestamp'))(one('notime'))" \
	"[r for r in R if 'timestamp' in r['message']]"
rcheck "RFC 3164: no <PRI> is user.notice" \
	"any(r['message'].endswith('no pri at all') and (r['facility'], r['severity']) == ('user', 'notice') for r in R)" \
	"[r for r in R if 'no pri' in r['message']]"
rcheck "RFC 3164: trailing newline and NUL left out" \
	"M('trail') == ['trailing newline and NUL']" "T('trail')"

# Hostile datagrams: random bytes, empty, larger than a record, bad UTF-8.
"$PY" - "$DEV/log" <<'EOF'
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
for d in (os.urandom(2000), b"", b"<", b"<999>x", b"<13>" + b"L" * 8000,
          b"<13>badutf8: \xff\xfe\xc3\x28 end", os.urandom(300) + b"\n"):
    s.sendto(d, sys.argv[1])
s.sendto(b"<13>hostile: done", sys.argv[1])
EOF
check "hostile datagrams: keel goes on" wait_until 10 ring_has "hostile: done"
check "hostile datagrams: keel still answers" keel_answers
lr --json >"$OUT/ring.json" 2>"$OUT/ring.err"
check "hostile datagrams: every logread --json line is valid UTF-8 JSON" "$PY" -c '
import json, sys
for line in open(sys.argv[1], "rb"):
    json.loads(line.decode("utf-8"))' "$OUT/ring.json"
rcheck "hostile datagrams: invalid UTF-8 escaped byte by byte" \
	"M('badutf8') == ['\xff\xfe\xc3( end']" "T('badutf8')"

# A kernel line written now reaches the ring as it comes. (It lands in the
# host's kernel log too: one line a run.)
if [ -w /dev/kmsg ]; then
	probe="keel integ kmsg probe $$ $RANDOM"
	echo "<4>$probe" >/dev/kmsg
	check "kmsg: a new kernel log line arrives" wait_until 10 ring_has "$probe"
	dump
	rcheck "kmsg: tag kernel, source kern" \
		"any(r['message'].endswith('$probe') and (r['tag'], r['source']) == ('kernel', 'kern') for r in R)" \
		"[r for r in R if 'kmsg probe' in r['message']]"
else
	note "skip: /dev/kmsg not writable"
fi

check "poweroff ends the namespace" keel_stop
if [ "$host_devlog_before" = 0 ]; then
	check "the host's /dev/log is still left alone" not test -e /dev/log
fi

# A kernel backlog larger than the ring. It is read after the boot's lines
# but is older than all of them: the ring keeps the newest lines, the
# kernel's newest ones included, as if the backlog had been read first.
if [ -w /dev/kmsg ]; then
	sys_new kmsgbig
	printf '#!/bin/sh\necho "early line 1"\necho "early line 2"\nexec sleep 600\n' >"$BIN/early"
	chmod 755 "$BIN/early"
	printf 'type respawn\nexec %s\n' "$BIN/early" | svc early
	tag="keel-integ-fill-$$-$RANDOM"
	# 6 KiB of kernel lines (more than the 4 KiB ring), the last just
	# before keel starts.
	for i in $(seq -w 1 060); do
		echo "<6>$tag $i ........................................................................" >/dev/kmsg
	done
	KEEL_CMDLINE="keel.log.size=4K"
	keel_start --log-socket "$SYS/log.sock" --kmsg /dev/kmsg || { finish; exit 1; }
	check "big backlog: boot target reached" wait_for "target boot reached" 20
	check "big backlog: keel says how many of the kernel's oldest lines it left out" \
		wait_until 20 ring_has "kernel log: its [0-9]+ oldest lines are not kept"
	dump
	rcheck "big backlog: keel's first line (starting) is still there" \
		"any(r['tag'] == 'keel' and 'starting' in r['message'] for r in R)" "R[:3]"
	rcheck "big backlog: the service's first lines are still there" \
		"M('early') == ['early line 1', 'early line 2']" "T('early')"
	rcheck "big backlog: the kernel's newest line before keel is kept, its oldest filler is not" \
		"any(r['message'] == '$tag 060 ' + '.' * 72 for r in R) and not any(r['message'].startswith('$tag 001 ') for r in R)" \
		"[r['message'][:60] for r in R if '$tag' in r['message']][:3]"
	lost=$(lr 2>&1 >/dev/null | grep -c 'overwritten')
	check "big backlog: nothing overwritten in the ring ($lost)" [ "$lost" -eq 0 ]
	check "big backlog: poweroff ends the namespace" keel_stop
	KEEL_CMDLINE=
fi
finish
