# test_requires: a failed required service skips its dependents, `after` does not; a requires naming nothing is an error.
# SPDX-License-Identifier: MIT
. "$(dirname "$0")/lib.sh"

sys_new requires

svc wfail <<EOF
type wait
exec $BIN/job wfail 0 1
EOF
svc needs_fail <<EOF
requires wfail
exec $BIN/job needs_fail
EOF
svc after_fail <<EOF
after wfail
exec $BIN/job after_fail
EOF
# Skipping is transitive: this one requires a skipped service.
svc needs_needs <<EOF
requires needs_fail
exec $BIN/job needs_needs
EOF
svc wok <<EOF
type wait
exec $BIN/job wok 0.3
EOF
svc needs_ok <<EOF
requires wok
exec $BIN/job needs_ok
EOF
svc needs_ghost <<EOF
description needs a ghost
exec $BIN/job needs_ghost
requires ghost
EOF
svc needs_ghost_dep <<EOF
requires needs_ghost
exec $BIN/job needs_ghost_dep
EOF

keel_start || { finish; exit 1; }
check "boot target reached" wait_for "target boot reached" 30
wait_log "^end after_fail " 20
wait_log "^end needs_ok " 20

check "required wait service failed" state_is wfail failed
check "requires a failed service: skipped" wait_state needs_fail skipped 10
check "requires a failed service: never started" not log_has "^start needs_fail "
check "skipped: the reason names the failed service" \
	eval 'svc_field needs_fail reason | grep -q wfail'
check "requires a skipped service: skipped too" wait_state needs_needs skipped 10
check "after a failed service: still starts, after it ended" log_before "end wfail" "start after_fail"
check "requires a successful service: starts after it ended" log_before "end wok" "start needs_ok"

check "requires naming no service: error with file:line" \
	console_has "^keel: error: $SVC/needs_ghost:3: requires \"ghost\": no such service"
check "requires naming no service: skipped, never started" \
	eval 'state_is needs_ghost skipped && ! log_has "^start needs_ghost "'
check "requires a service skipped for an error: reported and skipped" \
	eval 'console_has "^keel: error: $SVC/needs_ghost_dep:1: requires \"needs_ghost\", which is skipped" &&
	      state_is needs_ghost_dep skipped'
ctl status needs_fail >/dev/null 2>&1
rc=$?
check "status NAME of a skipped service exits 1 ($rc)" [ "$rc" -eq 1 ]

check "poweroff ends the namespace" keel_stop
finish
