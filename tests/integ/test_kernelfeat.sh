# test_kernelfeat: a kernel that lacks timerfd_settime (no 32-bit time syscalls) or timerfd: one clear message, and timers still fire.
# SPDX-License-Identifier: MIT
# The missing syscall is simulated with seccomp (tests/integ/enosys.c) returning
# ENOSYS, as a kernel without CONFIG_COMPAT_32BIT_TIME does to a 32-bit libc's
# timerfd_settime. keel's fallback is epoll_wait's own timeout (keel(8),
# "Kernel features"): a respawn backoff and a keelctl timeout still work.
. "$(dirname "$0")/lib.sh"

sys_new kernelfeat
cc -O2 -Wall -o "$SYS/enosys" "$KEEL_SRC/tests/integ/enosys.c" || { not_ok "build enosys"; finish; exit 1; }
REAL_KEEL=$KEEL

# A respawn service: its restarts wait on keel's timers (100 ms, 200 ms, ...).
svc flaky <<EOF
type respawn
exec $BIN/job flaky 0 1
EOF
svc steady <<EOF
type respawn
exec $BIN/daemon steady
EOF

for missing in timerfd_settime timerfd_create; do
	printf '#!/bin/sh\nexec %s %s %s "$@"\n' "$SYS/enosys" "$missing" "$REAL_KEEL" >"$SYS/keel-$missing"
	chmod 755 "$SYS/keel-$missing"
	KEEL=$SYS/keel-$missing
	: >"$LOG"
	keel_start || { finish; exit 1; }
	check "$missing: keel says it once, naming the fallback" \
		wait_for "error: $missing: Function not implemented: timers fall back" 10
	check "$missing: a respawn backoff still ends (4 starts)" \
		wait_until 20 eval '[ "$(log_count "start flaky")" -ge 4 ]'
	check "$missing: keelctl answers" eval "ctl status steady >/dev/null"
	n=$(grep -c "$missing" "$CONSOLE")
	check "$missing: one message, not one per loop turn ($n)" [ "$n" -eq 1 ]
	check "$missing: poweroff ends the namespace" keel_stop
done
finish
