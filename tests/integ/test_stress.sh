# test_stress: nothing a service, a file system or NSS does stalls PID 1 — hung user lookups and mounts, inherited signals, floods, starved resources.
# SPDX-License-Identifier: MIT
. "$(dirname "$0")/lib.sh"

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

# ---- 1. NSS and hung mounts: the child waits, PID 1 does not ----
sys_new hung
FH=$SYS/fuse_hang
if ! cc -O2 -Wall -o "$FH" "$KEEL_SRC/tests/integ/fuse_hang.c" 2>"$OUT/cc.txt"; then
	not_ok "fuse_hang builds" "$(head -n 5 "$OUT/cc.txt")"
fi
mkdir -p "$SYS/mnt"
mkfifo "$SYS/passwd.fifo"
svc calm <<EOF
exec $BIN/daemon calm
EOF
byhand named <<EOF
user nobody
exec $BIN/daemon named
EOF
for i in 1 2 3 4 5 6 7 8 9 10; do
	byhand "hung$i" <<EOF
cwd $SYS/mnt/sub
exec $BIN/daemon hung$i
EOF
done
byhand late <<EOF
exec $BIN/daemon late
EOF
byhand numeric <<EOF
user 4242
exec $BIN/daemon numeric
EOF
cat >"$BIN/ids" <<EOF
#!/bin/sh
echo "\$(id -u) \$(id -g) \$(id -G)" >$OUT/numgroup
exec $BIN/daemon numgroup
EOF
chmod 755 "$BIN/ids"
byhand numgroup <<EOF
user 4242
group 4243
exec $BIN/ids
EOF
if keel_start; then
	wait_log "^start calm " 20
	calm_pid=$(pid_of calm)
	# A FIFO over /etc/passwd in keel's namespace: any NSS lookup blocks.
	ns mount --bind "$SYS/passwd.fifo" /etc/passwd
	ctl start named >/dev/null 2>&1
	check "user lookup on a FIFO /etc/passwd: keelctl answers within 100 ms" answers_fast
	check "user lookup on a FIFO /etc/passwd: the service is still starting" state_is named starting
	check "user lookup on a FIFO /etc/passwd: reported as not started" \
		wait_for "service named: still not started after [0-9]+s" 15
	ctl stop named >/dev/null 2>&1
	check "the stuck lookup is stopped like any process" wait_state named stopped 10
	ns umount /etc/passwd
	# A FUSE mount that never answers: chdir into it hangs in the child.
	(ns "$FH" "$SYS/mnt" >"$OUT/fuse.txt" 2>&1 &)
	if wait_until 10 grep -q ready "$OUT/fuse.txt"; then
		for i in 1 2 3 4 5 6 7 8 9 10; do ctl start "hung$i" >/dev/null 2>&1; done
		ctl start late >/dev/null 2>&1
		check "10 starts stuck in a hung mount: keelctl answers within 100 ms" answers_fast
		check "10 starts stuck in a hung mount: a later service still starts" wait_log "^start late " 10
		check "a start stuck in a hung mount is named on the console" \
			wait_for "service hung[0-9]+: still not started after [0-9]+s" 15
		check "10 starts stuck in a hung mount: they are still starting" state_is hung1 starting
		# The server's death aborts the mount: every stuck start fails.
		pkill -f "^$FH " 2>/dev/null
		check "once the mount is gone the stuck starts fail with a reason" \
			eval 'wait_state hung1 failed 10 && console_has "hung1.*cannot change directory"'
	else
		not_ok "fuse_hang mounts in keel's namespace" "$(cat "$OUT/fuse.txt")"
	fi
	ctl start numeric >/dev/null 2>&1
	check "user 4242 without a passwd entry nor group: fails, never runs as gid 0" \
		eval 'wait_state numeric failed 10 && not log_has "^start numeric "'
	check "user 4242 without a passwd entry: the reason says to add a group line" \
		console_has "numeric.*no passwd entry.*group"
	ctl start numgroup >/dev/null 2>&1
	check "user 4242 with group 4243: runs as 4242:4243, no other group" \
		eval 'wait_log "^start numgroup " 10 && [ "$(cat $OUT/numgroup)" = "4242 4243 4243" ]'
	check "after the hung lookups and mounts: calm kept its pid" [ "$(pid_of calm)" = "$calm_pid" ]
	check "after the hung lookups and mounts: no zombie" wait_until 10 no_zombie
	check "poweroff after the hung starts" keel_stop
fi
[ -n "$FH" ] && pkill -f "^$FH " 2>/dev/null

# ---- 2. Signals: inherited dispositions and stray real-time signals ----
# Started in the background by a non-interactive shell, keel inherits
# SIGINT and SIGQUIT ignored (and we ignore TERM too): services must not.
sys_new signals
cat >"$BIN/sigs" <<EOF
#!/bin/sh
grep -E '^Sig(Ign|Blk):' /proc/self/status >$OUT/sigs
exec sleep 1000
EOF
chmod 755 "$BIN/sigs"
svc sigs <<EOF
exec $BIN/sigs
EOF
svc intstop <<EOF
stop INT 20s
exec sleep 1000
EOF
trap '' INT QUIT HUP
keel_start
started=$?
trap 'exit 1' INT TERM HUP
trap - QUIT
if [ "$started" -eq 0 ]; then
	check "keel ran with SIGINT ignored (the harness's case)" \
		grep -qE '^SigIgn:.*[2367aAbBeEfF]$' "/proc/$KEEL_NS/status"
	check "a service starts with no signal ignored and none blocked" \
		eval 'wait_until 10 test -s $OUT/sigs && grep -qx "SigBlk:[[:space:]]*0*" $OUT/sigs && grep -qx "SigIgn:[[:space:]]*0*" $OUT/sigs'
	wait_state intstop running 10
	t0=$(now_ms)
	ctl stop intstop >/dev/null 2>&1
	check "stop INT reaches the service (stopped well before its 20 s grace)" \
		eval 'wait_state intstop stopped 10 && [ $(($(now_ms) - t0)) -lt 10000 ]'
	sigs_pid=$(pid_of sigs)
	# 3000 real-time signals to PID 1 (from inside: a sender keel outlives).
	ns sh -c 'i=0; while [ $i -lt 1000 ]; do kill -s RTMIN 1; kill -s RTMIN+5 1; kill -s RTMAX 1; i=$((i+1)); done' 2>/dev/null
	# SigQ counts the whole user's queue: PID 1's own pending sets must be empty.
	check "a burst of real-time signals: none left queued on PID 1 (ShdPnd, SigPnd)" \
		wait_until 10 eval 'grep -E "^(ShdPnd|SigPnd):" /proc/$KEEL_PID1/status | grep -vq "[1-9a-f]" && ! grep -E "^(ShdPnd|SigPnd):" /proc/$KEEL_PID1/status | grep -q "[1-9a-f]"'
	check "a burst of real-time signals: counted on the console" \
		wait_for "warning: [0-9]+ signals ignored \(the last: SIGRTM" 10
	check "a burst of real-time signals: keelctl answers within 100 ms" answers_fast
	check "a burst of real-time signals: the other service kept its pid" [ "$(pid_of sigs)" = "$sigs_pid" ]
	check "poweroff after the signal burst" keel_stop
fi

finish
