# test_restart: the inittab's restart line: SIGQUIT stops every service (shutdown steps run), then PID 1 execs that process with clean signals; without the line SIGQUIT changes nothing.
# SPDX-License-Identifier: MIT
. "$(dirname "$0")/lib.sh"

sys_new restart
# newinit: what busybox's restart line usually names (/sbin/init): here it
# says who it is and what it inherited, then stays.
cat >"$BIN/newinit" <<EOF
#!/bin/sh
# newinit: the program PID 1 becomes on SIGQUIT
"$BIN/rec" newinit \$\$ \$(awk '/^SigBlk|^SigIgn/ {printf "%s=%s ", \$1, \$2}' /proc/self/status)
exec sleep 1000
EOF
chmod 755 "$BIN/newinit"
cat >"$SVC/../inittab" <<EOF
::sysinit:$BIN/rec sysinit
::respawn:$BIN/daemon resp
::shutdown:$BIN/rec shut1
EOF
svc native <<EOF
type respawn
exec $BIN/daemon native
EOF

keel_start || { finish; exit 1; }
check "boot target reached" wait_for "target boot reached" 30
check "the steps run" wait_until 20 eval 'log_has "^start resp " && log_has "^start native "'

keel_signal QUIT
sleep 0.5
check "without a restart line SIGQUIT changes nothing: keel answers" keel_answers
check "... the services keep running" eval '! log_has "^stop " && state_is native running'

echo "::restart:$BIN/newinit" >>"$SVC/../inittab"
check "reload reads the restart line" ctl reload
keel_signal QUIT
check "SIGQUIT: the restart is said on the console" wait_for "restart: PID 1 becomes $BIN/newinit" 20
check "the services were stopped first, the shutdown step ran" \
	eval 'wait_log "^newinit " 20 && log_before "stop resp" "newinit" && log_before "stop native" "newinit" && log_before "shut1" "newinit"'
check "the new program is PID 1 of the namespace" eval '[ "$(grep "^newinit " "$LOG" | awk "{print \$2}")" = 1 ]'
check "it inherits no blocked and no ignored signal" \
	eval 'log_has "^newinit 1 SigBlk:=0000000000000000 SigIgn:=0000000000000000 "'
check "keel is gone: PID 1 now runs the new program" \
	wait_until 10 eval '[ "$(cat /proc/$KEEL_PID1/comm 2>/dev/null)" = sleep ]'
finish
