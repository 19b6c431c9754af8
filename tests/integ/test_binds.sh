# test_binds: bind, hook and module lines replace stock files after a later mount, inject rcS steps through a tmpfs copy; keel.skip= and the skip file keep services down.
# SPDX-License-Identifier: MIT
. "$(dirname "$0")/lib.sh"

sys_new binds
FW=$SYS/fw SD=$SYS/sd SYSTEM=$SYS/system
mkdir -p "$FW/bin" "$FW/etc" "$SD" "$SYSTEM"
chmod 755 "$FW" "$FW/bin" "$FW/etc" "$SD" "$SYSTEM"
echo "stock factorycheck" >"$FW/bin/factorycheck"
cat >"$FW/bin/app_init.sh" <<EOF
#!/bin/sh
"$BIN/rec" app_init
EOF
# The stock rcS, on the read-only "firmware".
cat >"$FW/etc/rcS" <<EOF
#!/bin/sh
"$BIN/rec" rcS-start
$SYSTEM/bin/app_init.sh
"$BIN/rec" rcS-end
EOF
chmod 755 "$FW/bin/app_init.sh" "$FW/etc/rcS"
echo "our factorycheck" >"$SD/factorycheck"
# (the host sees $SYSTEM empty: every mount is in keel's namespace)

svc system <<EOF
description "mount /system read-only"
type wait
exec {
	/bin/mount --bind $FW $SYSTEM
	/bin/mount -o remount,bind,ro $SYSTEM
}
EOF
svc replace <<EOF
description "stock files replaced after /system is mounted"
type wait
after system
bind $SD/factorycheck $SYSTEM/bin/factorycheck ro
hook $SYSTEM/etc/rcS before app_init.sh "$BIN/rec hook-before"
hook $SYSTEM/etc/rcS after app_init.sh "$BIN/rec hook-after"
EOF
svc stock <<EOF
type wait
after replace
exec $SYSTEM/etc/rcS
EOF
svc badmod <<EOF
type wait
module $SD/missing.ko option=1
EOF
svc badhook <<EOF
type wait
after system
hook $SYSTEM/etc/rcS before no-such-line "echo x"
EOF
svc appx <<EOF
exec $BIN/rec appx
EOF
svc appy <<EOF
exec $BIN/rec appy
EOF
svc after_appx <<EOF
after appx
exec $BIN/rec after-appx
EOF
echo "appy  # from the SD card" >"$SYS/skip"

KEEL_CMDLINE="keel.skip=appx,nosuch" keel_start --skip-file "$SYS/skip" --log-socket "$SYS/log.sock" || { finish; exit 1; }
check "boot target reached" wait_for "target boot reached" 30
wait_until 20 log_has "^rcS-end "
NS=/proc/$KEEL_PID1/root
check "bind after the mount: the stock file is replaced" \
	[ "$(cat "$NS$SYSTEM/bin/factorycheck")" = "our factorycheck" ]
check "the bind is read-only" not sh -c "echo x >>'$NS$SYSTEM/bin/factorycheck'" 2>/dev/null
check "hooks run in the stock rcS, in order around the matched line" \
	log_order "rcS-start" "hook-before" "app_init" "hook-after" "rcS-end"
check "the firmware is not written" not grep -q hook "$FW/etc/rcS"
check "the hooked copy is in the tmpfs" eval 'ls "$NS/run/keel/hooks/" | grep -q "rcS"'
lr() { timeout 20 "$KEEL_BUILD/logread" --socket "$SYS/log.sock" "$@"; }
check "the steps say what they did in the log" \
	eval 'lr | grep -q "keel bind: $SD/factorycheck over $SYSTEM/bin/factorycheck (read-only)"'
check "a missing module fails its service, with the path and the reason" \
	eval 'ctl status badmod | grep -q failed && lr | grep -q "keel module: $SD/missing.ko: No such file"'
check "a hook whose text is in no line fails, saying so" \
	eval 'ctl status badhook | grep -q failed && lr | grep -q "no line contains \"no-such-line\""'
ctl restart replace >/dev/null 2>&1
wait_until 20 eval 'ctl status replace | grep -q done'
check "bind and hook are idempotent: a restart adds nothing" \
	eval '[ "$(grep -c hook-before "$NS$SYSTEM/etc/rcS")" = 1 ] && [ "$(grep -c hook-after "$NS$SYSTEM/etc/rcS")" = 1 ]'
check "keel.skip= on the kernel command line skips a service" \
	eval 'ctl status appx | grep -q skipped && ! log_has "^appx "'
check "and says why" eval 'ctl status appx | grep -q "keel.skip="'
check "the skip file skips a service" eval 'ctl status appy | grep -q skipped && ! log_has "^appy "'
check "a service after a skipped one still starts" log_has "^after-appx "
ctl start appx >/dev/null 2>&1
check "a skipped service can be started by hand" wait_log "^appx " 20
keel_stop
finish
