# test_ready: `ready fd` and `ready file` hold dependents until the service says so; a ready timeout fails it.
# SPDX-License-Identifier: MIT
. "$(dirname "$0")/lib.sh"

sys_new ready

# The services become ready when the test creates $OUT/go.NAME, so the test
# sees them "starting" for as long as it needs, however loaded the host is.
cat >"$BIN/slow_ready" <<EOF
#!/bin/sh
# slow_ready NAME fd|file: signals readiness once $OUT/go.NAME exists
"$BIN/rec" start "\$1"
while [ ! -e "$OUT/go.\$1" ]; do sleep 0.05; done
"$BIN/rec" ready "\$1"
if [ "\$2" = fd ]; then echo >&3; else touch "$OUT/\$1.ready"; fi
exec sleep 600
EOF
chmod 755 "$BIN/slow_ready"

svc by_fd <<EOF
ready fd 3
exec $BIN/slow_ready by_fd fd
EOF
svc after_fd <<EOF
after by_fd
exec $BIN/job after_fd
EOF
svc by_file <<EOF
ready file $OUT/by_file.ready
exec $BIN/slow_ready by_file file
EOF
svc after_file <<EOF
after by_file
exec $BIN/job after_file
EOF
# Never ready: failed after 1 s, its process stopped.
svc never <<EOF
ready fd 3 timeout 1s
exec $BIN/daemon never
EOF
svc after_never <<EOF
after never
exec $BIN/job after_never
EOF
svc needs_never <<EOF
requires never
exec $BIN/job needs_never
EOF

keel_start || { finish; exit 1; }
wait_log "^start by_fd " 20
wait_log "^start by_file " 20
check "ready fd: starting until ready" state_is by_fd starting
check "ready file: starting until ready" state_is by_file starting
check "ready fd: the dependent waits" not log_has "^start after_fd "
check "ready file: the dependent waits" not log_has "^start after_file "
touch "$OUT/go.by_fd" "$OUT/go.by_file"

check "ready fd: dependent starts after the newline on fd 3" \
	eval 'wait_log "^start after_fd " 20 && log_before "ready by_fd" "start after_fd"'
check "ready fd: running once ready" state_is by_fd running
check "ready file: dependent starts after the file appeared" \
	eval 'wait_log "^start after_file " 20 && log_before "ready by_file" "start after_file"'
check "ready file: running once ready" state_is by_file running

check "ready timeout: [FAIL] on the console" wait_for '\[FAIL\] never: not ready within 1000 ms' 20
check "ready timeout: state failed" wait_state never failed 20
check "ready timeout: its process was stopped" wait_log "^stop never " 20
check "ready timeout: an after-dependent still starts" wait_log "^start after_never " 20
check "ready timeout: a requires-dependent is skipped" \
	eval 'wait_state needs_never skipped 20 && ! log_has "^start needs_never "'
check "boot target reached" wait_for "target boot reached" 20

check "poweroff ends the namespace" keel_stop
finish
