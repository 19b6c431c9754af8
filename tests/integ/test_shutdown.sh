# test_shutdown: signals to PID 1 stop services in reverse order, run the reboot/shutdown/ctrlaltdel targets, SIGKILL the stubborn.
# SPDX-License-Identifier: MIT
. "$(dirname "$0")/lib.sh"

# One system layout for every boot: a chain sa <- sb <- sc, a service that
# ignores SIGTERM, and one service in each of the final targets.
boot_system() {
	sys_new "$1"
	svc sa <<EOF
exec $BIN/daemon sa
EOF
	svc sb <<EOF
after sa
exec $BIN/daemon sb
EOF
	svc sc <<EOF
after sb
exec $BIN/daemon sc
EOF
	cat >"$BIN/stubborn" <<EOF
#!/bin/sh
# stubborn: ignores SIGTERM, so only SIGKILL ends it
trap '"$BIN/rec" ignored stubborn' TERM
"$BIN/rec" start stubborn
while :; do sleep 0.2; done
EOF
	chmod 755 "$BIN/stubborn"
	svc stubborn <<EOF
stop TERM 1s
exec $BIN/stubborn
EOF
	svc on_reboot <<EOF
target reboot
type wait
exec $BIN/job final-reboot
EOF
	svc on_shutdown <<EOF
target shutdown
type wait
exec $BIN/job final-shutdown
EOF
}

boot() {
	keel_start || return 1
	wait_for "target boot reached" 30 && wait_log "^start sc " 20 && wait_log "^start stubborn " 20
}

# ---- SIGTERM: reboot ----
boot_system term
if boot; then
	keel_signal TERM
	check "SIGTERM: the namespace ends" keel_wait_end 40
	check "SIGTERM: console says rebooting" console_has "^keel: rebooting$"
	check "SIGTERM: services stop in reverse dependency order (sc, sb, sa)" log_order "stop sc" "stop sb" "stop sa"
	check "SIGTERM: runs the reboot target, not shutdown" \
		eval 'log_has "^end final-reboot " && ! log_has "^start final-shutdown "'
	check "SIGTERM: the reboot target runs after every service stopped" log_before "stop sa" "start final-reboot"
	check "SIGTERM: console names the reboot target" console_has "^keel: running target reboot$"
	check "SIGTERM: a service ignoring TERM is killed after its 1 s grace" \
		eval 'log_has "^ignored stubborn " && console_has "stubborn: still running 1000 ms after TERM: killing"'
	check "SIGTERM: reboot(2) asked for a restart (status $KEEL_RC)" [ "$KEEL_RC" = 129 ]
fi

# ---- SIGUSR2: poweroff ----
boot_system usr2
if boot; then
	keel_signal USR2
	check "SIGUSR2: the namespace ends" keel_wait_end 40
	check "SIGUSR2: console says powering off" console_has "^keel: powering off$"
	check "SIGUSR2: services stop in reverse dependency order" log_order "stop sc" "stop sb" "stop sa"
	check "SIGUSR2: runs the shutdown target, not reboot" \
		eval 'log_has "^end final-shutdown " && ! log_has "^start final-reboot "'
	check "SIGUSR2: reboot(2) asked for power off (status $KEEL_RC)" [ "$KEEL_RC" = 130 ]
fi

# ---- SIGUSR1: halt ----
boot_system usr1
if boot; then
	keel_signal USR1
	check "SIGUSR1: the namespace ends" keel_wait_end 40
	check "SIGUSR1: console says halting" console_has "^keel: halting$"
	check "SIGUSR1: runs the shutdown target" log_has "^end final-shutdown "
fi

# ---- SIGINT (Ctrl-Alt-Del) with a ctrlaltdel target: runs it, keeps going ----
boot_system cad
svc cad <<EOF
target ctrlaltdel
type wait
exec $BIN/job ctrlaltdel
EOF
if boot; then
	keel_signal INT
	check "SIGINT: runs the ctrlaltdel target" wait_log "^end ctrlaltdel " 20
	check "SIGINT: console says so" console_has "^keel: running target ctrlaltdel$"
	check "SIGINT with a ctrlaltdel target: no shutdown, keel still answers" \
		eval 'keel_answers && state_is sa running && ! console_has "stopping services"'
	keel_signal INT
	check "SIGINT again: the target runs again" wait_until 20 eval '[ "$(log_count "end ctrlaltdel")" -eq 2 ]'
	check "poweroff ends the namespace" keel_stop
fi

# ---- SIGINT without a ctrlaltdel target: reboot ----
boot_system cad_empty
if boot; then
	keel_signal INT
	check "SIGINT without ctrlaltdel services: the namespace ends" keel_wait_end 40
	check "SIGINT without ctrlaltdel services: console says rebooting" console_has "^keel: rebooting$"
	check "SIGINT without ctrlaltdel services: the reboot target ran" log_has "^end final-reboot "
fi
finish
