# test_inittab: keel as PID 1 runs a busybox inittab with busybox's order; native services order against its steps; S?? scripts are left out.
# SPDX-License-Identifier: MIT
. "$(dirname "$0")/lib.sh"

sys_new inittab
cat >"$BIN/rcS" <<EOF
#!/bin/sh
# rcS: a stock boot script
"$BIN/rec" start rcS
"$BIN/rec" end rcS
EOF
chmod 755 "$BIN/rcS"
# The inittab beside the service dir (as initd.env is): busybox's format.
cat >"$SVC/../inittab" <<EOF
# id:runlevels:action:process
::sysinit:$BIN/job sys1 0.2
::sysinit:$BIN/rcS
::wait:$BIN/job wait1 0.2
::once:$BIN/rec once1
::respawn:$BIN/daemon resp
::sysinit:echo "shell \$HOME x" >>$LOG
::frobnicate:/bin/true
::shutdown:$BIN/rec shut1
::shutdown:$BIN/rec shut2
::restart:/sbin/init
::ctrlaltdel:$BIN/rec cad
EOF
svc native <<EOF
after inittab-sysinit
exec $BIN/rec native
EOF
svc native_rcs <<EOF
after inittab-rcS
exec $BIN/rec after-rcS
EOF
# A Buildroot/busybox script in the service dir: not a service file.
cat >"$SVC/S01logging" <<'EOF'
#!/bin/sh
case "$1" in
start) echo started;;
stop) echo stopped;;
esac
EOF
chmod 755 "$SVC/S01logging"

keel_start || { finish; exit 1; }
check "boot target reached" wait_for "target boot reached" 30
check "all steps ran" wait_until 20 eval 'log_has "^once1 " && log_has "^start resp " && log_has "^native "'
check "sysinit steps one after another, in file order" log_order "end sys1" "start rcS" "end rcS" "shell /"
check "wait after every sysinit" log_before "shell /" "start wait1"
check "once and respawn after the wait step has finished" \
	eval 'log_before "end wait1" "once1" && log_before "end wait1" "start resp"'
check "a process with shell characters runs through sh -c" log_has "^shell / "
check "native service after inittab-sysinit" log_before "shell /" "native"
check "native service after inittab-rcS (the program's name)" log_before "end rcS" "after-rcS"
check "a bad line is reported with file and line" \
	console_has "error: .*inittab:8: bad inittab entry: unknown action \"frobnicate\""
check "steps are services: inittab.LINE in keelctl status" eval 'ctl status | grep -q "inittab\.5 "'
check "the S?? shell script is not parsed as a service file" not console_has "S01logging"
check "keel check names it in one note" \
	eval '"$KEEL" check "$SVC" 2>&1 | grep -q "1 shell script, not service file, left out .*S01logging"'

# Respawn: the step comes back.
pid=$(pgrep -P "$KEEL_PID1" -f "daemon resp" | head -n 1)
kill -KILL "$pid" 2>/dev/null
check "a respawn step is restarted" wait_until 20 eval '[ "$(log_count "start resp")" -ge 2 ]'

keel_signal INT
check "Ctrl-Alt-Del (SIGINT) runs the ctrlaltdel step" wait_log "^cad " 20

keel_stop poweroff
check "shutdown steps run at power-off, in order" log_order "stop resp" "shut1" "shut2"

finish
