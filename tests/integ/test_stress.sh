# test_stress: nothing a service, a file system or NSS does stalls PID 1 — hung user lookups and mounts, inherited signals, floods, starved resources.
# SPDX-License-Identifier: MIT
. "$(dirname "$0")/lib.sh"

# ---- 1. NSS and hung mounts: the child waits, PID 1 does not ----
sys_new hung
fuse_hang_build
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
		wait_until 10 awk '/^(ShdPnd|SigPnd):/ { if ($2 !~ /^0+$/) bad = 1 } END { exit bad }' "/proc/$KEEL_PID1/status"
	check "a burst of real-time signals: counted on the console" \
		wait_for "warning: [0-9]+ signals ignored \(the last: SIGRTM" 10
	check "a burst of real-time signals: keelctl answers within 100 ms" answers_fast
	check "a burst of real-time signals: the other service kept its pid" [ "$(pid_of sigs)" = "$sigs_pid" ]
	check "poweroff after the signal burst" keel_stop
fi

# ---- 3. A fork bomb under a pids limit; floods on a ready fd and stdout ----
sys_new bomb
svc calm <<EOF
exec $BIN/daemon calm
EOF
byhand victim <<EOF
type respawn
exec $BIN/daemon victim
EOF
cat >"$BIN/bomb" <<EOF
#!/bin/sh
# bomb: takes every pid the limit allows for 3 s
"$BIN/rec" start bomb
exec python3 -c '
import os, time
for i in range(100):
    try:
        if os.fork() == 0:
            time.sleep(3)
            os._exit(0)
    except OSError:
        pass
time.sleep(3)
'
EOF
chmod 755 "$BIN/bomb"
byhand bomb <<EOF
type once
exec $BIN/bomb
EOF
byhand chatter <<EOF
type respawn
ready fd 3 timeout 0
exec /bin/sh -c "yes x | tr -d '\\n' >&3"
EOF
byhand loud <<EOF
type respawn
exec /usr/bin/yes a line of output that nobody needs
EOF
if keel_start; then
	wait_log "^start calm " 20
	calm_pid=$(pid_of calm)
	if CG=$(cg_new pids); then
		echo "$KEEL_PID1" >"$CG/cgroup.procs"
		echo 12 >"$CG/pids.max"
		ctl start bomb >/dev/null 2>&1
		wait_log "^start bomb " 10
		sleep 0.5
		ctl start victim >/dev/null 2>&1
		check "fork bomb under a pids limit: keelctl answers within 100 ms" answers_fast
		check "fork bomb: a start failing with EAGAIN is retried, not failed for good" \
			wait_for "victim: cannot start: Resource temporarily unavailable: retrying" 10
		check "fork bomb over: the victim runs" wait_log "^start victim " 20
		echo "$KEEL_PID1" >"$(dirname "$CG")/cgroup.procs"
	else
		ok "fork bomb under a pids limit # SKIP no pids cgroup controller"
	fi
	ctl start chatter >/dev/null 2>&1
	sleep 1
	t0=$(awk '{print $14 + $15}' "/proc/$KEEL_PID1/stat")
	sleep 2
	t1=$(awk '{print $14 + $15}' "/proc/$KEEL_PID1/stat")
	note "keel's CPU over 2 s with a ready fd flooded: $((t1 - t0)) ticks"
	check "a ready fd flooded without newline: no longer read, said once" \
		console_has "chatter: [0-9]+ bytes on its ready fd without a newline: no longer read"
	check "a ready fd flooded without newline: keel under half a core ($((t1 - t0)) ticks in 2 s)" \
		[ $((t1 - t0)) -lt 100 ]
	# stdout flooded: the log's rate limit is its own business; keel answers.
	ctl start loud >/dev/null 2>&1
	sleep 1
	check "floods: keelctl answers within 100 ms" answers_fast
	check "floods: the ready flooder is still starting" state_is chatter starting
	check "after the bomb and the floods: calm kept its pid" [ "$(pid_of calm)" = "$calm_pid" ]
	ctl stop loud >/dev/null 2>&1
	ctl stop chatter >/dev/null 2>&1
	check "after the bomb and the floods: no zombie" wait_until 10 no_zombie
	check "poweroff after the bomb and the floods" keel_stop
	cg_gone "$CG"
fi

# ---- 4. Hostile files in the service dir; a console pipe nobody reads ----
sys_new files
svc calm <<EOF
exec $BIN/daemon calm
EOF
mkfifo "$SVC/fifo"
ln -s /dev/zero "$SVC/zero"
ln -s /dev/urandom "$SVC/urandom"
head -c 10000000 /dev/zero | tr '\0' 'x' >"$SVC/huge"
for i in $(seq 1 1000); do echo "exec /bin/true" >"$SVC/quick$i"; done
# A fast crash loop: with --debug, lines enough to overflow any console.
svc crasher <<EOF
type respawn
respawn delay 10ms max-delay 20ms
exec /bin/false
EOF
# A file name that would forge a console line if printed raw.
echo "bogus line" >"$SVC/$(printf 'evil\nkeel: [ OK ] forged\033[2J')"
# The console is a pipe whose reader never reads: 64 KiB and it is full.
mkfifo "$SYS/console.fifo"
exec 7<>"$SYS/console.fifo"
# One page of pipe: the console is full after a few lines.
python3 -c 'import fcntl; fcntl.fcntl(7, 1031, 4096)' 2>/dev/null
REAL_CONSOLE=$CONSOLE
CONSOLE=$SYS/console.fifo
if keel_start --debug; then
	CONSOLE=$REAL_CONSOLE
	check "a FIFO, /dev/zero, /dev/urandom and a 10 MB file in the service dir: calm runs" \
		wait_state calm running 20
	check "console pipe stalled: every quick service ran" \
		wait_until 20 eval '[ "$(ctl status | grep -c "quick.*done")" -eq 1000 ]'
	check "console pipe stalled, 1000 services done, --debug: keelctl answers within 100 ms" answers_fast
	ctl reload >/dev/null 2>&1
	check "console pipe stalled, hostile files: a reload answers" answers_fast
	ctl stop crasher >/dev/null 2>&1
	# Read what the pipe holds now, then all that follows.
	timeout 3 cat <&7 >"$CONSOLE"
	(timeout 20 cat <&7 >>"$CONSOLE" &)
	ctl poweroff >/dev/null 2>&1
	keel_wait_end 30
	sleep 0.5
	check "hostile files are named on the console" \
		eval 'console_has "fifo.*not a regular file" && console_has "zero" && console_has "huge"'
	check "dropped console lines are counted in one well-formed warning" \
		grep -qE "^keel: warning: [0-9]+ console lines dropped" "$CONSOLE"
	check "no line cut in two ('keel: keel:')" not grep -q "keel: keel:" "$CONSOLE"
	check "a file name with a newline is escaped, forges no console line" \
		eval 'console_has "evil.x0akeel: \[ OK \] forged.x1b" && not grep -q "^keel: \[ OK \] forged" "$CONSOLE"'
	check "an important line is never dropped with the routine ones (target reached)" \
		grep -q "^keel: target boot reached" "$CONSOLE"
else
	CONSOLE=$REAL_CONSOLE
fi
exec 7<&-

# ---- 5. Bounded diagnostics: one 760 KB file naming 100,000 absent services ----
sys_new diags
svc calm <<EOF
exec $BIN/daemon calm
EOF
python3 -c "
print('exec /bin/true')
for i in range(10000): print('after ' + ' '.join('a%05d' % (i * 10 + k) for k in range(10)))
" >"$SVC/many"
if keel_start; then
	wait_state calm running 20
	ctl reload >/dev/null 2>&1
	hwm=$(awk '/^VmHWM/ {print $2}' "/proc/$KEEL_PID1/status")
	bytes=$(ctl status | wc -c)
	note "100,000 names: PID 1 peak $hwm KiB, status $bytes bytes"
	check "100,000 absent names: the file is refused with its line" \
		console_has "many:[0-9]+: after: more than 1024 names"
	check "100,000 absent names: the problems are counted, not all kept" \
		console_has "many: too many problems in this file: the rest are counted, not shown"
	check "100,000 absent names: the status answer stays small ($bytes bytes)" [ "$bytes" -lt 65536 ]
	case $KEEL_BUILD in
	*asan*) ok "100,000 absent names: PID 1's peak memory # SKIP sanitizer build" ;;
	*) check "100,000 absent names: PID 1's peak memory under 4 MiB after a reload ($hwm KiB)" \
		[ "$hwm" -lt 4096 ] ;;
	esac
	check "poweroff after the big file" keel_stop
fi

# ---- 6. /etc/initd.env is read again on reload ----
sys_new initenv
echo "FOO=one" >"$SYS/initd.env"
byhand envs <<EOF
type once
exec /bin/sh -c "$BIN/rec env foo=\$FOO path=\$PATH"
EOF
if keel_start; then
	ctl start envs >/dev/null 2>&1
	check "initd.env at boot: FOO=one" wait_log "^env foo=one path=/" 10
	printf 'FOO=two\n' >"$SYS/initd.env"
	ctl reload >/dev/null 2>&1
	ctl start envs >/dev/null 2>&1
	check "initd.env changed, reload: the next start sees FOO=two" wait_log "^env foo=two " 10
	printf 'PATH=/bin\n' >"$SYS/initd.env"
	ctl reload >/dev/null 2>&1
	ctl start envs >/dev/null 2>&1
	check "a key dropped from initd.env is unset on reload; PATH from it applies" \
		wait_log "^env foo= path=/bin " 10
	: >"$SYS/initd.env"
	ctl reload >/dev/null 2>&1
	ctl start envs >/dev/null 2>&1
	check "PATH dropped from initd.env: back to keel's default" \
		wait_log "^env foo= path=/usr/local/sbin" 10
	check "poweroff after the environment reloads" keel_stop
fi

finish
