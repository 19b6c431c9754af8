#!/bin/bash
# test_watchdog: keel alone (no preinit) feeds QEMU's i6300esb — kept alive past 3x its timeout, reset when PID 1 stalls (keelctl debug-stall), silent after keelctl halt (disarmed), clean keelctl poweroff.
# SPDX-License-Identifier: MIT
# Debian's generic kernel: the cloud kernel has no i6300esb module. keel is /init and
# gets the device from the kernel command line; the driver is a module that the kmod
# service loads, so at keel's start /dev/watchdog does not exist yet: keel watches /dev
# (inotify) and takes the device when it appears.
# QEMU runs without -no-reboot and with the reset action, so a watchdog reset is a new
# boot in the same QEMU (keel's "starting" line a second time on the console), while
# a power-off ends QEMU.
# debug-stall exists only in a keel built with WATCHDOG_TEST=1: this script builds its
# own static copy in build/vmwd (incremental; KEEL_WDTEST_BUILD names another folder).
VM_KERNEL=generic
. "$(dirname "$0")/lib.sh"
vm_setup test_watchdog
# ends_or_kill SECONDS: QEMU ends by itself in time; if not, it is killed, so the next
# boot does not start beside it.
ends_or_kill() { vm_wait_exit "$1" || { vm_kill; return 1; }; }
WD_T=5 # seconds
# How long past the timeout the test waits for the reset before it calls it missing.
WD_SLACK=5

WD_BUILD=${KEEL_WDTEST_BUILD:-$KEEL_SRC/build/vmwd}
if [ -z "${KEEL_WDTEST_BUILD:-}" ]; then
	khdr=$WD_BUILD/kernel-headers
	mkdir -p "$khdr"
	ln -sfn /usr/include/linux "$khdr/linux"
	ln -sfn /usr/include/asm-generic "$khdr/asm-generic"
	ln -sfn "/usr/include/$(gcc -dumpmachine)/asm" "$khdr/asm"
	# (targets named as the Makefile's rules name them: relative to the top)
	make -s -C "$KEEL_SRC" -j2 VARIANT=vmwd CC=musl-gcc CFLAGS="-Os -isystem $khdr" \
		LDFLAGS=-static WATCHDOG_TEST=1 build/vmwd/keel build/vmwd/keelctl \
		>"$VM_WORK/build.log" 2>&1 || vm_die "cannot build keel with WATCHDOG_TEST=1 (see $VM_WORK/build.log)"
fi
KEEL_BUILD=$WD_BUILD

VM_NOREBOOT=0
VM_MODULES=i6300esb
VM_APPEND="keel.watchdog=/dev/watchdog keel.watchdog.timeout=$WD_T"
VM_QEMU_EXTRA="-device i6300esb -action watchdog=reset"
vm_root_new
vm_service getty <"$KEEL_SRC/examples/services/getty"
vm_service kmod <<'EOF'
description "load watchdog driver"
type wait
exec /sbin/modprobe i6300esb
EOF
vm_pack

# QMP beside the human monitor: its WATCHDOG event says when the device fired, and why.
WD_QMP=$(dirname "$VM_MON")/qmp.sock
WD_QMPLOG=$VM_WORK/qmp.log
VM_QEMU_EXTRA="$VM_QEMU_EXTRA -qmp unix:$WD_QMP,server=on,wait=off"
# Connects (15 s), leaves capabilities mode (events flow only after that), then copies
# every line until QEMU closes the socket.
WD_PERL_QMP='
use strict; use IO::Socket::UNIX;
$| = 1;
my $s; my $t = time + 15;
until ($s = IO::Socket::UNIX->new(Peer => $ARGV[0])) {
	exit 111 if time >= $t;
	select(undef, undef, undef, 0.1);
}
print $s "{\"execute\": \"qmp_capabilities\"}\n";
while (my $l = <$s>) { print $l; }
'
wd_qmp_start() {
	: >"$WD_QMPLOG"
	perl -e "$WD_PERL_QMP" "$WD_QMP" >>"$WD_QMPLOG" 2>&1 &
}
# wd_event NAME SECONDS: the QMP event NAME arrives before the deadline.
wd_event() {
	local deadline=$(($(vm_now_ms) + $2 * 1000))
	until grep -q "\"event\": *\"$1\"" "$WD_QMPLOG"; do
		[ "$(vm_now_ms)" -lt "$deadline" ] || return 1
		sleep 0.1
	done
}
# wd_event_count NAME N SECONDS: at least N such events before the deadline.
wd_event_count() {
	local deadline=$(($(vm_now_ms) + $3 * 1000))
	until [ "$(grep -c "\"event\": *\"$1\"" "$WD_QMPLOG")" -ge "$2" ]; do
		[ "$(vm_now_ms)" -lt "$deadline" ] || return 1
		sleep 0.1
	done
}
# wd_event_ms NAME: its time stamp in ms (host clock, as vm_now_ms).
wd_event_ms() {
	grep -m1 "\"event\": *\"$1\"" "$WD_QMPLOG" |
		sed -n 's/.*"seconds": *\([0-9]*\), *"microseconds": *\([0-9]*\).*/\1 \2/p' |
		{ read -r sec usec && echo $((sec * 1000 + 10#$usec / 1000)); }
}

BOOT_RE='^keel: keel .* starting'
boots() { vm_console 0 | grep -cE -- "$BOOT_RE"; }
# wd_field NAME: the word after NAME in the keelctl watchdog line (in $VM_OUT).
wd_field() { grep -E '^device ' "$VM_OUT" | awk -v k="$1" '{ for (i = 1; i < NF; i++) if ($i == k) { print $(i + 1); exit } }'; }

# ---------------- boot 1: fed ----------------
vm_boot
wd_qmp_start
check "boot: keel starts" vm_wait "$BOOT_RE" 60
check "open: device missing at start, keel waits for it" \
	vm_wait '^keel: watchdog /dev/watchdog: not there yet' 10
check "open: driver loaded by the kmod service" vm_wait '^keel: \[ OK \] load watchdog driver$' 30
check "open: keel takes the device, timeout $WD_T s" vm_wait "^keel: watchdog /dev/watchdog: $WD_T s, fed by keel" 10
check "boot: no warning about the watchdog" eval '! vm_console 0 | grep -qE "^keel: warning: watchdog"'
check "boot: serial shell answers" vm_run true 30
# The 3x-timeout window starts now; the checks below run inside it.
vm_run 'cut -d. -f1 /proc/uptime' 10
t0=$(grep -E '^[0-9]+$' "$VM_OUT" | head -n 1)

vm_run 'keelctl watchdog' 20
rc=$?
vm_note "keelctl watchdog: $(grep -v '^keel:' "$VM_OUT")"
check "keelctl watchdog: exit 0, device /dev/watchdog" eval "[ $rc -eq 0 ] && [ \"\$(wd_field device)\" = /dev/watchdog ]"
check "keelctl watchdog: timeout $WD_T s" [ "$(wd_field timeout)" = "$WD_T" ]
ago=$(wd_field last-fed)
check "keelctl watchdog: fed within the timeout / 3 (+ slack): ${ago:-?} s ago" \
	awk -v a="${ago:-x}" -v t=$WD_T 'BEGIN { exit !(a ~ /^[0-9.]+$/ && a + 0 <= t / 3 + 1) }'
vm_run 'cat /sys/class/watchdog/watchdog0/state /sys/class/watchdog/watchdog0/timeout /sys/class/watchdog/watchdog0/identity' 20
vm_note "sysfs state, timeout, identity: $(grep -v '^keel:' "$VM_OUT" | tr '\n' ' ')"
check "sysfs: watchdog0 active with a $WD_T s timeout" eval \
	"grep -qx active '$VM_OUT' && grep -qx '$WD_T' '$VM_OUT'"
# (fields or a message holding the text line: either shape passes)
vm_run 'keelctl --json watchdog' 20
vm_note "keelctl --json watchdog: $(grep -v '^keel:' "$VM_OUT")"
check "keelctl --json watchdog: names the device and timeout" eval \
	"grep -q '/dev/watchdog' '$VM_OUT' && grep -qE 'timeout[\": ]+$WD_T([^0-9]|\$)' '$VM_OUT'"

# 3x the timeout of uptime without a reset: the guest loops until then (a reset would
# kill the shell, and the end marker never comes).
until_t=$((${t0:-0} + 3 * WD_T + 1))
check "fed: no reset for 3x the timeout (uptime $t0 -> $until_t s)" vm_run \
	"until [ \$(cut -d. -f1 /proc/uptime) -ge $until_t ]; do sleep 0.5; done" $((3 * WD_T + 20))
check "fed: still one boot, no WATCHDOG event" \
	eval '[ "$(boots)" -eq 1 ] && ! grep -q "\"event\": *\"WATCHDOG\"" "$WD_QMPLOG"'
vm_run 'keelctl watchdog' 20
ago=$(wd_field last-fed)
check "fed: keelctl watchdog still recent (${ago:-?} s ago)" \
	awk -v a="${ago:-x}" -v t=$WD_T 'BEGIN { exit !(a ~ /^[0-9.]+$/ && a + 0 <= t / 3 + 1) }'

# ---------------- the stall: the device resets the machine ----------------
vm_mark
vm_send 'keelctl debug-stall'
check "stall: keel says it stops" vm_wait '^keel: debug-stall: PID 1 stops here' 10
t_stall=$(vm_now_ms)
# The WATCHDOG event's time stamp is the host's clock at the moment the device fired.
if wd_event WATCHDOG $((WD_T + WD_SLACK)); then
	ev=$(grep -m1 '"event": *"WATCHDOG"' "$WD_QMPLOG")
	vm_note "QMP: $ev"
	ms=$(wd_event_ms WATCHDOG)
	d=$((ms - t_stall))
	check "stall: the device's action is reset" eval "echo '$ev' | grep -q '\"action\": *\"reset\"'"
	# The last feed was about timeout/3 at most before the stall (later under a loaded
	# host), and the stall line is seen a little after the stall itself: the window is
	# wide; that the device fired, and why, is the WATCHDOG event's.
	check "stall: fired $(vm_fmt_ms $d) s after the stall: within [$WD_T/3, $WD_T + 1] s" \
		eval "[ $d -ge $((WD_T * 1000 / 3)) ] && [ $d -le $((WD_T * 1000 + 1000)) ]"
else
	vm_not_ok "stall: the watchdog fired within $WD_T + $WD_SLACK s" "QEMU alive: $(vm_alive && echo yes || echo no); QMP: $(tail -n 3 "$WD_QMPLOG")"
fi
check "stall: a new boot follows (keel starts again)" vm_wait "$BOOT_RE" 60
check "stall: no kernel panic (PID 1 did not die)" eval '! vm_console 0 | grep -q "Kernel panic"'

# ---------------- boot 2: after the reset ----------------
check "boot 2: keel takes the device again" vm_wait "^keel: watchdog /dev/watchdog: $WD_T s, fed by keel" 60
check "boot 2: serial shell answers" vm_run true 30
# QEMU's i6300esb keeps a "rebooted by the watchdog" flag across its reset, and the
# driver reports it as WDIOF_CARDRESET (0x20) in bootstatus.
vm_run 'cat /sys/class/watchdog/watchdog0/bootstatus' 20
bs=$(grep -E '^[0-9]+$' "$VM_OUT" | head -n 1)
check "boot 2: bootstatus says card reset (${bs:-?})" eval "[ -n '$bs' ] && [ \$(( $bs & 32 )) -ne 0 ]"

# ---------------- halt: disarmed, so nothing resets the halted machine ----------------
# After reboot(RB_HALT_SYSTEM) QEMU keeps running with its CPU stopped: an armed device
# would reset it at most one timeout after keel's last feed (right before the unmount).
vm_mark
vm_send 'keelctl halt'
check "halt: keel halts" vm_wait '^keel: halting' 30
check "halt: no warning from the magic close" eval '! vm_seen "^keel: warning: watchdog"'
n_wd=$(grep -c '"event": *"WATCHDOG"' "$WD_QMPLOG")
if wd_event_count WATCHDOG $((n_wd + 1)) $((WD_T + 2)); then
	vm_not_ok "halt: the device stays quiet for the timeout + 2 s (disarmed)" "$(grep '"WATCHDOG"' "$WD_QMPLOG" | tail -n 1)"
else
	vm_ok "halt: the device stays quiet for the timeout + 2 s (disarmed)"
fi
check "halt: QEMU still there, no new boot" eval 'vm_alive && ! vm_seen "$BOOT_RE"'

# ---------------- boot 3 (monitor reset): poweroff ----------------
vm_mark
vm_monitor system_reset
check "boot 3: keel takes the device again" vm_wait "^keel: watchdog /dev/watchdog: $WD_T s, fed by keel" 60
check "boot 3: serial shell answers" vm_run true 30
vm_run 'cat /sys/class/watchdog/watchdog0/bootstatus' 20
bs=$(grep -E '^[0-9]+$' "$VM_OUT" | head -n 1)
check "boot 3: bootstatus clear after a reset that was not the watchdog's (${bs:-?})" \
	eval "[ -n '$bs' ] && [ \$(( $bs & 32 )) -eq 0 ]"
vm_mark
vm_send 'keelctl poweroff'
check "poweroff: QEMU exits (a reset would boot again)" ends_or_kill 40
check "poweroff: keel powered off" vm_seen '^keel: powering off'
check "poweroff: no warning from the magic close" eval '! vm_seen "^keel: warning: watchdog"'
check "poweroff: no boot after it" eval '! vm_seen "$BOOT_RE"'
check "whole run: three boots, one WATCHDOG event" \
	eval '[ "$(boots)" -eq 3 ] && [ "$(grep -c "\"event\": *\"WATCHDOG\"" "$WD_QMPLOG")" -eq 1 ]'
vm_finish
