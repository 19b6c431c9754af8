# test_guest: keel --guest under busybox init (PID 1 of a namespace): subreaper, no mounts, ordered stop, requests forwarded to PID 1.
# SPDX-License-Identifier: MIT
. "$(dirname "$0")/lib.sh"

BUSYBOX=$(command -v busybox) || { echo "not ok - guest: busybox not installed"; exit 1; }

# A root for busybox init: the host's /usr (programs and libraries), /tmp
# (this test's files, at the same paths) and keel's build folder, and an
# /etc of its own with the inittab.
guest_root() {
	R=$SYS/root
	mkdir -p "$R/etc" "$R/proc" "$R/dev" "$R/tmp" "$R/usr" "$R/run" "$R$KEEL_BUILD"
	for l in bin sbin lib lib64; do ln -sfn "usr/$l" "$R/$l"; done
	cp /etc/passwd /etc/group "$R/etc/"
}

# guest_boot: busybox init as PID 1 of a new PID+mount namespace, chrooted
# into $R; returns once keel answers.
guest_boot() {
	rm -f "$SOCK"
	env -i ${ASAN_OPTIONS:+"ASAN_OPTIONS=$ASAN_OPTIONS"} ${UBSAN_OPTIONS:+"UBSAN_OPTIONS=$UBSAN_OPTIONS"} \
		"$UNSHARE" --pid --fork --mount --mount-proc /bin/sh -c '
		R=$1 B=$2 BB=$3
		mount --bind /usr "$R/usr" && mount --bind /tmp "$R/tmp" && mount --bind /dev "$R/dev" &&
		mount --bind "$B" "$R$B" && mount -t proc proc "$R/proc" || exit 1
		exec chroot "$R" "$BB" init' sh "$R" "$KEEL_BUILD" "$BUSYBOX" \
		>"$CONSOLE" 2>&1 </dev/null &
	KEEL_NS=$!
	KEEL_PID1=
	if ! wait_until 20 find_pid1 || ! wait_until 20 keel_answers; then
		not_ok "busybox init starts keel --guest, which answers" "unshare pid $KEEL_NS"
		keel_kill
		return 1
	fi
	# keel, child of busybox init (host pids)
	GUEST=$(pgrep -P "$KEEL_PID1" -x keel | head -n 1)
	[ -n "$GUEST" ]
}

sys_new guest
guest_root
cat >"$R/etc/inittab" <<EOF
# busybox's format: id:runlevels:action:process
::sysinit:$BIN/rec sysinit
::respawn:$KEEL --guest --verbose --cmdline "" --service-dir $SVC --share-dir $SHARE --socket $SOCK
::shutdown:$BIN/rec host-shutdown
EOF
svc a <<EOF
type respawn
exec $BIN/daemon a
EOF
svc b <<EOF
type respawn
after a
exec $BIN/daemon b
EOF
# A daemon that forks away from its service: its orphan comes to keel.
cat >"$BIN/forker" <<'EOF'
#!/bin/sh
# forker: leaves a process behind and exits
sleep 1000 >/dev/null 2>&1 &
echo $! >"$1"
EOF
chmod 755 "$BIN/forker"
svc forker <<EOF
type once
exec $BIN/forker $OUT/orphan.pid
EOF

guest_boot || { finish; exit 1; }
check "keel says it runs as a guest" wait_for "starting as a guest" 20
check "services start under the guest" wait_until 20 eval 'log_has "^start a " && log_has "^start b "'
check "the host init ran its sysinit first" log_before "sysinit" "start a"
ppid_of() { awk '/^PPid:/ {print $2}' "/proc/$1/status" 2>/dev/null; }
check "keel is not PID 1: busybox init is its parent" [ "$(ppid_of "$GUEST")" = "$KEEL_PID1" ]
wait_until 20 test -s "$OUT/orphan.pid"
# The pid the shell printed is the namespace's: find the sleep on the host side.
orphan=$(pgrep -f "^sleep 1000" | while read -r p; do [ "$(ppid_of "$p")" = "$GUEST" ] && echo "$p"; done | head -n 1)
check "child subreaper: a service's orphan is re-parented to keel" [ -n "$orphan" ]
check "mounts nothing the host init owns (no /run, /sys of its own)" \
	not grep -qE '^[0-9]+ [0-9]+ [0-9:]+ [^ ]+ /(run|sys|dev/pts) ' "/proc/$GUEST/mountinfo"

# keelctl shows the namespace's pids: find a's on the host side.
pid_a=$(pgrep -P "$GUEST" -f "daemon a" | head -n 1)
kill -KILL "$pid_a" 2>/dev/null
check "a killed service is respawned by the guest" \
	wait_until 20 eval '[ "$(log_count "start a")" -ge 2 ]'

# SIGTERM to keel alone: it stops its services in reverse order and exits;
# busybox init respawns it (its inittab line) and nothing else happens.
: >"$LOG"
kill -TERM "$GUEST"
check "SIGTERM: the guest stops its services in reverse order" wait_until 20 log_order "stop b" "stop a"
check "and exits; busybox init starts it again" \
	wait_until 20 eval 'g=$(pgrep -P "$KEEL_PID1" -x keel | head -n 1); [ -n "$g" ] && [ "$g" != "$GUEST" ] && keel_answers'
GUEST=$(pgrep -P "$KEEL_PID1" -x keel | head -n 1)
wait_until 20 eval 'log_has "^start a " && log_has "^start b "'
orphan_alive() { kill -0 "$orphan" 2>/dev/null; }
check "the orphan of the first keel was stopped with it" wait_until 10 not orphan_alive
wait_until 20 test -s "$OUT/orphan.pid"

# keelctl poweroff: the services stop in reverse order, then PID 1 is asked
# (SIGUSR2, as busybox's poweroff does) and runs its shutdown steps.
ctl poweroff >/dev/null 2>&1
keel_wait_end 30
check "stopped in reverse order: b before a" log_before "stop b" "stop a"
check "the request went to PID 1" console_has "asking init \\(PID 1\\) to poweroff"
check "busybox init ran its shutdown steps" log_has "^host-shutdown "

# The host init ends: busybox sends SIGTERM to every process. keel stops
# its services and exits at once, asking nothing of PID 1.
: >"$LOG"
guest_boot || { finish; exit 1; }
wait_until 20 eval 'log_has "^start a " && log_has "^start b "'
kill -TERM "$KEEL_PID1"
keel_wait_end 30
check "on the host's SIGTERM the guest stops its services and exits" \
	console_has "services stopped: exiting"
check "and forwards nothing to PID 1" not console_has "asking init"
check "the services got their stop signal" eval 'log_has "^stop a " && log_has "^stop b "'

# Not PID 1 and no --guest: refused with a hint.
out=$("$KEEL" --service-dir "$SVC" 2>&1)
check "without --guest keel refuses to run as a plain process" eval 'echo "$out" | grep -q -- "--guest"'

finish
