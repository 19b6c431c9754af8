# test_battery: the hostile battery's last cases — a child stuck before exec holds only its own fds, initd.env reloaded under it, /run full before and during boot, memory that runs out while 2000 services load and start.
# SPDX-License-Identifier: MIT
. "$(dirname "$0")/lib.sh"

# After each case: PID 1 answers within 100 ms, the unrelated service kept
# its pid, no zombie is left (lib.sh: answers_fast, no_zombie).
after_case() {
	check "$1: keelctl answers within 100 ms" answers_fast
	check "$1: the unrelated service kept its pid" [ "$(pid_of calm)" = "$2" ]
	check "$1: no zombie" wait_until 10 no_zombie
}

# fd_kinds DIR: one word per fd from 3 up in DIR, a /proc/PID/fd ("socket",
# "pipe", "file").
fd_kinds() {
	local f t
	for f in "$1"/*; do
		[ "${f##*/}" -ge 3 ] 2>/dev/null || continue
		t=$(readlink "$f") || continue
		case $t in socket:*) echo socket ;; pipe:*) echo pipe ;; *) echo file ;; esac
	done
}

# ---- 1. A child stuck before its exec: its fds; initd.env reloaded under it ----
sys_new stuck
fuse_hang_build
mkdir -p "$SYS/mnt"
echo "FOO=one" >"$SYS/initd.env"
svc calm <<EOF
exec $BIN/daemon calm
EOF
svc other <<EOF
exec $BIN/daemon other
EOF
# `type once` with one command and no user: a CLONE_VM start (but in the
# sanitizer build, which forks), stuck in the chdir until the mount answers.
byhand stuck <<EOF
type once
cwd $SYS/mnt/sub
exec /bin/sh -c "$BIN/rec env foo=\$FOO n=\$N40"
EOF
if keel_start; then
	wait_log "^start calm " 20
	wait_log "^start other " 20
	calm_pid=$(pid_of calm)
	(ns "$FH" "$SYS/mnt" >"$OUT/fuse.txt" 2>&1 &)
	if wait_until 10 grep -q ready "$OUT/fuse.txt"; then
		ctl start stuck >/dev/null 2>&1
		wait_until 10 eval '[ -n "$(pid_of stuck)" ] && [ "$(pid_of stuck)" != None ]'
		# its pid in keel's namespace: its fds through that namespace's /proc
		spfd=/proc/$KEEL_PID1/root/proc/$(pid_of stuck)/fd
		p1fd=/proc/$KEEL_PID1/fd
		sleep 0.2 # past the 50 ms PID 1 may wait for it
		note "stuck child: $(fd_kinds "$spfd" | sort | uniq -c | tr -s ' \n' ' '); PID 1: $(fd_kinds "$p1fd" | sort | uniq -c | tr -s ' \n' ' ')"
		check "PID 1 holds sockets and other services' pipes (what the child must not)" \
			eval '[ "$(fd_kinds $p1fd | grep -c socket)" -ge 1 ] && [ "$(fd_kinds $p1fd | wc -l)" -gt 8 ]'
		check "a child stuck before its exec holds none of PID 1's sockets" \
			eval '[ -d $spfd ] && [ "$(fd_kinds $spfd | grep -c socket)" -eq 0 ]'
		# its own: stdout and stderr pipes, /dev/null, the exec pipe (fork)
		check "a child stuck before its exec holds at most its own 4 fds beyond stdio" \
			eval '[ -d $spfd ] && [ "$(fd_kinds $spfd | wc -l)" -le 4 ]'
		# Three reloads, each adding 40 keys: the environment is rebuilt
		# and grows while the child still reads the one it was given.
		for k in 1 2 3; do
			{
				echo "FOO=two$k"
				for i in $(seq 1 40); do echo "N$i=v$k-$i"; done
			} >"$SYS/initd.env"
			ctl reload >/dev/null 2>&1
		done
		check "initd.env reloaded 3 times under a stuck child: keel alive" keel_answers
		# The mount answers now: the stuck child goes on to its exec.
		pkill -USR1 -f "^$FH " 2>/dev/null
		check "the child released after the reloads runs with the environment of its start" \
			wait_log "^env foo=one n= " 10
		check "the released start is done" wait_state stuck done 10
		ctl start stuck >/dev/null 2>&1
		check "the next start has the reloaded environment" wait_log "^env foo=two3 n=v3-40 " 10
		after_case "stuck child and reloads" "$calm_pid"
	else
		not_ok "fuse_hang mounts in keel's namespace" "$(cat "$OUT/fuse.txt")"
	fi
	check "poweroff after the stuck child" keel_stop
fi
[ -n "$FH" ] && pkill -f "^$FH " 2>/dev/null

# runwrap SIZE FILL: $KEEL becomes a wrapper that mounts a SIZE tmpfs on
# /run in keel's namespace (filled up when FILL is 1), then execs keel.
runwrap() {
	cat >"$BIN/runwrap" <<EOF
#!/bin/sh
# runwrap: /run as a tiny tmpfs, full if asked, then keel as PID 1.
mount -t tmpfs -o size=$1,nr_inodes=64 tmpfs /run || exit 99
if [ $2 = 1 ]; then
	head -c 1000000 /dev/zero >/run/fill 2>/dev/null
	i=0; while touch /run/f\$i 2>/dev/null; do i=\$((i + 1)); done
fi
exec "$REAL_KEEL" "\$@"
EOF
	chmod 755 "$BIN/runwrap"
	KEEL=$BIN/runwrap
}
REAL_KEEL=$KEEL

# ---- 2. /run full before boot ----
sys_new runfull
svc calm <<EOF
exec $BIN/daemon calm
EOF
runwrap 64k 1
if keel_start; then
	KEEL=$REAL_KEEL
	check "/run full before boot: keel boots, services start" wait_log "^start calm " 20
	check "/run full before boot: the log socket it could not make is named" \
		console_has "warning: log socket /run/keel-log.sock: No space left on device"
	check "/run full before boot: the notify socket's folder it could not make is named" \
		console_has "warning: notify socket /run/keel/notify: cannot make its folder: No space left on device"
	after_case "/run full before boot" "$(pid_of calm)"
	check "poweroff with /run full" keel_stop
fi
KEEL=$REAL_KEEL

# ---- 3. /run fills during boot ----
sys_new runfills
svc calm <<EOF
exec $BIN/daemon calm
EOF
cat >"$BIN/fill" <<EOF
#!/bin/sh
# fill: takes every block and inode of /run.
head -c 1000000 /dev/zero >/run/fill 2>/dev/null
i=0
while touch /run/f\$i 2>/dev/null; do i=\$((i + 1)); done
"$BIN/rec" filled
EOF
chmod 755 "$BIN/fill"
svc filler <<EOF
type wait
exec $BIN/fill
EOF
echo "alpha" >"$SYS/hooked.txt"
svc hooked <<EOF
after filler
hook $SYS/hooked.txt after alpha beta
exec $BIN/daemon hooked
EOF
svc late <<EOF
after filler
exec $BIN/daemon late
EOF
runwrap 256k 0
if keel_start; then
	KEEL=$REAL_KEEL
	wait_log "^start calm " 20
	calm_pid=$(pid_of calm)
	check "/run filled during boot: the filler ran out of room" wait_log "^filled " 20
	check "/run filled during boot: later services start" wait_log "^start late " 20
	check "/run filled during boot: a hook that cannot write its copy fails, saying why" \
		eval 'wait_state hooked failed 20 && timeout 10 "$KEEL_BUILD/logread" --socket /proc/$KEEL_PID1/root/run/keel-log.sock | grep -q "keel hook: .*No space left on device"'
	ctl reload >/dev/null 2>&1
	check "/run filled during boot: a reload answers" keel_answers
	after_case "/run filled during boot" "$calm_pid"
	check "poweroff with /run filled" keel_stop
fi
KEEL=$REAL_KEEL

# ---- 4. Memory runs out while 2000 services load and start ----
# A cgroup memory limit makes no allocation fail: at the limit the kernel
# reclaims, then its OOM killer ends the largest process of the group.
# keel, PID 1 of its namespace, sets its oom_score_adj to -1000 (that
# takes CAP_SYS_RESOURCE) so the killer picks services, never keel.
sys_new memcg
svc calm <<EOF
exec $BIN/daemon calm
EOF
if ! CG=$(cg_new memory); then
	skipped "memory cgroup limit while 2000 services start" "no memory cgroup controller"
elif ! sh -c 'echo -1000 >/proc/self/oom_score_adj' 2>/dev/null; then
	skipped "memory cgroup limit while 2000 services start" \
		"no CAP_SYS_RESOURCE here: keel cannot keep itself out of the OOM killer's choice"
	cg_gone "$CG"
else
	cat >"$SYS/hog.c" <<'EOF'
/* hog: takes MiB of memory for a second, so a memory limit is reached. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
int main(int argc, char **argv)
{
	size_t n = (size_t)atoi(argc > 1 ? argv[1] : "1") << 20;
	char *p = malloc(n);
	if (p)
		memset(p, 1, n);
	sleep(1);
	return 0;
}
EOF
	cc -O2 -o "$BIN/hog" "$SYS/hog.c" 2>"$OUT/cc.txt" || not_ok "hog builds" "$(head -n 3 "$OUT/cc.txt")"
	for i in $(seq 1 2000); do printf 'type once\nexec %s 4\n' "$BIN/hog" >"$SVC/hog$i"; done
	echo $((96 * 1024 * 1024)) >"$CG/memory.limit_in_bytes" 2>/dev/null || echo $((96 * 1024 * 1024)) >"$CG/memory.max"
	cat >"$BIN/incg" <<EOF
#!/bin/sh
# incg: keel as PID 1 inside the memory-limited group.
echo 0 >"$CG/cgroup.procs" || exit 99
exec "$REAL_KEEL" "\$@"
EOF
	chmod 755 "$BIN/incg"
	KEEL=$BIN/incg
	if keel_start; then
		KEEL=$REAL_KEEL
		check "memory limit while 2000 services start: keel keeps out of the OOM killer's choice" \
			[ "$(cat "/proc/$KEEL_PID1/oom_score_adj")" = -1000 ]
		wait_log "^start calm " 20
		calm_pid=$(pid_of calm)
		# calm is the unrelated service: out of the group, out of the killer's way.
		echo "$calm_pid" >"$(dirname "$CG")/cgroup.procs"
		check "memory limit: services have the oom_score_adj keel started with" \
			[ "$(cat "/proc/$calm_pid/oom_score_adj")" = "$(cat /proc/self/oom_score_adj)" ]
		check "memory limit: every hog settles (done, or failed by the killer's signal)" \
			wait_until 90 eval '[ "$(ctl status | grep -cE "hog[0-9]+ +(done|failed)")" -eq 2000 ]'
		note "killed by the memory limit: $(ctl status | grep -cE 'hog[0-9]+ +failed')"
		check "memory limit: keel alive" keel_alive
		after_case "memory cgroup limit" "$calm_pid"
		check "poweroff after the memory limit" keel_stop
	fi
	KEEL=$REAL_KEEL
	sleep 0.5
	cg_gone "$CG"
fi
# Without CAP_SYS_RESOURCE keel says it cannot guard itself (section 2's boot).
if ! sh -c 'echo -1000 >/proc/self/oom_score_adj' 2>/dev/null; then
	check "PID 1 of a namespace without CAP_SYS_RESOURCE says the OOM killer may pick it" \
		grep -q "oom_score_adj -1000: Permission denied: under a memory limit" "$T/runfull/console.log"
fi

# Allocation that does fail: a data limit (RLIMIT_DATA) that lets keel
# load some of 2000 services but not all. Where it lies depends on the
# build: found by bisecting on the data size keel has with all loaded.
sys_new datalimit
svc calm <<EOF
exec $BIN/daemon calm
EOF
for i in $(seq 1 2000); do printf 'target ctrlaltdel\nexec /bin/true\n' >"$SVC/s$i"; done
case $KEEL_BUILD in
*asan*) skipped "a data limit while 2000 services load" "sanitizer build (its shadow memory is data)" ;;
*)
	keel_start && full=$(awk '/^VmData/ {print $2}' "/proc/$KEEL_PID1/status") && keel_stop
	cat >"$BIN/datawrap" <<EOF
#!/bin/sh
# datawrap: keel as PID 1 with a data limit of \$DATA_KIB KiB.
exec prlimit --data=\$((DATA_KIB * 1024)) -- "$REAL_KEEL" "\$@"
EOF
	chmod 755 "$BIN/datawrap"
	# probe KIB: keel under that limit, 3 s to answer (keel_start waits 20 s and
	# counts a failure; here a limit too small for keel itself is a plain answer).
	probe() {
		rm -f "$SOCK"
		: >"$CONSOLE"
		env -i DATA_KIB="$1" "$UNSHARE" --pid --fork --mount --mount-proc "$BIN/datawrap" \
			--service-dir "$SVC" --share-dir "$SHARE" --socket "$SOCK" --cmdline "" \
			>"$CONSOLE" 2>&1 </dev/null &
		KEEL_NS=$!
		KEEL_PID1=
		wait_until 3 find_pid1 && wait_until 3 keel_answers
	}
	lo=$((full * 6 / 10)) hi=$full found=
	for try in 1 2 3 4 5 6 7 8; do
		mid=$(((lo + hi) / 2))
		if probe "$mid" && console_has "out of memory.*left out"; then
			found=$mid
			break
		fi
		if keel_answers && wait_state calm running 2; then hi=$mid; else lo=$mid; fi
		keel_kill
	done
	KEEL=$REAL_KEEL
	note "data size with 2000 services loaded: $full KiB; some left out at ${found:-?} KiB"
	if [ -z "$found" ]; then
		not_ok "a data limit where keel loads some of 2000 services but not all" "bisected between $lo and $hi KiB"
		keel_kill
	else
		check "a data limit: what was left out is counted and the first named" \
			console_has "error: out of memory: target ctrlaltdel: [0-9]+ of 20[0-9]+ services left out of the dependency graph, not started \(the first: s[0-9]+\)"
		check "a data limit: the services left out show as skipped" \
			eval '[ "$(ctl status | grep -c " skipped ")" -ge 1 ]'
		ctl start s1 >/dev/null 2>&1
		check "a data limit: a service kept starts" wait_state s1 done 10
		wait_state calm running 10
		after_case "data limit" "$(pid_of calm)"
		check "poweroff under the data limit" keel_stop
		# Tighter: loading itself runs short, and so does building an
		# answer. keelctl still gets one (if only "out of memory", never
		# a reset or a silent close), and power-off still works.
		probe $((found * 7 / 10)) || true
		out=$(ctl status calm 2>&1)
		rc=$?
		check "a tighter data limit: keelctl status is answered ($rc: $(echo "$out" | head -n 1))" \
			eval '[ $rc = 0 ] || { [ $rc = 1 ] && echo "$out" | grep -q "out of memory"; }'
		check "a tighter data limit: poweroff ends it" keel_stop
	fi
	;;
esac

finish
