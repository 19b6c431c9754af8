# test_exec: several exec lines and exec { } blocks run in order and stop at the first failure, whose status is the service's.
# SPDX-License-Identifier: MIT
. "$(dirname "$0")/lib.sh"

sys_new exec

svc lines_fail <<EOF
exec $BIN/rec run lines_fail 1
exec /bin/sh -c "exit 3"
exec $BIN/rec run lines_fail 3
EOF
svc block_fail <<EOF
exec {
	$BIN/rec run block_fail 1
	$BIN/rec run block_fail 2
	/bin/false
	$BIN/rec run block_fail 4
}
EOF
svc block_ok <<EOF
type wait
exec {
	$BIN/rec run block_ok 1
	$BIN/rec run block_ok 2
}
exec $BIN/rec run block_ok 3
EOF
svc missing_cmd <<EOF
exec $BIN/rec run missing_cmd 1
exec /nonexistent/command
exec $BIN/rec run missing_cmd 3
EOF
svc killed <<EOF
exec $BIN/rec run killed 1
exec /bin/sh -c "kill -TERM \$\$"
exec $BIN/rec run killed 3
EOF
# Exit status of a single exec line is the service's, too.
svc single_fail <<EOF
exec /bin/sh -c "exit 7"
EOF

# A burst of single-command starts (more than keel keeps in flight at once),
# some of them failing: each outcome must reach its own service.
for i in $(seq 1 24); do
	if [ $((i % 6)) = 0 ]; then
		printf 'type once\nexec /nonexistent/burst%s\n' "$i" | svc "burst$i"
	else
		printf 'type respawn\nexec /bin/sleep 1000\n' | svc "burst$i"
	fi
done

keel_start || { finish; exit 1; }
check "boot target reached" wait_for "target boot reached" 30

for n in lines_fail block_fail missing_cmd killed single_fail; do
	wait_state "$n" failed 20
done
wait_state block_ok done 20

check "exec lines: commands before the failure ran" log_has "^run lines_fail 1 "
check "exec lines: commands after the failure never ran" not log_has "^run lines_fail 3 "
check "exec lines: the service failed with the failing command's status" \
	eval 'state_is lines_fail failed && [ "$(svc_field lines_fail last_exit)" = "exit 3" ]'

check "exec block: commands before the failure ran in order" log_order "run block_fail 1" "run block_fail 2"
check "exec block: commands after the failure never ran" not log_has "^run block_fail 4 "
check "exec block: failed with exit 1" \
	eval 'state_is block_fail failed && [ "$(svc_field block_fail last_exit)" = "exit 1" ]'

check "block and line together run every command in order" \
	log_order "run block_ok 1" "run block_ok 2" "run block_ok 3"
check "all commands succeeded: state done, exit 0" \
	eval 'state_is block_ok done && [ "$(svc_field block_ok last_exit)" = "exit 0" ]'

check "a missing command stops the list" not log_has "^run missing_cmd 3 "
check "a missing command fails with exit 127" \
	eval '[ "$(svc_field missing_cmd last_exit)" = "exit 127" ]'
# The runner of a command list says it on its stderr: the service's log.
check "a missing command is named in the service's log (keelctl status)" \
	eval 'ctl status missing_cmd | grep -qE "cannot run \"?/nonexistent/command\"?: No such file or directory"'

check "a command killed by a signal stops the list" not log_has "^run killed 3 "
check "a killed command gives the service the same signal" \
	eval '[ "$(svc_field killed last_exit)" = "signal TERM" ]'

check "single exec line: its exit status" \
	eval 'state_is single_fail failed && [ "$(svc_field single_fail last_exit)" = "exit 7" ]'
check "failures are announced with [FAIL] and the status" console_has '\[FAIL\] lines_fail: exit 3'

burst_ok() {
	for i in $(seq 1 24); do
		if [ $((i % 6)) = 0 ]; then
			console_has "burst$i: cannot run \"?/nonexistent/burst$i\"?: No such file" || return 1
			[ "$(svc_field "burst$i" last_exit)" = "exit 127" ] || return 1
		else
			state_is "burst$i" running || return 1
		fi
	done
}
check "a burst of starts: every failure reaches its own service, the rest run" wait_until 20 burst_ok

check "poweroff ends the namespace" keel_stop
finish
