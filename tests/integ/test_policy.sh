# test_policy: forking daemons (pidfile, a child left in the process group) and the respawn policy (jitter, on-crash, give-up, critical).
# SPDX-License-Identifier: MIT
. "$(dirname "$0")/lib.sh"

# ns_kill SIG PID / ns_alive PID: PID as keel's namespace numbers it.
ns_kill() { nsenter -t "$KEEL_PID1" -p -m kill -s "$1" "$2"; }
# The number recorded on the first (or Nth) log line starting with WORDS.
log_word() { grep -- "^$1 " "$LOG" | sed -n "${2:-1}p" | awk '{print $(NF-1)}'; }
pid_is() { [ "$(svc_field "$1" pid 2>/dev/null)" = "$2" ]; }
starts() { log_count "start $1"; }
# Console lines naming SERVICE and a reboot, in either order.
says_reboot_for() { grep -iE "($1.*reboot|reboot.*$1)" "$CONSOLE" | grep -qv '^keel: rebooting$'; }

policy_bin() {
	# forkd NAME PIDFILE: forks `sleep` into the background, writes its pid, exits 0.
	cat >"$BIN/forkd" <<EOF
#!/bin/sh
# forkd: the classic forking daemon, without setsid.
"$BIN/rec" start "\$1"
sleep 1000 </dev/null >/dev/null 2>&1 &
echo \$! >"\$2"
"$BIN/rec" forked "\$1" \$!
exit 0
EOF
	# dforkd NAME PIDFILE: a double fork with setsid, like daemon(3).
	cat >"$BIN/dforkd" <<EOF
#!/bin/sh
# dforkd: the daemon leaves the session and is reparented to PID 1.
"$BIN/rec" start "\$1"
( setsid sleep 1000 </dev/null >/dev/null 2>&1 & echo \$! >"\$2" )
"$BIN/rec" forked "\$1" "\$(cat "\$2")"
exit 0
EOF
	# crash_on NAME: runs until $OUT/go.NAME exists, then exits 1.
	cat >"$BIN/crash_on" <<EOF
#!/bin/sh
# crash_on: a service that crashes when the test says so.
"$BIN/rec" start "\$1"
while [ ! -e "$OUT/go.\$1" ]; do sleep 0.05; done
"$BIN/rec" crash "\$1"
exit 1
EOF
	chmod 755 "$BIN/forkd" "$BIN/dforkd" "$BIN/crash_on"
}

# ================= boot 1: forking daemons, jitter, hooks, give-up =================
sys_new policy
policy_bin

svc forker <<EOF
type respawn
pidfile $OUT/forker.pid
exec $BIN/forkd forker $OUT/forker.pid
EOF
svc after_forker <<EOF
after forker
exec $BIN/job after_forker
EOF
svc dforker <<EOF
pidfile $OUT/dforker.pid
exec $BIN/dforkd dforker $OUT/dforker.pid
EOF
# The pidfile is written by the daemon after its parent has exited (as
# many daemons do): keel waits for it instead of reading it at the exit.
cat >"$BIN/latepid" <<EOF
#!/bin/sh
# latepid: the forked child writes the pidfile once the test says so.
"$BIN/rec" start latepid
sh -c 'while [ ! -e "$OUT/go.latepid" ]; do sleep 0.05; done; echo \$\$ >"$OUT/latepid.pid"; exec sleep 1000' </dev/null >/dev/null 2>&1 &
"$BIN/rec" main-exit latepid \$\$ \$!
exit 0
EOF
chmod 755 "$BIN/latepid"
svc latepid <<EOF
pidfile $OUT/latepid.pid
exec $BIN/latepid
EOF
# A pidfile naming a process that has already been reaped.
svc deadpid <<EOF
pidfile $OUT/deadpid.pid
exec $BIN/deadpid
EOF
cat >"$BIN/deadpid" <<EOF
#!/bin/sh
# deadpid: writes the pid of a child it has already waited for.
"$BIN/rec" start deadpid
true &
p=\$!
wait \$p
echo \$p >"$OUT/deadpid.pid"
"$BIN/rec" dead deadpid \$p
exit 0
EOF
# Pidfiles naming processes outside the service: PID 1, another service's daemon.
svc foreign1 <<EOF
pidfile $OUT/foreign1.pid
exec /bin/sh -c "echo 1 >$OUT/foreign1.pid"
EOF
svc steady <<EOF
exec $BIN/daemon steady
EOF
cat >"$BIN/foreign2" <<EOF
#!/bin/sh
# foreign2: names steady's process, which the test hands over in $OUT/steady.pid.
while [ ! -s "$OUT/steady.pid" ]; do sleep 0.05; done
cp "$OUT/steady.pid" "$OUT/foreign2.pid"
exit 0
EOF
svc foreign2 <<EOF
pidfile $OUT/foreign2.pid
exec $BIN/foreign2
EOF
chmod 755 "$BIN/deadpid" "$BIN/foreign2"
# No pidfile: main exits 0 leaving a child in its process group.
cat >"$BIN/pgchild" <<EOF
#!/bin/sh
# pgchild: forks without setsid and exits.
"$BIN/rec" start pgchild
sleep 1000 </dev/null >/dev/null 2>&1 &
"$BIN/rec" child pgchild \$!
exit 0
EOF
chmod 755 "$BIN/pgchild"
svc pgchild <<EOF
type respawn
exec $BIN/pgchild
EOF

# Constant 300 ms delay (max-delay = delay), up to 200 ms jitter on top.
svc jitter <<EOF
type respawn
respawn limit 6 delay 300ms max-delay 300ms jitter 200ms
exec $BIN/job jitter 0 1
EOF

cat >"$BIN/hook" <<EOF
#!/bin/sh
# hook: records the crash as on-crash sees it.
"$BIN/rec" hook "\$KEEL_SERVICE|\$KEEL_EXIT|\$KEEL_EXIT_STATUS|\$KEEL_EXIT_SIGNAL|\$KEEL_RESTARTS|"
EOF
cat >"$BIN/hanghook" <<EOF
#!/bin/sh
# hanghook: an on-crash command that never ends.
"$BIN/rec" hang "\$KEEL_SERVICE" "\$KEEL_RESTARTS"
exec sleep 1000
EOF
cat >"$BIN/segv" <<EOF
#!/bin/sh
# segv: dies of SIGSEGV (no core file).
ulimit -c 0
"$BIN/rec" start segv
kill -SEGV \$\$
EOF
chmod 755 "$BIN/hook" "$BIN/hanghook" "$BIN/segv"
svc crashy <<EOF
type respawn
respawn limit 2 delay 100ms
on-crash $BIN/hook
exec $BIN/job crashy 0 3
EOF
svc segv <<EOF
type respawn
respawn limit 1 delay 100ms
on-crash $BIN/hook
exec $BIN/segv
EOF
svc hanghook <<EOF
type respawn
respawn limit 3 delay 100ms max-delay 100ms
on-crash $BIN/hanghook
exec $BIN/job hanghook 0 1
EOF

svc gu_fail <<EOF
type respawn
respawn limit 1 delay 100ms
give-up fail
exec $BIN/job gu_fail 0 1
EOF
svc gu_rd <<EOF
type respawn
respawn limit 1 delay 100ms
give-up restart-dependents
exec $BIN/crash_on gu_rd
EOF
svc dep_rd <<EOF
requires gu_rd
exec $BIN/daemon dep_rd
EOF
svc dep_after <<EOF
after gu_rd
exec $BIN/daemon dep_after
EOF
# critical, and it succeeds: nothing happens.
svc crit_ok <<EOF
type wait
critical
exec $BIN/job crit_ok
EOF

keel_start || { finish; exit 1; }

# ---- pidfile ----
check "pidfile: the daemon forked" wait_log "^forked forker " 20
fpid=$(log_word "forked forker")
check "pidfile: keel follows the daemon ($fpid)" wait_until 20 pid_is forker "$fpid"
check "pidfile: running" state_is forker running
check "pidfile: keelctl status shows its pid" eval 'ctl status forker | grep -qw "$fpid"'
check "pidfile: a dependent starts once it is followed" \
	eval 'wait_log "^start after_forker " 20 && log_before "forked forker" "start after_forker"'
ns_kill KILL "$fpid"
check "pidfile: killing the daemon respawns the service" wait_until 20 eval '[ "$(starts forker)" -ge 2 ]'
check "pidfile: ... and follows the new daemon" \
	eval 'wait_until 20 eval "[ \$(log_count \"forked forker\") -ge 2 ]" && p2=$(log_word "forked forker" 2) && wait_until 20 pid_is forker "$p2"'

check "pidfile: a daemon reparented to PID 1 after setsid is followed" \
	eval 'wait_log "^forked dforker " 20 && wait_until 20 pid_is dforker "$(log_word "forked dforker")"'
check "pidfile: ... running" state_is dforker running

wait_log "^main-exit latepid " 20
lm=$(grep '^main-exit latepid ' "$LOG" | awk '{print $3}')
lp=$(log_word "main-exit latepid")
# Gone from the namespace (not even a zombie): keel has reaped the main process.
wait_until 10 eval '! nsenter -t "$KEEL_PID1" -p -m kill -0 "$lm" 2>/dev/null'
# docs/liveness.md: the pidfile must be there when the main process exits.
check "pidfile missing when the main process exited: failed, saying so" \
	eval 'wait_state latepid failed 10 && svc_field latepid reason | grep -q "no pid in it when the main process exited"'
touch "$OUT/go.latepid"

check "pidfile naming a dead pid: failed" wait_state deadpid failed 10
dp=$(log_word "dead deadpid")
r=$(svc_field deadpid reason)
note "deadpid reason: $r"
check "pidfile naming a dead pid: [FAIL] on the console" console_has '\[FAIL\] deadpid: .'
check "pidfile naming a dead pid: the reason names it ($dp)" eval 'echo "$r" | grep -qw -- "$dp"'

check "pidfile naming PID 1: failed" wait_state foreign1 failed 10
r=$(svc_field foreign1 reason)
note "foreign1 reason: $r"
check "pidfile naming PID 1: [FAIL] with a reason" eval 'console_has "\[FAIL\] foreign1: ." && [ -n "$r" ]'
check "pidfile naming PID 1: keel does not watch itself" not pid_is foreign1 1

wait_state steady running 20
spid=$(svc_field steady pid)
echo "$spid" >"$OUT/steady.pid"
check "pidfile naming another service's process: failed" wait_state foreign2 failed 10
r=$(svc_field foreign2 reason)
note "foreign2 reason: $r"
check "pidfile naming another service's process: [FAIL] with a reason" \
	eval 'console_has "\[FAIL\] foreign2: ." && [ -n "$r" ]'
check "pidfile naming another service's process: that service is untouched" \
	eval 'state_is steady running && pid_is steady "$spid" && ! log_has "^stop steady "'

# ---- no pidfile, a child left in the process group ----
check "no pidfile: the child is followed" wait_log "^child pgchild " 20
cpid=$(log_word "child pgchild")
check "no pidfile: keel watches the child ($cpid)" wait_until 20 pid_is pgchild "$cpid"
check "no pidfile: the console says so" wait_for "pgchild: main process exited; following its child $cpid" 10
check "no pidfile: running" state_is pgchild running
ns_kill KILL "$cpid"
check "no pidfile: the child's death respawns it" wait_until 20 eval '[ "$(starts pgchild)" -ge 2 ]'

# ---- jitter ----
check "jitter: gives up after 6 restarts" wait_state jitter failed 30
gaps=$(grep -E '^(start|end) jitter ' "$LOG" | awk '
	$1 == "end" { e = $NF } $1 == "start" && e != "" { printf "%d ", ($NF - e) * 1000; e = "" }')
note "jitter: end -> next start (ms): $gaps"
# The start is recorded by the restarted job itself: a fork and two execs
# after keel's timer fired, hence the slack over delay + jitter.
check "jitter: 6 restarts measured" [ "$(echo $gaps | wc -w)" -eq 6 ]
check "jitter: every restart at or after the 300 ms delay" \
	eval 'for g in $gaps; do [ "$g" -ge 295 ] || exit 1; done'
check "jitter: every restart by delay + jitter (500 ms, 150 ms slack)" \
	eval 'for g in $gaps; do [ "$g" -le 650 ] || exit 1; done'
spread=$(echo $gaps | tr ' ' '\n' | sort -n | awk 'NR == 1 { lo = $1 } { hi = $1 } END { print hi - lo }')
check "jitter: the delays differ (spread ${spread} ms)" [ "${spread:-0}" -ge 15 ]

# ---- on-crash ----
check "on-crash: a hook per crash" wait_until 20 eval '[ "$(grep -c "^hook crashy|" "$LOG")" -ge 3 ]'
hooks=$(grep '^hook crashy|' "$LOG" | sed 's/^hook //; s/ [0-9.]*$//')
note "crashy hooks: $(echo $hooks)"
check "on-crash: KEEL_SERVICE, KEEL_EXIT, KEEL_EXIT_STATUS" \
	eval 'echo "$hooks" | while IFS="|" read -r s e st sig n _; do [ "$s|$e|$st" = "crashy|exit 3|3" ] || exit 1; done'
check "on-crash: KEEL_EXIT_SIGNAL empty or 0 for an exit" \
	eval 'echo "$hooks" | while IFS="|" read -r s e st sig n _; do [ -z "$sig" ] || [ "$sig" = 0 ] || exit 1; done'
restarts=$(echo "$hooks" | cut -d'|' -f5 | tr '\n' ' ')
check "on-crash: KEEL_RESTARTS counts up ($restarts)" \
	eval 'echo "$restarts" | awk "{ for (i = 2; i <= NF; i++) if (\$i != \$(i-1) + 1) exit 1; if (\$1 != 0 && \$1 != 1) exit 1 }"'
check "on-crash: a signal death" wait_log "^hook segv|" 20
h=$(grep '^hook segv|' "$LOG" | head -n 1 | sed 's/^hook //; s/ [0-9.]*$//')
note "segv hook: $h"
check "on-crash: KEEL_EXIT is 'signal SEGV'" eval 'echo "$h" | grep -q "^segv|signal SEGV|"'
check "on-crash: KEEL_EXIT_SIGNAL names SEGV" eval 'echo "$h" | cut -d"|" -f4 | grep -qxE "11|SEGV|SIGSEGV"'

check "hanging hook: restarts go on (gave up after 3)" wait_state hanghook failed 20
t=$(grep '^start hanghook ' "$LOG" | awk '{print $NF}')
check "hanging hook: 4 starts" [ "$(echo "$t" | wc -l)" -eq 4 ]
span=$(echo "$t" | awk 'NR == 1 { a = $1 } { b = $1 } END { printf "%d", (b - a) * 1000 }')
check "hanging hook: 3 restarts of 100 ms took ${span} ms, not waiting on the hook" [ "${span:-99999}" -lt 3000 ]
check "hanging hook: not started twice while it still runs" [ "$(log_count "hang hanghook")" -eq 1 ]

# ---- give-up ----
check "give-up fail: failed" wait_state gu_fail failed 20
check "give-up fail: [FAIL] on the console" console_has '\[FAIL\] gu_fail'

wait_log "^start dep_rd " 20
wait_log "^start dep_after " 20
touch "$OUT/go.gu_rd"
check "give-up restart-dependents: the service gave up" wait_state gu_rd failed 20
check "give-up restart-dependents: the requires-dependent was stopped" wait_log "^stop dep_rd " 20
# docs/liveness.md: the requires-dependents are restarted (procd users' request).
check "give-up restart-dependents: ... and started again" \
	eval 'wait_until 10 eval "[ \$(starts dep_rd) -eq 2 ]" && wait_state dep_rd running 10'
check "give-up restart-dependents: an after-dependent is left alone" \
	eval 'state_is dep_after running && ! log_has "^stop dep_after " && [ "$(starts dep_after)" -eq 1 ]'
rm -f "$OUT/go.gu_rd"
ctl start gu_rd >/dev/null
check "give-up restart-dependents: the service started by hand runs again" wait_state gu_rd running 20

check "critical: a success reboots nothing" wait_state crit_ok "done" 20
check "critical: keel still up at the end" keel_alive
check "poweroff ends the namespace" keel_stop

# ================= boots 2-4: give-up reboot, critical =================
# reboot_boot NAME LABEL SERVICE-LINES...: NAME crashes once the bystander
# runs; keel must shut down in order and reboot, naming NAME.
reboot_boot() {
	local name=$1 label=$2
	shift 2
	sys_new "$name"
	policy_bin
	svc bystander <<EOF
exec $BIN/daemon bystander
EOF
	printf '%s\n' "$@" "exec $BIN/crash_on $name" | svc "$name"
	keel_start || return
	wait_log "^start bystander " 20
	wait_log "^start $name " 20
	touch "$OUT/go.$name"
	if ! keel_wait_end 30; then
		note "$label: keel did not end"
		return
	fi
	check "$label: reboot(2) asked for a restart (status $KEEL_RC)" [ "$KEEL_RC" = 129 ]
	check "$label: the console says rebooting" console_has '^keel: rebooting$'
	check "$label: a console line names $name" says_reboot_for "$name"
	check "$label: services were stopped in order first" log_has "^stop bystander "
}
reboot_boot gu_reboot "give-up reboot" "type respawn" "respawn limit 1 delay 100ms" "give-up reboot"
reboot_boot crit "critical (wait, exit 1)" "type wait" "critical"
reboot_boot critr "critical (respawn limit)" "type respawn" "respawn limit 1 delay 100ms" "critical"

finish
