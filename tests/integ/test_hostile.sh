# test_hostile: fork storms, crash loops and stray signals leave keel answering and able to shut down cleanly.
# SPDX-License-Identifier: MIT
. "$(dirname "$0")/lib.sh"

sys_new hostile

# storm: three rounds of 200 short-lived children, half of them orphaned
# (double fork) so keel itself has to reap them.
cat >"$BIN/storm" <<EOF
#!/bin/sh
# storm: spawns 200 short-lived children per round, half of them orphans
"$BIN/rec" start storm
for round in 1 2 3; do
	i=0
	while [ \$i -lt 100 ]; do
		true &
		( true & ) &
		i=\$((i + 1))
	done
	wait
done
"$BIN/rec" end storm
EOF
chmod 755 "$BIN/storm"
svc storm <<EOF
type wait
exec $BIN/storm
EOF
# A crash loop kept fast on purpose: 10 ms delay, never more than 50 ms.
svc crasher <<EOF
type respawn
respawn delay 10ms max-delay 50ms
exec /bin/false
EOF
svc calm <<EOF
exec $BIN/daemon calm
EOF
# A readiness pipe flooded without the newline that would end it.
svc chatter <<EOF
type respawn
ready fd 3 timeout 0
exec /bin/sh -c "yes x | tr -d '\\n' >&3"
EOF

keel_start || { finish; exit 1; }
answers=0
for i in 1 2 3 4 5; do
	keel_answers && answers=$((answers + 1))
done
check "keel answers during the fork storm and the crash loop ($answers/5)" [ "$answers" -eq 5 ]
check "the fork storm finished" wait_log "^end storm " 60
check "the storm's orphans were all reaped (no zombie child of keel)" \
	wait_until 20 eval '[ "$(ps -o stat= --ppid "$KEEL_PID1" | grep -c "^Z")" -eq 0 ]'
check "the crash loop is still supervised (restarts counted)" \
	wait_until 20 eval '[ "$(svc_field crasher restarts)" -gt 10 ]'
check "status still shows the calm service running" state_is calm running
check "a flood on a readiness pipe leaves it starting, keel answering" \
	eval 'state_is chatter starting && keel_answers'

# Signals keel has no use for: each must leave it alive and answering.
for sig in QUIT ALRM WINCH CONT TSTP TTIN TTOU PIPE VTALRM PROF URG XCPU XFSZ SYS IO \
	TRAP STKFLT USR1x RTMIN RTMIN+3 RTMAX; do
	[ "$sig" = USR1x ] && continue # USR1 means halt: not harmless
	keel_signal "$sig" 2>/dev/null || { not_ok "SIG$sig could not be sent"; continue; }
	if keel_alive && wait_until 20 keel_answers; then
		ok "SIG$sig: keel alive and answering"
	else
		not_ok "SIG$sig: keel alive and answering"
	fi
done
keel_signal HUP
check "SIGHUP: a reload, keel answers" eval 'wait_for "^keel: reload: 0 added, 0 changed, 0 removed" 20 && wait_until 20 keel_answers'
check "SIGHUP: the untouched service keeps running" eval 'state_is calm running && [ "$(log_count "start calm")" -eq 1 ]'
# SIGSTOP from outside the namespace cannot be blocked: keel pauses, and
# must carry on where it was after SIGCONT.
keel_signal STOP
keel_signal CONT
check "SIGSTOP then SIGCONT: keel answers" wait_until 20 keel_answers

check "poweroff ends the namespace despite the crash loop" keel_stop poweroff 40
check "console says powering off" console_has "^keel: powering off$"
check "the calm service was stopped" log_has "^stop calm "

# A fault signal sent with kill(2) is no fault: keel should not take its
# crash path (which ends supervision for good) for it. Last, on a boot of
# its own: when keel does take the crash path, only SIGKILL ends it.
sys_new segv
svc calm <<EOF
exec $BIN/daemon calm
EOF
if keel_start; then
	wait_log "^start calm " 20
	keel_signal SEGV
	# one request, not a poll: once crashed, keel never answers again
	ctl list >/dev/null 2>&1
	rc=$?
	check "SIGSEGV sent by kill(2): no crash path taken" not console_has "PID 1 crashed"
	check "SIGSEGV sent by kill(2): keel still answers ($rc)" [ "$rc" -eq 0 ]
	if console_has "PID 1 crashed"; then
		keel_kill
	else
		check "SIGSEGV sent by kill(2): poweroff still works" keel_stop
	fi
fi
finish
