# test_cond: start conditions (path, cmdline, service, flag), keelctl cond, condition-timeout, condition-lost, bad lines, and flips during reload and shutdown.
# SPDX-License-Identifier: MIT
. "$(dirname "$0")/lib.sh"

sys_new cond

# The command line keel sees instead of the host's (lib.sh passes it as --cmdline).
KEEL_CMDLINE="console=ttyS0 app.mode=fast skipme"

# ---- path ----
# Three missing directories above the path at boot.
svc late <<EOF
condition path $OUT/a/b/c/ready
exec $BIN/daemon late
EOF
# A marker file present at boot disables the service.
touch "$OUT/disable.marked"
svc marked <<EOF
condition !path $OUT/disable.marked
exec $BIN/daemon marked
EOF
# Markers created later: restart stops the service, keep (the default) does not.
svc lost_r <<EOF
condition !path $OUT/marker.r
condition-lost restart
exec $BIN/daemon lost_r
EOF
svc lost_k <<EOF
condition !path $OUT/marker.k
exec $BIN/daemon lost_k
EOF

# ---- cmdline ----
svc cm_word <<EOF
condition cmdline skipme
exec $BIN/daemon cm_word
EOF
svc cm_not <<EOF
condition !cmdline skipme
exec $BIN/daemon cm_not
EOF
svc cm_kv <<EOF
condition cmdline app.mode=fast
exec $BIN/daemon cm_kv
EOF
svc cm_kv_other <<EOF
condition cmdline app.mode=slow
exec $BIN/daemon cm_kv_other
EOF
svc cm_key <<EOF
condition cmdline app.mode
exec $BIN/daemon cm_key
EOF
svc cm_prefix <<EOF
condition cmdline skip
exec $BIN/daemon cm_prefix
EOF
svc cm_absent <<EOF
condition !cmdline keel.skip.app
exec $BIN/daemon cm_absent
EOF

# ---- service ----
# src_r and src_f hold on until the test creates $OUT/go.NAME, so the test
# sees their in-between states for as long as it needs.
cat >"$BIN/slow_ready" <<EOF
#!/bin/sh
# slow_ready NAME: ready (newline on fd 3) once $OUT/go.NAME exists
"$BIN/rec" start "\$1"
while [ ! -e "$OUT/go.\$1" ]; do sleep 0.05; done
echo >&3
exec sleep 600
EOF
cat >"$BIN/slow_done" <<EOF
#!/bin/sh
# slow_done NAME: exits 0 once $OUT/go.NAME exists
"$BIN/rec" start "\$1"
while [ ! -e "$OUT/go.\$1" ]; do sleep 0.05; done
"$BIN/rec" end "\$1"
EOF
chmod 755 "$BIN/slow_ready" "$BIN/slow_done"
svc src_r <<EOF
ready fd 3 timeout 0
exec $BIN/slow_ready src_r
EOF
svc w_run <<EOF
condition service src_r running
exec $BIN/daemon w_run
EOF
svc w_rdy <<EOF
condition service src_r ready
exec $BIN/daemon w_rdy
EOF
svc src_f <<EOF
exec $BIN/slow_done src_f
EOF
svc w_fin <<EOF
condition service src_f finished
exec $BIN/daemon w_fin
EOF
svc src_x <<EOF
exec $BIN/job src_x 0 1
EOF
svc w_fail <<EOF
condition service src_x failed
exec $BIN/daemon w_fail
EOF
svc src_p <<EOF
provides pnet
exec $BIN/daemon src_p
EOF
svc w_prov <<EOF
condition service pnet running
exec $BIN/daemon w_prov
EOF

# ---- flag ----
svc fl <<EOF
condition flag upgrade-ok
exec $BIN/daemon fl
EOF
svc fl_r <<EOF
condition flag go-r
condition-lost restart
exec $BIN/daemon fl_r
EOF
svc fl_two <<EOF
condition flag two.a
condition flag two_b
exec $BIN/daemon fl_two
EOF

# ---- condition-timeout ----
svc ct <<EOF
condition flag never-set
condition-timeout 1s
exec $BIN/daemon ct
EOF
svc ct_dep <<EOF
requires ct
exec $BIN/job ct_dep
EOF
svc ct_after <<EOF
after ct
exec $BIN/job ct_after
EOF

# ---- reload: conditions edited in place ----
svc rl_on <<EOF
condition flag rl-never
exec $BIN/daemon rl_on
EOF
svc rl_off <<EOF
exec $BIN/daemon rl_off
EOF

# ---- flips at shutdown ----
svc flipper <<EOF
condition flag flip
condition-lost restart
stop TERM 1s
exec $BIN/daemon flipper
EOF

# ---- bad lines: each file skipped with file:line, the rest boots ----
svc bad_rel <<EOF
description relative path
condition path relative/x
exec $BIN/daemon bad_rel
EOF
svc bad_if <<EOF
exec $BIN/daemon bad_if
condition iface abcdefghijklmnop up
condition iface eth0:1
EOF
svc bad_kind <<EOF
condition frobnicate x
exec $BIN/daemon bad_kind
EOF
svc bad_state <<EOF
condition iface eth0 sideways
exec $BIN/daemon bad_state
EOF
svc bad_lost <<EOF
condition flag x
condition-lost sometimes
exec $BIN/daemon bad_lost
EOF
svc cyc_a <<EOF
condition service cyc_b running
exec $BIN/daemon cyc_a
EOF
svc cyc_b <<EOF
description cycle b
condition service cyc_a running
exec $BIN/daemon cyc_b
EOF

svc good <<EOF
exec $BIN/daemon good
EOF

# JSON of `keelctl --json cond` as `d`, `c` the conditions by their text.
cond_json() {
	ctl --json cond | python3 -c '
import json, sys
d = json.load(sys.stdin)
c = {x["condition"]: x for x in d["conditions"]}
print(eval(sys.argv[1]))' "$1"
}
cond_val() { cond_json "c['$1']['value']" 2>/dev/null; }
# bad_line FILE LINE [WORD]: an error at FILE:LINE (naming WORD) that is not
# "unknown keyword": the keyword is known, its arguments were refused.
bad_line() {
	console_has "^keel: error: $SVC/$1:$2: .*${3:-}" && ! console_has "^keel: error: $SVC/$1:$2: unknown keyword"
}
reason_has() { json_get "svc('$1')['reason']" 2>/dev/null | grep -qF -- "$2"; }
status_rc() { ctl status "$1" >/dev/null 2>&1; echo $?; }
started() { log_has "^start $1 "; }
not_started() { ! log_has "^start $1 "; }
starts() { log_count "start $1"; }

keel_start || { finish; exit 1; }
# No "target boot reached" here: services waiting for conditions keep the
# target from settling.
check "the rest boots despite the bad files: a plain service runs" wait_log "^start good " 20

# ---- bad input ----
check "relative path: error with file:line" bad_line bad_rel 2 relative/x
check "interface name too long: error with file:line" bad_line bad_if 2 abcdefghijklmnop
check "interface name with ':': error with file:line" bad_line bad_if 3 eth0:1
check "unknown kind: error with file:line" bad_line bad_kind 1 frobnicate
check "unknown iface state: error with file:line" bad_line bad_state 1 sideways
check "unknown condition-lost word: error with file:line" bad_line bad_lost 2 sometimes
check "cycle through condition service: one error naming the cycle" \
	console_has "^keel: error: $SVC/cyc_[ab]:[0-9]+: .*cycle.*cyc_[ab].*cyc_[ab]"
check "cycle: both services skipped" eval 'wait_state cyc_a skipped 10 && wait_state cyc_b skipped 10'
for n in bad_rel bad_if bad_kind bad_state bad_lost cyc_a cyc_b; do
	check "$n: not started" not_started "$n"
done
ctl status >"$OUT/status.txt"
check "status lists the condition errors" \
	eval 'grep -q "^keel: error: $SVC/bad_rel:2:" "$OUT/status.txt" && grep -q "^keel: error: $SVC/bad_kind:1:" "$OUT/status.txt"'

# ---- cmdline ----
check "cmdline WORD on the line: runs" wait_log "^start cm_word " 20
check "cmdline KEY=VALUE matching exactly: runs" wait_log "^start cm_kv " 20
check "cmdline KEY matches KEY=anything: runs" wait_log "^start cm_key " 20
check "!cmdline of an absent word: runs" wait_log "^start cm_absent " 20
check "!cmdline of a present word: waits" wait_state cm_not waiting 10
check "cmdline KEY=other VALUE: waits" wait_state cm_kv_other waiting 10
check "cmdline of a prefix of a word: waits" wait_state cm_prefix waiting 10

# ---- path ----
check "!path with the marker present: waits" wait_state marked waiting 10
check "path with missing parents: waits" wait_state late waiting 10
check "status NAME of a waiting service exits 3" [ "$(status_rc late)" = 3 ]
check "status NAME says what it waits for" \
	eval 'ctl status late | grep -qF "waiting for: path $OUT/a/b/c/ready"'
check "status --json reason says what it waits for" reason_has late "waiting for: path $OUT/a/b/c/ready"
mkdir "$OUT/a"
mkdir "$OUT/a/b"
check "path: still waiting with part of the parents made" eval 'state_is late waiting && not_started late'
mkdir "$OUT/a/b/c"
touch "$OUT/a/b/c/ready"
check "path: starts once the path is created under new directories" wait_log "^start late " 20
check "path: running" wait_state late running 10
rm "$OUT/disable.marked"
check "!path: removing the marker starts the service" wait_log "^start marked " 20

check "!path with no marker: runs" eval 'wait_log "^start lost_r " 20 && wait_log "^start lost_k " 20'
wait_state lost_r running 10
wait_state lost_k running 10
pid_k=$(svc_field lost_k pid)
touch "$OUT/marker.r" "$OUT/marker.k"
check "condition-lost restart: the marker stops the service" wait_log "^stop lost_r " 20
check "condition-lost restart: back to waiting" wait_state lost_r waiting 20
check "condition-lost restart: status says what it waits for" \
	eval 'ctl status lost_r | grep -qF "waiting for: !path $OUT/marker.r"'
check "condition-lost keep: still running, same pid" \
	eval 'state_is lost_k running && [ "$(svc_field lost_k pid)" = "$pid_k" ] && ! log_has "^stop lost_k "'
rm "$OUT/marker.r"
check "condition-lost restart: removing the marker starts it again" \
	wait_until 20 eval '[ "$(starts lost_r)" -eq 2 ]'
check "condition-lost restart: running again" wait_state lost_r running 10

# ---- service ----
check "service running: starts while its source is starting" wait_log "^start w_run " 20
check "service ready: waits while the source is not ready" \
	eval 'state_is src_r starting && wait_state w_rdy waiting 10'
touch "$OUT/go.src_r"
check "service ready: starts once the source is ready" wait_log "^start w_rdy " 20
check "service finished: waits while the source runs" \
	eval 'wait_log "^start src_f " 20 && state_is w_fin waiting'
touch "$OUT/go.src_f"
check "service finished: starts once the source exited 0" wait_log "^start w_fin " 20
check "service failed: starts once the source failed" wait_log "^start w_fail " 20
check "service NAME by a provides name" wait_log "^start w_prov " 20

# ---- flag ----
check "flag: waits while unset" wait_state fl waiting 10
ctl cond >"$OUT/cond.txt"
rc=$?
check "keelctl cond exits 0 ($rc)" [ "$rc" -eq 0 ]
check "keelctl cond: the header" \
	eval '[ "$(head -n 1 "$OUT/cond.txt" | tr -s " ")" = "CONDITION VALUE SERVICES" ]'
check "keelctl cond: an unset flag is false, with its service" grep -qE "^flag upgrade-ok +false +fl$" "$OUT/cond.txt"
check "keelctl cond: a negated path is false while the file exists" grep -qE "^!path $OUT/marker\.k +false +lost_k$" "$OUT/cond.txt"
check "keelctl cond: a cmdline condition" grep -qE "^cmdline skipme +true +cm_word$" "$OUT/cond.txt"
check "keelctl cond: one line per distinct condition" \
	eval '[ "$(grep -c "^flag upgrade-ok " "$OUT/cond.txt")" -eq 1 ]'
check "keelctl --json cond: parses, the flag's record" \
	eval '[ "$(cond_json "(c[\"flag upgrade-ok\"][\"value\"], c[\"flag upgrade-ok\"][\"services\"], c[\"flag upgrade-ok\"][\"note\"])")" = "(False, ['"'fl'"'], '"''"')" ]'
check "keelctl --json cond: a path condition that holds" [ "$(cond_val "path $OUT/a/b/c/ready")" = True ]
check "keelctl --json cond: a service condition" [ "$(cond_val "service src_x failed")" = True ]
check "status --json reason of a flag wait" reason_has fl "waiting for: flag upgrade-ok"

out=$(ctl cond set upgrade-ok 2>&1)
rc=$?
check "cond set: exits 0 ($rc)" [ "$rc" -eq 0 ]
check "cond set: says the flag is set ($out)" eval 'echo "$out" | grep -q "flag upgrade-ok set"'
check "flag: set starts the service" wait_log "^start fl " 20
check "flag: keelctl cond shows it true" wait_until 10 eval '[ "$(cond_val "flag upgrade-ok")" = True ]'
ctl cond set two.a >/dev/null
check "two flags: one of two is not enough" \
	eval 'wait_until 10 eval "[ \"\$(cond_val \"flag two.a\")\" = True ]" && state_is fl_two waiting'
check "two flags: status names only the missing one" \
	eval 'reason_has fl_two "waiting for: flag two_b" && ! reason_has fl_two "two.a"'
ctl cond set two_b >/dev/null
check "two flags: both set starts it" wait_log "^start fl_two " 20
ctl cond set go-r >/dev/null
check "flag with restart: starts when set" wait_log "^start fl_r " 20
wait_state fl_r running 10
out=$(ctl cond clear go-r 2>&1)
check "cond clear: says the flag is cleared ($out)" eval 'echo "$out" | grep -q "flag go-r cleared"'
check "flag with restart: clearing stops it" wait_log "^stop fl_r " 20
check "flag with restart: waiting again" wait_state fl_r waiting 20
ctl cond clear upgrade-ok >/dev/null
check "flag with keep: clearing leaves it running" \
	eval 'wait_until 10 eval "[ \"\$(cond_val \"flag upgrade-ok\")\" = False ]" && state_is fl running && ! log_has "^stop fl "'
check "cond set: a bad flag name is refused" eval '! ctl cond set "bad name" >/dev/null 2>&1'
check "cond set: a flag name of 65 characters is refused" \
	eval '! ctl cond set "$(printf "%065d" 0)" >/dev/null 2>&1'
check "cond set: a flag name of 64 characters is accepted" \
	eval 'ctl cond set "$(printf "%064d" 0)" >/dev/null 2>&1'
check "cond set: a name with / is refused" eval '! ctl cond set "a/b" >/dev/null 2>&1'

# ---- condition-timeout ----
check "condition-timeout: failed" wait_state ct failed 20
check "condition-timeout: the reason names the condition" \
	eval 'json_get "svc(\"ct\")[\"reason\"]" | grep -qE "conditions not met within [0-9.]+ ?m?s: flag never-set"'
check "condition-timeout: [FAIL] on the console" console_has "\[FAIL\] ct: conditions not met within"
check "condition-timeout: never started" not_started ct
check "condition-timeout: requires dependent skipped" eval 'wait_state ct_dep skipped 20 && not_started ct_dep'
check "condition-timeout: after dependent still runs" wait_log "^end ct_after " 20

# ---- reload after editing conditions ----
touch "$OUT/rl.exists"
wait_state rl_off running 10
cat >"$SHARE/rl_on" <<EOF
condition path $OUT/rl.exists
exec $BIN/daemon rl_on
EOF
cat >"$SHARE/rl_off" <<EOF
condition flag rl-off-never
exec $BIN/daemon rl_off
EOF
check "reload: exits 0" eval 'ctl reload >/dev/null'
check "reload: a condition that now holds starts the service" wait_log "^start rl_on " 20
check "reload: a running service given a false condition is stopped" wait_log "^stop rl_off " 20
check "reload: ... and waits for it" \
	eval 'wait_state rl_off waiting 20 && reason_has rl_off "waiting for: flag rl-off-never"'
check "reload: the dropped condition has no service left" \
	eval '[ "$(cond_json "c.get(\"flag rl-never\", {\"services\": []})[\"services\"]")" = "[]" ]'
check "reload: untouched services keep running" \
	eval 'state_is good running && [ "$(starts good)" -eq 1 ] && state_is late running && [ "$(starts late)" -eq 1 ]'
ctl cond set rl-off-never >/dev/null
check "reload: the new condition is watched" wait_until 20 eval '[ "$(starts rl_off)" -eq 2 ]'

# ---- flips while reloading and while shutting down ----
ctl cond set flip >/dev/null
wait_log "^start flipper " 20
# The flipper ends by itself once keel is unreachable (keelctl's 111), and
# at the latest with the script.
flip_pid=
trap 'cleanup; [ -z "$flip_pid" ] || kill "$flip_pid" 2>/dev/null' EXIT
(
	while :; do
		touch "$OUT/marker.r"
		timeout 5 "$KEELCTL" --socket "$SOCK" cond clear flip >/dev/null 2>&1
		rm -f "$OUT/marker.r"
		timeout 5 "$KEELCTL" --socket "$SOCK" cond set flip >/dev/null 2>&1
		[ $? -ne 111 ] || exit 0
		sleep 0.02
	done
) &
flip_pid=$!
for i in 1 2 3; do
	ctl reload >/dev/null 2>&1
done
check "reloads while conditions flip: keel answers" keel_answers
check "flips: the flipping service was restarted" wait_until 20 eval '[ "$(starts flipper)" -ge 2 ]'
check "poweroff while services wait and conditions flip: the namespace ends" keel_stop
kill "$flip_pid" 2>/dev/null
wait "$flip_pid" 2>/dev/null

# keel check agrees about the bad lines (no boot needed).
"$KEEL" check "$SVC" >"$OUT/check.txt" 2>&1
rc=$?
check "keel check: exit 1 on the bad condition lines ($rc)" [ "$rc" -eq 1 ]
check "keel check: the same file:line errors" \
	eval 'grep -q "error: $SVC/bad_rel:2:" "$OUT/check.txt" && grep -q "error: $SVC/bad_if:3:" "$OUT/check.txt"'
check "keel check: the condition cycle" grep -qE "error: $SVC/cyc_[ab]:[0-9]+: .*cycle" "$OUT/check.txt"
finish
