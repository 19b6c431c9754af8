# test_trigger: path triggers (start, reload, restart; globs, removed, late directories, bursts), keelctl reload NAME, and timers.
# SPDX-License-Identifier: MIT
. "$(dirname "$0")/lib.sh"

sys_new trigger

# ---- trigger start: the wz_mini upgrade intercept ----
# The SD card's Upgrade directory does not exist at boot (nor its parent).
cat >"$BIN/intercept" <<EOF
#!/bin/sh
# intercept: renames the upgrade script before the stock firmware runs it
"$BIN/rec" trig upg "\$KEEL_TRIGGER_PATH" "\$KEEL_TRIGGER_EVENT"
[ -e "$OUT/sd/Upgrade/upgraderun.sh" ] && mv "$OUT/sd/Upgrade/upgraderun.sh" "$OUT/sd/Upgrade/upgraderun.old"
exit 0
EOF
# trig NAME: records the trigger it was started for.
cat >"$BIN/trig" <<EOF
#!/bin/sh
# trig NAME: records KEEL_TRIGGER_PATH and KEEL_TRIGGER_EVENT
"$BIN/rec" trig "\$1" "\$KEEL_TRIGGER_PATH" "\$KEEL_TRIGGER_EVENT"
EOF
# burst: never two runs at once (mkdir is atomic), the path of each run.
cat >"$BIN/burst" <<EOF
#!/bin/sh
# burst: one trigger run; a second one running at the same time is an overlap
mkdir "$OUT/burst.lock" 2>/dev/null || "$BIN/rec" overlap burst
"$BIN/rec" brun "\$KEEL_TRIGGER_PATH" "\$KEEL_TRIGGER_EVENT"
sleep 0.2
rmdir "$OUT/burst.lock"
"$BIN/rec" bend "\$KEEL_TRIGGER_PATH"
EOF
# sigd NAME: a daemon that records the signals a reload sends.
cat >"$BIN/sigd" <<EOF
#!/bin/sh
# sigd NAME: records USR1 and HUP, stops on TERM
trap '"$BIN/rec" usr1 "\$1"' USR1
trap '"$BIN/rec" hup "\$1"' HUP
trap '"$BIN/rec" stop "\$1"; exit 0' TERM
"$BIN/rec" start "\$1"
while :; do sleep 5 & wait \$!; done
EOF
# tjob NAME SECONDS: a timer run, with an overlap check.
cat >"$BIN/tjob" <<EOF
#!/bin/sh
# tjob NAME SECONDS: records start and end; a run beside another is an overlap
mkdir "$OUT/\$1.lock" 2>/dev/null || "$BIN/rec" overlap "\$1"
"$BIN/rec" start "\$1"
[ "\$2" = 0 ] || sleep "\$2"
rmdir "$OUT/\$1.lock"
"$BIN/rec" end "\$1"
EOF
chmod 755 "$BIN/intercept" "$BIN/trig" "$BIN/burst" "$BIN/sigd" "$BIN/tjob"

svc upg <<EOF
trigger start $OUT/sd/Upgrade/upgraderun.sh
exec $BIN/intercept
EOF
mkdir -p "$OUT/spool" "$OUT/drop" "$OUT/watch.d" "$OUT/conf" "$OUT/etc/config" "$OUT/burst"
svc gl <<EOF
trigger start $OUT/spool/*.job
exec $BIN/trig gl
EOF
svc dirent <<EOF
trigger start $OUT/drop/
exec $BIN/trig dirent
EOF
svc rmw <<EOF
trigger start $OUT/watch.d/flag removed
exec $BIN/trig rmw
EOF
svc burst <<EOF
trigger start $OUT/burst/
exec $BIN/burst
EOF
# Event-started services still obey their conditions.
svc tcond <<EOF
trigger start $OUT/spool/gated
condition flag gate
exec $BIN/trig tcond
EOF

# ---- trigger reload / restart, keelctl reload NAME ----
svc rsig <<EOF
reload signal USR1
trigger reload $OUT/conf/rsig.conf
exec $BIN/sigd rsig
EOF
svc rexec <<EOF
env RTAG=tagged
reload exec /bin/sh -c "$BIN/rec reloaded rexec \$RTAG"
trigger reload $OUT/conf/rexec.conf
exec $BIN/sigd rexec
EOF
svc rhup <<EOF
exec $BIN/sigd rhup
EOF
svc rst <<EOF
trigger restart $OUT/etc/config/network
exec $BIN/daemon rst
EOF

# ---- bad trigger and timer lines ----
svc bad_rel <<EOF
trigger start relative/path
exec $BIN/job bad_rel
EOF
svc bad_glob <<EOF
exec $BIN/job bad_glob
trigger start $OUT/*/x
EOF
svc bad_act <<EOF
trigger frobnicate $OUT/x
exec $BIN/job bad_act
EOF
svc bad_ev <<EOF
trigger start $OUT/x created sometimes
exec $BIN/job bad_ev
EOF
svc bad_at <<EOF
timer at 25:00
exec $BIN/job bad_at
EOF
svc bad_every <<EOF
timer every soon
exec $BIN/job bad_every
EOF

# ---- timers ----
svc tick <<EOF
timer every 1s
exec $BIN/tjob tick 0
EOF
# Each run takes longer than the interval.
svc slow <<EOF
timer every 300ms
exec $BIN/tjob slow 1
EOF
svc jit <<EOF
timer every 1s jitter 500ms
exec $BIN/tjob jit 0
EOF
svc tgate <<EOF
timer every 300ms
condition flag tgate
exec $BIN/tjob tgate 0
EOF
# The next minute (keel's clock is UTC: no TZ in its environment).
at_epoch=$(( ($(date +%s) / 60 + 1) * 60 ))
at_hhmm=$(date -u -d "@$at_epoch" +%H:%M)
svc at <<EOF
timer at 03:00 $at_hhmm
exec $BIN/tjob at 0
EOF

# bad_line FILE LINE [WORD]: an error at FILE:LINE (naming WORD) that is not
# "unknown keyword": the keyword is known, its arguments were refused.
bad_line() {
	console_has "^keel: error: $SVC/$1:$2: .*${3:-}" && ! console_has "^keel: error: $SVC/$1:$2: unknown keyword"
}
starts() { log_count "start $1"; }
trigs() { log_count "trig $1"; }
not_started() { ! log_has "^start $1 " && ! log_has "^trig $1 "; }

# A directory made and a file put in it at once, again and again: the file
# may come between the new watch and its scan, seen by both: one start each.
svc race <<EOF
trigger start $OUT/race/new*.sh created
exec $BIN/trig race
EOF

keel_start || { finish; exit 1; }
check "boot target reached" wait_for "target boot reached" 30

check "bad lines: relative trigger path with file:line" bad_line bad_rel 1 "relative/path"
check "bad lines: glob outside the last component with file:line" bad_line bad_glob 2
check "bad lines: unknown trigger action with file:line" bad_line bad_act 1 frobnicate
check "bad lines: unknown event with file:line" bad_line bad_ev 1 sometimes
check "bad lines: timer at 25:00 with file:line" bad_line bad_at 1
check "bad lines: timer every without a duration with file:line" bad_line bad_every 1
check "bad lines: none of them ran" \
	eval '! log_has "^(start|end) bad_"'
check "timer at HH:MM accepted" eval '! console_has "error: $SVC/at:" && ctl list | grep -qx at'

wait_state rsig running 20
wait_state rexec running 20
wait_state rhup running 20
wait_state rst running 20
check "event-started services are not started with the target" \
	eval 'not_started upg && not_started gl && not_started dirent && not_started rmw && ! log_has "^brun "'

# ---- the upgrade intercept ----
mkdir -p "$OUT/sd/Upgrade"
printf '#!/bin/sh\necho flashing\n' >"$OUT/sd/Upgrade/upgraderun.sh"
check "intercept: the service ran for the new file" wait_log "^trig upg " 20
check "intercept: renamed to upgraderun.old" \
	wait_until 20 eval '[ -e "$OUT/sd/Upgrade/upgraderun.old" ] && [ ! -e "$OUT/sd/Upgrade/upgraderun.sh" ]'
check "intercept: KEEL_TRIGGER_PATH of the run" \
	eval '[ "$(grep "^trig upg " "$LOG" | head -n 1 | cut -d" " -f3)" = "$OUT/sd/Upgrade/upgraderun.sh" ]'
# The file's first sighting is "created", whether keel saw it appear or found
# it when the directory appeared; a "changed" may follow (coalesced or not).
check "intercept: KEEL_TRIGGER_EVENT of the first run is created" \
	eval '[ "$(grep "^trig upg " "$LOG" | head -n 1 | cut -d" " -f4)" = created ]'
# A second upgrade file dropped into the now existing directory.
printf '#!/bin/sh\n' >"$OUT/sd/Upgrade/upgraderun.sh.tmp"
mv "$OUT/sd/Upgrade/upgraderun.sh.tmp" "$OUT/sd/Upgrade/upgraderun.sh"
check "intercept: a file moved into place is caught too" \
	wait_until 20 eval '[ ! -e "$OUT/sd/Upgrade/upgraderun.sh" ] && [ "$(log_count "trig upg")" -ge 2 ]'

# ---- glob and directory triggers ----
touch "$OUT/spool/a.job"
check "glob: a matching file starts the service" wait_log "^trig gl $OUT/spool/a.job created" 20
wait_until 20 eval '[ "$(svc_field gl state)" != starting ] && [ "$(svc_field gl state)" != running ]'
touch "$OUT/spool/b.txt"
touch "$OUT/spool/c.job"
check "glob: the next matching file starts it again" wait_log "^trig gl $OUT/spool/c.job " 20
check "glob: a file that does not match does not" not log_has "^trig gl $OUT/spool/b.txt"
echo x >"$OUT/drop/one"
check "directory/: a new entry starts the service" wait_log "^trig dirent $OUT/drop/one (created|changed)" 20
touch "$OUT/watch.d/flag"
touch "$OUT/watch.d/other"
rm "$OUT/watch.d/other"
rm "$OUT/watch.d/flag"
check "removed: the deletion starts the service" wait_log "^trig rmw $OUT/watch.d/flag removed" 20
check "removed: creating the file did not" eval '[ "$(trigs rmw)" -eq 1 ]'
touch "$OUT/spool/gated"
touch "$OUT/spool/z.job"
wait_log "^trig gl $OUT/spool/z.job " 20
check "trigger with a false condition: the event is dropped" not log_has "^trig tcond "
ctl cond set gate >/dev/null
echo >>"$OUT/spool/gated"
check "trigger with its condition true: runs" wait_log "^trig tcond $OUT/spool/gated changed" 20

# ---- a burst of 1000 files ----
(cd "$OUT/burst" && for i in $(seq 1 1000); do : >"f$i"; done)
last_done() { [ "$(grep -E "^(brun|bend) " "$LOG" | tail -n 1 | cut -d" " -f1-2)" = "bend $OUT/burst/f1000" ]; }
check "burst: the last file is seen by the last run" wait_until 30 last_done
runs=$(log_count brun)
check "burst: coalesced ($runs runs for 1000 files)" eval '[ "$runs" -ge 1 ] && [ "$runs" -lt 100 ]'
check "burst: never two runs at once" not log_has "^overlap burst"
check "burst: every run ended" [ "$(log_count bend)" = "$runs" ]

# ---- trigger reload, keelctl reload NAME ----
pid_sig=$(svc_field rsig pid)
echo a=1 >"$OUT/conf/rsig.conf"
check "trigger reload + reload signal USR1: the daemon gets USR1" wait_log "^usr1 rsig " 20
check "trigger reload: same process" eval '[ "$(svc_field rsig pid)" = "$pid_sig" ] && [ "$(starts rsig)" -eq 1 ]'
echo a=1 >"$OUT/conf/rexec.conf"
check "trigger reload + reload exec: the command ran with the service's env" wait_log "^reloaded rexec tagged " 20
check "reload exec: the daemon got no signal" not log_has "^(usr1|hup) rexec "
n=$(log_count "usr1 rsig")
check "keelctl reload NAME: exits 0" eval 'ctl reload rsig >/dev/null'
check "keelctl reload NAME: reload signal" wait_until 20 eval '[ "$(log_count "usr1 rsig")" -gt "$n" ]'
n=$(log_count "reloaded rexec")
ctl reload rexec >/dev/null
check "keelctl reload NAME: reload exec" wait_until 20 eval '[ "$(log_count "reloaded rexec")" -gt "$n" ]'
ctl reload rhup >/dev/null
check "keelctl reload NAME: HUP by default" wait_log "^hup rhup " 20
check "keelctl reload of an unknown service exits 1" eval '! ctl reload nosuch >/dev/null 2>&1'

# ---- trigger restart on an atomic rename (uci commit) ----
pid_rst=$(svc_field rst pid)
echo "config interface lan" >"$OUT/etc/config/.network.uci-tmp"
mv "$OUT/etc/config/.network.uci-tmp" "$OUT/etc/config/network"
check "trigger restart: the rename restarts the service" \
	eval 'wait_log "^stop rst " 20 && wait_until 20 eval "[ \"\$(starts rst)\" -ge 2 ]"'
check "trigger restart: a new process" \
	eval 'wait_state rst running 20 && [ "$(svc_field rst pid)" != "$pid_rst" ]'

# ---- timers ----
check "timer every 1s: runs repeatedly (3 runs)" wait_until 20 eval '[ "$(log_count "end tick")" -ge 3 ]'
check "timer: the runs are about 1 s apart" \
	eval 'grep "^start tick " "$LOG" | awk "{print \$NF}" | head -n 3 |
	      awk "NR > 1 && \$1 - p < 0.7 { bad = 1 } { p = \$1 } END { exit bad }"'
check "timer longer than its interval: runs again" wait_until 20 eval '[ "$(log_count "end slow")" -ge 3 ]'
check "timer: never two runs at once" not log_has "^overlap slow"
# Each run takes 1 s: starts 1 s apart or more, whatever the 300 ms interval.
check "timer: due runs while one runs are skipped, not queued" \
	eval 'grep "^start slow " "$LOG" | awk "{print \$NF}" |
	      awk "NR > 1 && \$1 - p < 0.95 { bad = 1 } { p = \$1 } END { exit bad }"'
check "timer: status shows the skipped runs" wait_until 10 eval 'ctl status slow | grep -qi skip'
check "timer with jitter: runs repeatedly" wait_until 20 eval '[ "$(log_count "end jit")" -ge 3 ]'
check "timer with jitter: no two runs closer than half the interval" \
	eval 'grep "^start jit " "$LOG" | awk "{print \$NF}" |
	      awk "NR > 1 && \$1 - p < 0.35 { bad = 1 } { p = \$1 } END { exit bad }"'
check "timer with a false condition: does not run" not log_has "^start tgate "
ctl cond set tgate >/dev/null
check "timer with its condition true: runs" wait_log "^end tgate " 20
left=$((at_epoch - $(date +%s)))
if [ "$left" -le 15 ]; then
	[ "$left" -gt 0 ] || left=0
	check "timer at $at_hhmm: runs at that minute" wait_log "^end at " $((left + 10))
	check "timer at: not before it" \
		awk -v t="$(log_time "start at")" -v e="$at_epoch" 'BEGIN { exit !(t + 0 >= e) }'
else
	check "timer at $at_hhmm: not run before its time" not log_has "^start at "
fi

for i in 1 2 3 4 5 6 7 8; do
	mkdir "$OUT/race" && : >"$OUT/race/new$i.sh"
	wait_log "^trig race $OUT/race/new$i.sh created" 10
	sleep 0.3 # a second start for the same file would come now
	rm -rf "$OUT/race"
	sleep 0.1
done
check "a directory and its file made at once, 8 times: one start per file ($(log_count "trig race") for 8)" \
	[ "$(log_count "trig race")" -eq 8 ]

check "poweroff ends the namespace" keel_stop
check "no overlap anywhere" not log_has "^overlap "
finish
