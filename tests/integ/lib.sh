# lib.sh: helpers for the namespace tests (sourced): keel as PID 1 in unshare --pid --mount, polling with deadlines.
# SPDX-License-Identifier: MIT
#
# A test script sources this file and then, once or several times:
#   sys_new NAME                 a fresh system: $SYS with svc/ share/ bin/ out/, $LOG, $CONSOLE
#   svc NAME [LINK...] <<EOF     service file $SHARE/NAME, linked as $SVC/NAME (or each LINK)
#   keel_start [ARGS...]         keel in a new PID+mount namespace, returns once it answers
#   wait_for REGEX [SECONDS]     a console line matching REGEX (grep -E), with a deadline
#   wait_until SECONDS CMD...    poll CMD until it succeeds, with a deadline
#   ctl ARGS...                  keelctl on this system's socket
#   keel_stop [VERB]             poweroff (or VERB) and wait for the namespace to end
#   check NAME CMD... / ok NAME / not_ok NAME [WHY] / not CMD...
# and ends with `finish`. Whatever happens, the namespace is SIGKILLed when the
# script exits (trap), so a hung keel never outlives its test.
#
# Services record what they did with $BIN/rec WORDS..., which appends
# "WORDS... <date +%s.%N>" to $LOG; one write per line, so lines from
# concurrent services never mix and the file order is the time order.

KEEL_SRC=${KEEL_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
KEEL_BUILD=${KEEL_BUILD:-$KEEL_SRC/build/asan}
case $KEEL_BUILD in /*) ;; *) KEEL_BUILD=$KEEL_SRC/$KEEL_BUILD ;; esac
KEEL=$KEEL_BUILD/keel
KEELCTL=$KEEL_BUILD/keelctl
UNSHARE=$(command -v unshare)

TEST_NAME=$(basename "$0" .sh)
TEST_NAME=${TEST_NAME#test_}
PASS=0
FAIL=0
KEEL_NS=     # pid of `unshare` (host side)
KEEL_PID1=   # host pid of keel, PID 1 inside the namespace
SYS=

# /tmp, not /run: keel mounts a fresh tmpfs on /run inside its namespace,
# which would hide files the host side wants to read.
T=$(mktemp -d /tmp/keel-integ."$TEST_NAME".XXXXXX) || { echo "not ok - $TEST_NAME: mktemp"; exit 1; }
# Services running as nobody must reach their scripts and output dirs.
chmod 755 "$T"

note() { printf '# %s\n' "$*"; }

ok() { PASS=$((PASS + 1)); echo "ok - $TEST_NAME: $1"; }

# A failure shows the end of the console and the service log: the reason is
# nearly always there, and the runner prints this only when something failed.
not_ok() {
	FAIL=$((FAIL + 1))
	echo "not ok - $TEST_NAME: $1"
	[ -n "${2:-}" ] && note "$2"
	if [ -n "$SYS" ] && [ -s "$CONSOLE" ]; then
		note "console ($CONSOLE, last 30 lines):"
		tail -n 30 "$CONSOLE" | sed 's/^/#   /'
	fi
	if [ -n "$SYS" ] && [ -s "$LOG" ]; then
		note "service log ($LOG, last 30 lines):"
		tail -n 30 "$LOG" | sed 's/^/#   /'
	fi
	return 0
}

# check NAME COMMAND...: one result from COMMAND's exit status.
check() {
	local name=$1
	shift
	if "$@"; then ok "$name"; else not_ok "$name"; fi
}

# not COMMAND...: succeeds when COMMAND fails (for check).
not() { ! "$@"; }

# Kill whatever is left of the namespace: SIGKILL to its PID 1 ends every
# process in it; then unshare itself.
keel_kill() {
	[ -n "$KEEL_PID1" ] && kill -9 "$KEEL_PID1" 2>/dev/null
	[ -n "$KEEL_NS" ] && kill -9 "$KEEL_NS" 2>/dev/null
	[ -n "$KEEL_NS" ] && wait "$KEEL_NS" 2>/dev/null
	KEEL_NS= KEEL_PID1=
}

cleanup() {
	if [ -n "$KEEL_NS" ] && kill -0 "$KEEL_NS" 2>/dev/null; then
		note "keel still running at exit: killed"
		keel_kill
	fi
	if [ "$FAIL" -eq 0 ] && [ -z "${KEEL_KEEP:-}" ]; then
		rm -rf "$T"
	else
		note "work dir kept: $T"
	fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# wait_until SECONDS COMMAND...: poll COMMAND every 50 ms until it succeeds;
# 1 once the deadline has passed. The deadline only matters on failure.
wait_until() {
	local end=$(($(now_ms) + $1 * 1000))
	shift
	while ! "$@"; do
		[ "$(now_ms)" -lt "$end" ] || return 1
		sleep 0.05
	done
	return 0
}

console_has() { grep -qE -- "$1" "$CONSOLE" 2>/dev/null; }

# wait_for REGEX [SECONDS]: a console line (grep -E) within the deadline.
wait_for() { wait_until "${2:-20}" console_has "$1"; }

log_has() { grep -qE -- "$1" "$LOG" 2>/dev/null; }
wait_log() { wait_until "${2:-20}" log_has "$1"; }

# Number of log lines starting with the given words ("start a").
log_count() { grep -c -- "^$1 " "$LOG" 2>/dev/null; }

# Line number of the first log line starting with the given words, or empty.
log_line() { grep -n -- "^$1 " "$LOG" 2>/dev/null | head -n 1 | cut -d: -f1; }

# Timestamp recorded on the first log line starting with the given words.
log_time() { grep -- "^$1 " "$LOG" 2>/dev/null | head -n 1 | awk '{print $NF}'; }

# log_before "A" "B": both were logged, A first.
log_before() {
	local a b
	a=$(log_line "$1")
	b=$(log_line "$2")
	[ -n "$a" ] && [ -n "$b" ] && [ "$a" -lt "$b" ]
}

# log_order "A" "B" "C"...: each was logged before the next.
log_order() {
	while [ $# -ge 2 ]; do
		log_before "$1" "$2" || { note "not in order: \"$1\" before \"$2\""; return 1; }
		shift
	done
}

# sys_new NAME: a fresh service dir, share dir, log and console for one boot.
sys_new() {
	SYS=$T/$1
	SVC=$SYS/svc
	SHARE=$SYS/share
	BIN=$SYS/bin
	OUT=$SYS/out
	LOG=$SYS/log
	CONSOLE=$SYS/console.log
	SOCK=$SYS/sock
	mkdir -p "$SVC" "$SHARE" "$BIN" "$OUT"
	chmod 755 "$SYS" "$SVC" "$SHARE" "$BIN"
	chmod 777 "$OUT"
	: >"$LOG"
	chmod 666 "$LOG"
	: >"$CONSOLE"
	cat >"$BIN/rec" <<EOF
#!/bin/sh
# rec: appends "WORDS... TIMESTAMP" to the test's log in one write.
echo "\$* \$(date +%s.%N)" >>"$LOG"
EOF
	# job NAME [SECONDS [STATUS]]: start, optional sleep, end, exit status.
	cat >"$BIN/job" <<EOF
#!/bin/sh
# job: a short service that records its start and end.
"$BIN/rec" start "\$1"
[ "\${2:-0}" = 0 ] || sleep "\$2"
"$BIN/rec" end "\$1"
exit "\${3:-0}"
EOF
	# daemon NAME: runs until stopped; records start and its TERM.
	cat >"$BIN/daemon" <<EOF
#!/bin/sh
# daemon: a long-running service that records its start and its stop signal.
trap '"$BIN/rec" stop "\$1"; exit 0' TERM
"$BIN/rec" start "\$1"
# sleep in the background and wait: the trap runs as soon as TERM arrives
while :; do sleep 5 & wait \$!; done
EOF
	chmod 755 "$BIN/rec" "$BIN/job" "$BIN/daemon"
}

# svc NAME [LINK...] <<EOF: the service file read from stdin becomes
# $SHARE/NAME and is linked into the service dir as NAME (or as each LINK,
# e.g. getty@tty1), like an installed system.
svc() {
	local name=$1 link
	shift
	cat >"$SHARE/$name"
	[ $# -gt 0 ] || set -- "$name"
	for link; do
		ln -sfn "$SHARE/$name" "$SVC/$link"
	done
}

# ctl ARGS...: keelctl on this system; `timeout` so a hung keel fails the
# check instead of hanging the suite (keelctl has its own 10 s limit too).
ctl() { timeout 30 "$KEELCTL" --socket "$SOCK" "$@"; }

# json_get EXPR: evaluates a Python expression over `keelctl --json status`
# parsed as `d`, with `svc(name)` for one service's record.
json_get() {
	ctl --json status | python3 -c '
import json, sys
d = json.load(sys.stdin)
def svc(n):
    return next(s for s in d["services"] if s["name"] == n)
print(eval(sys.argv[1]))' "$1"
}

# Field of one service from the JSON status ("state", "pid", "restarts"...).
svc_field() { json_get "svc('$1')['$2']"; }
state_is() { [ "$(svc_field "$1" state 2>/dev/null)" = "$2" ]; }
wait_state() { wait_until "${3:-20}" state_is "$1" "$2"; }

keel_alive() { [ -n "$KEEL_NS" ] && kill -0 "$KEEL_NS" 2>/dev/null; }
keel_answers() { ctl list >/dev/null 2>&1; }

# The namespace's PID 1 is the only child of unshare.
find_pid1() {
	KEEL_PID1=$(pgrep -P "$KEEL_NS" | head -n 1)
	[ -n "$KEEL_PID1" ]
}

# keel_start [ARGS...]: start keel as PID 1 of a new PID and mount namespace
# for the current system; returns 0 once it answers on its socket.
keel_start() {
	rm -f "$SOCK"
	# An empty environment, as the kernel gives init (sanitizer settings
	# excepted): services must see keel's defaults, not the test's. And
	# not the host's kernel command line (its "quiet" would hide the lines
	# the tests read): KEEL_CMDLINE, empty unless a test sets it.
	env -i ${ASAN_OPTIONS:+"ASAN_OPTIONS=$ASAN_OPTIONS"} ${UBSAN_OPTIONS:+"UBSAN_OPTIONS=$UBSAN_OPTIONS"} \
		"$UNSHARE" --pid --fork --mount --mount-proc "$KEEL" --service-dir "$SVC" \
		--share-dir "$SHARE" --socket "$SOCK" --cmdline "${KEEL_CMDLINE-}" "$@" \
		>"$CONSOLE" 2>&1 </dev/null &
	KEEL_NS=$!
	KEEL_PID1=
	if ! wait_until 20 find_pid1 || ! wait_until 20 keel_answers; then
		not_ok "keel starts and answers" "unshare pid $KEEL_NS, keel pid ${KEEL_PID1:-?}"
		keel_kill
		return 1
	fi
	return 0
}

# keel_signal SIG: to keel, PID 1 of the namespace.
keel_signal() { kill -s "$1" "$KEEL_PID1"; }

keel_gone() { ! kill -0 "$KEEL_NS" 2>/dev/null; }

# keel_wait_end [SECONDS]: the namespace ends (keel exits) within the
# deadline; sets KEEL_RC to unshare's exit status. The ASan build reports
# into the console: any report is a failure of its own.
keel_wait_end() {
	KEEL_RC=
	if ! wait_until "${1:-30}" keel_gone; then
		not_ok "namespace ends within ${1:-30}s"
		keel_kill
		return 1
	fi
	wait "$KEEL_NS" 2>/dev/null
	KEEL_RC=$?
	KEEL_NS= KEEL_PID1=
	if grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:|PID 1 crashed' "$CONSOLE"; then
		not_ok "no sanitizer report or crash on the console"
		return 1
	fi
	return 0
}

# keel_stop [VERB]: ask for poweroff (or VERB) and wait for the end.
keel_stop() {
	ctl "${1:-poweroff}" >/dev/null 2>&1
	keel_wait_end "${2:-30}"
}

finish() {
	note "$TEST_NAME ($(basename "$KEEL_BUILD")): $PASS passed, $FAIL failed"
	[ "$FAIL" -eq 0 ]
}

# ---- the hostile battery's helpers (test_stress, test_battery) ----

# ns ARGS...: a command in keel's mount and PID namespaces.
ns() { nsenter -t "$KEEL_PID1" -p -m "$@"; }
# answers_fast: keelctl answers within 100 ms (best of three tries: the
# machine running the suite may be busy, keel must not be).
answers_fast() {
	local i t0 t best=999999
	for i in 1 2 3; do
		t0=$(now_ms)
		timeout 2 "$KEELCTL" --socket "$SOCK" list >/dev/null 2>&1 || continue
		t=$(($(now_ms) - t0))
		[ "$t" -lt "$best" ] && best=$t
	done
	note "keelctl answered in $best ms"
	[ "$best" -lt 100 ]
}
# no_zombie: no child of keel left unreaped.
no_zombie() { [ "$(ps -o stat= --ppid "$KEEL_PID1" | grep -c '^Z')" -eq 0 ]; }
pid_of() { svc_field "$1" pid 2>/dev/null; }
# byhand NAME <<EOF: a service outside the boot target, started by keelctl.
byhand() { { echo "target ctrlaltdel"; cat; } | svc "$1"; }
# skipped WHAT REASON: a case that could not run here, said as neither ok
# nor not ok (a skip must not pass for a pass).
skipped() { echo "# skipped: $TEST_NAME: $1: $2"; }

# cg_new KIND: a fresh cgroup with controller KIND (v2 if it offers it, else
# v1), for keel's namespace; its path on stdout.
cg_new() {
	local d
	if grep -qw "$1" /sys/fs/cgroup/cgroup.controllers 2>/dev/null; then
		d=/sys/fs/cgroup/keel-stress-$1-$$
		echo "+$1" >/sys/fs/cgroup/cgroup.subtree_control 2>/dev/null
	elif [ -d "/sys/fs/cgroup/$1" ]; then
		d=/sys/fs/cgroup/$1/keel-stress-$$
	else
		return 1
	fi
	mkdir -p "$d" && echo "$d"
}
cg_gone() { [ -n "$1" ] && rmdir "$1" 2>/dev/null; true; }

# fuse_hang_build: $FH, a FUSE server that never answers (until SIGUSR1).
fuse_hang_build() {
	FH=$SYS/fuse_hang
	if ! cc -O2 -Wall -o "$FH" "$KEEL_SRC/tests/integ/fuse_hang.c" 2>"$OUT/cc.txt"; then
		not_ok "fuse_hang builds" "$(head -n 5 "$OUT/cc.txt")"
	fi
}
