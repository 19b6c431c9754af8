# test_health: boot health — a healthy boot commits and resets the counter, an unhealthy one is counted and reboots, the counter file is never torn.
# SPDX-License-Identifier: MIT
. "$(dirname "$0")/lib.sh"

# health_req: the "health" control request, answered as
# "health<TAB>STATE<TAB>DETAIL<TAB>COUNTER" then "OK" (raw, so the check
# does not depend on how keelctl shows it).
health_req() {
	timeout 10 python3 - "$SOCK" <<'EOF'
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
s.sendall(b"health\n")
data = b""
while not (data.endswith(b"OK\n") or b"ERR" in data):
    chunk = s.recv(4096)
    if not chunk:
        break
    data += chunk
sys.stdout.write(data.decode("utf-8", "replace"))
EOF
}

# health_is STATE [DETAIL-REGEX [COUNTER]]: the request's answer says so.
health_is() {
	local line
	line=$(health_req | grep "^health	") || return 1
	local st detail counter
	st=$(printf '%s' "$line" | cut -f2)
	detail=$(printf '%s' "$line" | cut -f3)
	counter=$(printf '%s' "$line" | cut -f4)
	[ "$st" = "$1" ] || return 1
	[ -z "${2:-}" ] || printf '%s' "$detail" | grep -qE -- "$2" || return 1
	[ -z "${3:-}" ] || [ "$counter" = "$3" ]
}

# The counter file says exactly N ("N\n").
counter_is() { [ -f "$COUNTER" ] && [ "$(cat "$COUNTER")" = "$1" ] && [ "$(wc -c <"$COUNTER")" -eq $((${#1} + 1)) ]; }

# A counter file that parses: one decimal number and a newline, nothing else.
counter_parses() { grep -qxE '[0-9]+' "$COUNTER" && [ "$(wc -l <"$COUNTER")" -eq 1 ] && [ "$(tail -c 1 "$COUNTER" | od -An -c | tr -d ' ')" = '\n' ]; }

# keel must know the option before anything else is worth trying.
if ! "$KEEL" --help 2>&1 | grep -q -- '--health-file'; then
	not_ok "keel has the --health-file option" "waits for the wiring of src/keel/health.c into main.c"
	finish
	exit 1
fi

# slow_ready NAME: ready (newline on fd 3) once $OUT/go.NAME exists.
make_slow_ready() {
	cat >"$BIN/slow_ready" <<EOF
#!/bin/sh
# slow_ready NAME: signals readiness on fd 3 once $OUT/go.NAME exists
"$BIN/rec" start "\$1"
while [ ! -e "$OUT/go.\$1" ]; do sleep 0.05; done
"$BIN/rec" ready "\$1"
echo >&3
exec sleep 600
EOF
	chmod 755 "$BIN/slow_ready"
}

# ---- a healthy boot: counted while waiting, then commit and 0 ----
sys_new healthy
COUNTER=$OUT/bootcount
make_slow_ready
svc web <<EOF
exec $BIN/daemon web
EOF
svc gate <<EOF
ready fd 3 timeout 1m
exec $BIN/slow_ready gate
EOF
svc setup <<EOF
type wait
exec $BIN/job setup
EOF
cat >"$SYS/health" <<EOF
# healthy when web and gate run, setup is done and the boot target is reached
require web gate
require setup
require target boot
within 60s
commit $BIN/rec commit "with args"
counter $COUNTER
fallback-after 3
on-unhealthy reboot
EOF
printf '2\n' >"$COUNTER"
if keel_start --health-file "$SYS/health"; then
	check "healthy: the boot is counted at start (2 -> 3)" wait_until 20 counter_is 3
	check "healthy: waiting for the service not yet ready" \
		wait_until 20 health_is waiting '^gate' 3
	check "healthy: the request says how long is left" health_is waiting '\([0-9]+ s left\)$'
	check "healthy: no commit before the requirements are met" not log_has "^commit "
	touch "$OUT/go.gate"
	check "healthy: commit runs with its arguments" wait_log "^commit with args " 20
	check "healthy: the counter is written back to 0" wait_until 20 counter_is 0
	check "healthy: the request says healthy, committed, counter 0" \
		wait_until 20 health_is healthy '^committed at [0-9]+\.[0-9] s$' 0
	check "healthy: commit only after the last requirement" log_before "ready gate" "commit with"
	check "healthy: console says the boot is healthy" console_has "keel: boot healthy at"
	check "healthy: no temporary file left" not test -e "$COUNTER.new"
	check "healthy: poweroff ends the namespace" keel_stop
	check "healthy: commit ran once" [ "$(log_count commit)" = 1 ]
fi

# ---- an unhealthy boot with on-unhealthy reboot ----
sys_new unhealthy
COUNTER=$OUT/bootcount
svc web <<EOF
exec $BIN/daemon web
EOF
# Never ready: it does not write on fd 3, and its own timeout is far away.
svc stuck <<EOF
ready fd 3 timeout 10m
exec $BIN/daemon stuck
EOF
cat >"$SYS/health" <<EOF
require web stuck
within 2s
commit $BIN/rec commit
counter $COUNTER
on-unhealthy reboot
EOF
printf '1\n' >"$COUNTER"
if keel_start --health-file "$SYS/health"; then
	check "unhealthy: the boot is counted (1 -> 2)" wait_until 20 counter_is 2
	check "unhealthy: the namespace ends (reboot)" keel_wait_end 40
	check "unhealthy: reboot(2) asked for a restart (status $KEEL_RC)" [ "$KEEL_RC" = 129 ]
	check "unhealthy: console says why" \
		console_has "^keel: boot unhealthy: stuck not ready within 2s; rebooting"
	check "unhealthy: the service that was ready is not named" \
		not console_has "boot unhealthy: .*web"
	check "unhealthy: no commit" not log_has "^commit "
	check "unhealthy: the counter stays counted" counter_is 2
fi

# ---- on-unhealthy stay: counted and said, keel stays ----
sys_new stay
COUNTER=$OUT/bootcount
svc stuck <<EOF
ready fd 3 timeout 10m
exec $BIN/daemon stuck
EOF
cat >"$SYS/health" <<EOF
require stuck
within 1s
counter $COUNTER
on-unhealthy stay
EOF
if keel_start --health-file "$SYS/health"; then
	check "stay: a first boot is counted from nothing (-> 1)" wait_until 20 counter_is 1
	check "stay: the deadline passes: unhealthy, with the reason" \
		wait_until 20 health_is unhealthy '^stuck not ready within 1s$' 1
	check "stay: console says so and that keel stays" \
		console_has "^keel: boot unhealthy: stuck not ready within 1s; staying up"
	check "stay: keel still answers" keel_answers
	check "stay: poweroff ends the namespace" keel_stop
fi

# ---- no health file: off, no counter ----
sys_new off
if keel_start --health-file "$SYS/none"; then
	check "off: a missing file turns health off" health_is off '' '-'
	check "off: poweroff ends the namespace" keel_stop
fi

# ---- a health file with an error: counted, never committed, no reboot ----
sys_new broken
COUNTER=$OUT/bootcount
svc web <<EOF
exec $BIN/daemon web
EOF
cat >"$SYS/health" <<EOF
require web
within 1s
commit $BIN/rec commit
counter $COUNTER
on-unhealthy sometimes
EOF
printf '4\n' >"$COUNTER"
if keel_start --health-file "$SYS/health"; then
	check "broken: the error is on the console with file:line" \
		wait_for "error: $SYS/health:5: on-unhealthy: expected reboot or stay" 20
	check "broken: the boot still counts (4 -> 5)" wait_until 20 counter_is 5
	check "broken: unhealthy, saying the file has errors" health_is unhealthy 'errors' 5
	check "broken: no commit" not log_has "^commit "
	check "broken: keel stays up" keel_answers
	check "broken: poweroff ends the namespace" keel_stop
fi

# ---- give-up failsafe: the counter jumps to fallback-after, then reboot ----
sys_new failsafe
COUNTER=$OUT/bootcount
# It gives up only once the test sees keel answer: the crashes wait for a file.
svc crasher <<EOF
type respawn
respawn limit 2 delay 10ms
give-up failsafe
exec /bin/sh -c "while [ ! -e $OUT/crash ]; do sleep 0.05; done; exit 1"
EOF
cat >"$SYS/health" <<EOF
require crasher
within 60s
counter $COUNTER
fallback-after 3
EOF
if keel_start --health-file "$SYS/health"; then
	touch "$OUT/crash"
	check "failsafe: the namespace ends (reboot)" keel_wait_end 40
	check "failsafe: reboot(2) asked for a restart (status $KEEL_RC)" [ "$KEEL_RC" = 129 ]
	check "failsafe: console says the next boot falls back" \
		console_has "counter $COUNTER set to 3: the next boot falls back"
	check "failsafe: the counter says fallback-after (3)" counter_is 3
fi

# ---- the counter is never torn: kill keel at random moments ----
# Each boot increments the counter and, once healthy, writes 0: two writes
# per boot, each a child's (tmp, fsync, rename). SIGKILL to PID 1 ends the
# whole namespace, the writer included, wherever it is.
sys_new torn
COUNTER=$OUT/bootcount
# Ready after a random 0-190 ms: the reset lands at a different moment of
# each boot, so the kills fall before, between and after the two writes.
cat >"$BIN/late_ready" <<EOF
#!/bin/sh
# late_ready: ready on fd 3 after a random delay of up to 190 ms
n=\$(od -An -N1 -tu1 /dev/urandom | tr -d ' ')
sleep "0.\$(printf '%02d' \$((n % 20)))"
echo >&3
exec sleep 600
EOF
chmod 755 "$BIN/late_ready"
svc web <<EOF
ready fd 3 timeout 1m
exec $BIN/late_ready
EOF
cat >"$SYS/health" <<EOF
require web
within 30s
counter $COUNTER
EOF
printf '7\n' >"$COUNTER"
# Boots without waiting for the socket: the kill lands anywhere from
# keel's first instruction to well after its writes.
boots=16
bad=0
seen_values=
for i in $(seq 1 $boots); do
	before=$(cat "$COUNTER")
	env -i ${ASAN_OPTIONS:+"ASAN_OPTIONS=$ASAN_OPTIONS"} "$UNSHARE" --pid --fork --mount --mount-proc \
		"$KEEL" --service-dir "$SVC" --share-dir "$SHARE" --socket "$SOCK" --cmdline "" \
		--health-file "$SYS/health" >>"$CONSOLE" 2>&1 </dev/null &
	KEEL_NS=$!
	KEEL_PID1=
	if ! wait_until 20 find_pid1; then
		not_ok "torn: keel starts (boot $i)"
		keel_kill
		bad=1
		break
	fi
	# A random moment in 0-249 ms: this is the point of the check, not a wait.
	sleep "0.$(printf '%03d' $((RANDOM % 250)))"
	keel_kill
	after=$(cat "$COUNTER" 2>/dev/null)
	seen_values="$seen_values $after"
	if ! counter_parses; then
		not_ok "torn: the counter parses after a kill (boot $i)" "file: $(od -c "$COUNTER" 2>&1 | head -n 3)"
		bad=1
		break
	fi
	# Either nothing was written yet, or the increment, or the reset.
	case $after in
	"$before" | $((before + 1)) | 0) ;;
	*)
		not_ok "torn: the counter holds an expected value (boot $i: $before -> $after)"
		bad=1
		break
		;;
	esac
done
note "counter after each killed boot:$seen_values"
[ "$bad" = 0 ] && ok "torn: $boots killed boots, the counter always one whole number, old or new"
# And a last, unkilled boot still works from whatever the file says.
before=$(cat "$COUNTER")
if keel_start --health-file "$SYS/health"; then
	check "torn: a boot after the kills commits (counter 0)" wait_until 20 health_is healthy '' 0
	check "torn: ... and the file says 0" wait_until 20 counter_is 0
	check "torn: poweroff ends the namespace" keel_stop
fi

# ---- a counter on a partition mounted after keel started ----
# The mount table's watcher is the one of `mounted` conditions: open while
# health waits (one fd, the one a service's condition would share), closed
# once the boot is counted unless a service still needs it.
# mount_fds: keel's open fds on /proc/self/mounts or mountinfo.
mount_fds() { ls -l "/proc/$KEEL_PID1/fd" 2>/dev/null | grep -cE '/mount(s|info)$'; }
fds_are() { [ "$(mount_fds)" = "$1" ]; }
late_setup() {
	mkdir -p "$OUT/real/keel" "$OUT/mnt"
	echo 4 >"$OUT/real/keel/bootcount"
	# It mounts once the test says so: the waiting is seen first.
	svc mounter <<EOF
type wait
exec /bin/sh -c "while [ ! -e $OUT/go ]; do sleep 0.05; done; exec /bin/mount --bind $OUT/real $OUT/mnt"
EOF
	svc never <<EOF
type respawn
ready fd 3
exec /bin/sleep 1000
EOF
	cat >"$SYS/health" <<EOF
require never
counter $OUT/mnt/keel/bootcount
EOF
}
late_counted() { [ "$(cat "$OUT/real/keel/bootcount" 2>/dev/null)" = 5 ]; }

sys_new late
late_setup
if keel_start --health-file "$SYS/health"; then
	check "late mount: said on the console" \
		wait_for "not there yet: the boot is counted once it is mounted" 20
	check "late mount: the mount table is watched while waiting (one fd)" wait_until 20 fds_are 1
	check "late mount: not counted before the mount" \
		eval 'sleep 0.3; [ "$(cat "$OUT/real/keel/bootcount")" = 4 ]'
	touch "$OUT/go"
	check "late mount: the boot is counted once the counter's partition is mounted" \
		wait_until 20 late_counted
	check "late mount: the request says counter 5" wait_until 20 health_is waiting '' 5
	check "late mount: the watcher is closed once nobody needs it" wait_until 20 fds_are 0
	check "late mount: poweroff ends the namespace" keel_stop
fi

# The same with a service waiting for another mount: one watcher for both,
# still open for the service after the boot is counted.
sys_new late_shared
late_setup
svc sdcard <<EOF
condition mounted $OUT/sd
exec $BIN/daemon sdcard
EOF
if keel_start --health-file "$SYS/health"; then
	check "late shared: waiting" wait_for "not there yet: the boot is counted once it is mounted" 20
	check "late shared: one fd on the mount table for health and the condition" \
		eval 'sleep 0.3; fds_are 1'
	touch "$OUT/go"
	check "late shared: the boot is counted once mounted" wait_until 20 late_counted
	check "late shared: the watcher stays open for the service's condition" \
		eval 'sleep 0.3; fds_are 1'
	mkdir -p "$OUT/sd"
	nsenter --target "$KEEL_PID1" --mount -- mount -t tmpfs -o size=64k sd "$OUT/sd"
	check "late shared: the condition still follows the mount table" wait_log "^start sdcard " 20
	check "late shared: poweroff ends the namespace" keel_stop
fi

finish
