# test_parallel: independent services run at the same time; `wait` blocks its dependents, `once` does not.
# SPDX-License-Identifier: MIT
. "$(dirname "$0")/lib.sh"

sys_new parallel

# Five independent `once` and five independent `wait` services, each busy
# for 2 s: if keel ran them one by one, an end would come before the last
# start. 2 s is only a margin for a loaded machine, never a measurement.
for i in 1 2 3 4 5; do
	svc "p$i" <<EOF
type once
exec $BIN/job p$i 2
EOF
	svc "w$i" <<EOF
type wait
exec $BIN/job w$i 2
EOF
done

# wait: its dependent starts only after it exited.
svc blocker <<EOF
type wait
exec $BIN/job blocker 1
EOF
svc after_wait <<EOF
after blocker
exec $BIN/job after_wait
EOF

# once: its dependent starts while it still runs.
svc runner <<EOF
type once
exec $BIN/job runner 3
EOF
svc after_once <<EOF
after runner
exec $BIN/job after_once
EOF

keel_start || { finish; exit 1; }
check "boot target reached" wait_for "target boot reached" 30
check "all services ended" wait_until 30 eval '[ "$(grep -c "^end " "$LOG")" -eq 14 ]'

last_start=$(grep -n '^start [pw][0-9] ' "$LOG" | tail -n 1 | cut -d: -f1)
first_end=$(grep -n '^end [pw][0-9] ' "$LOG" | head -n 1 | cut -d: -f1)
nstarts=$(grep -c '^start [pw][0-9] ' "$LOG")
check "10 independent services all started ($nstarts)" [ "$nstarts" -eq 10 ]
check "independent services overlap: every start before the first end" \
	[ "${last_start:-99}" -lt "${first_end:-0}" ]

check "a wait service blocks its dependent until it exited" log_before "end blocker" "start after_wait"
check "a once service does not block its dependent" log_before "start after_once" "end runner"
check "the wait service's [ OK ] comes when it exited" console_has '\[ OK \] blocker'

check "poweroff ends the namespace" keel_stop
finish
