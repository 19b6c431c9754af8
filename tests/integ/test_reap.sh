# test_reap: orphans re-parented to keel are reaped: no zombie is left once they exited.
# SPDX-License-Identifier: MIT
. "$(dirname "$0")/lib.sh"

sys_new reap

# orphans N: double-forks N children that outlive their parent (which exits
# at once) and exit a moment later, when keel is their parent. They wait for
# $OUT/go so they are orphans for sure before they exit.
cat >"$BIN/orphans" <<EOF
#!/bin/sh
# orphans: leaves children behind that exit after their parent is gone
i=0
while [ \$i -lt \$1 ]; do
	( sh -c 'while [ ! -e "$OUT/go" ]; do sleep 0.05; done; "$BIN/rec" orphan-exit \$0' \$i & )
	i=\$((i + 1))
done
"$BIN/rec" parent-exit orphans
EOF
# zcheck: inside the namespace, counts processes in state Z (from
# /proc/PID/stat) once every orphan exited; writes the count when it reached
# zero, or the last count at its deadline.
cat >"$BIN/zcheck" <<EOF
#!/bin/sh
# zcheck: counts zombies in this PID namespace after the orphans exited
while [ "\$(grep -c '^orphan-exit ' "$LOG")" -lt 20 ]; do sleep 0.05; done
n=0
while [ \$n -lt 400 ]; do
	z=\$(cat /proc/[0-9]*/stat 2>/dev/null | sed 's/.*) //' | grep -c '^Z')
	[ "\$z" -eq 0 ] && break
	sleep 0.05
	n=\$((n + 1))
done
echo "\$z" >"$OUT/zombies"
EOF
chmod 755 "$BIN/orphans" "$BIN/zcheck"

svc orphans <<EOF
type wait
exec $BIN/orphans 20
EOF
svc zcheck <<EOF
exec $BIN/zcheck
EOF

keel_start || { finish; exit 1; }
check "the parent exited, leaving its children" wait_log "^parent-exit orphans " 20
check "the orphans now belong to keel (PID 1)" wait_until 20 eval \
	'[ "$(ps -o pid= --ppid "$KEEL_PID1" | wc -l)" -ge 20 ]'
touch "$OUT/go"
check "all 20 orphans exited" wait_until 20 eval '[ "$(log_count orphan-exit)" -eq 20 ]'

# Seen from the host: keel's children in state Z. Polling: a zombie may
# exist for the moment between its exit and keel's SIGCHLD handling.
zombies() { ps -o stat= --ppid "$KEEL_PID1" | grep -c '^Z'; }
check "no zombie child of keel is left (host view)" wait_until 20 eval '[ "$(zombies)" -eq 0 ]'
check "no zombie in the namespace (seen from a service)" \
	eval 'wait_until 30 test -s "$OUT/zombies" && [ "$(cat "$OUT/zombies")" = 0 ]'
check "the wait service itself is done" state_is orphans done

check "poweroff ends the namespace" keel_stop
finish
