#!/bin/bash
# test_watchdog: preinit arms QEMU's i6300esb, feeds it through a failsafe window longer than its timeout, hands the open fd to keel (KEEL_WATCHDOG_FD); an init that does not feed it is reset; the boot-health counter sends preinit to failsafe, where it goes on feeding.
# SPDX-License-Identifier: MIT
# Debian's generic kernel: the cloud kernel has no i6300esb module (and ext4, with the crc32c
# its checksums need, is a module there). QEMU is started through
# a wrapper that adds the device (pi_boot has no hook for extra devices); with pi_boot's
# -no-reboot, a watchdog reset ends QEMU, so "QEMU still runs" is "no reset".
VM_KERNEL=generic
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib.sh"
vm_setup preinit_watchdog
WD_T=5 # seconds; the failsafe window and every wait below outlast it several times
real_qemu=$(command -v qemu-system-x86_64) || vm_die "no qemu-system-x86_64"
mkdir -p "$VM_WORK/bin"
cat >"$VM_WORK/bin/qemu-system-x86_64" <<EOF
#!/bin/sh
exec "$real_qemu" "\$@" -device i6300esb -action watchdog=reset
EOF
chmod 0755 "$VM_WORK/bin/qemu-system-x86_64"
PATH=$VM_WORK/bin:$PATH

pi_rootfs
pi_squash "$VM_WORK/root.sqfs"
# The health counter is on the data partition: 2, below the file's fallback (3) for the
# first two boots, at the kernel option's (2) for the third.
mkdir -p "$VM_WORK/data/keel"
printf '2\n' >"$VM_WORK/data/keel/bootcount"
truncate -s 32M "$VM_WORK/data.img"
mkfs.ext4 -q -F -L data -d "$VM_WORK/data" "$VM_WORK/data.img" || vm_die "mkfs.ext4 failed"
pi_initramfs i6300esb crc32c_generic ext4 <<EOF2
failsafe_wait 12s
net no
module virtio_pci virtio_blk squashfs overlay crc32c_generic ext4 i6300esb
root /dev/vda
data LABEL=data
watchdog /dev/watchdog $WD_T
health_counter /overlay/keel/bootcount
health_fallback 3
EOF2
PI_DISKS="$VM_WORK/root.sqfs $VM_WORK/data.img"

# wd_uptime_past SECONDS [DEADLINE]: the guest's uptime reaches SECONDS (QEMU alive and
# its shell answering all along).
wd_uptime_past() {
	local deadline=$(($(vm_now_ms) + ${2:-90} * 1000))
	while :; do
		vm_run 'cut -d. -f1 /proc/uptime' 10 || return 1
		[ "$(cat "$VM_OUT")" -ge "$1" ] 2>/dev/null && return 0
		vm_alive && [ "$(vm_now_ms)" -lt "$deadline" ] || return 1
		sleep 0.5
	done
}
wd_uptime() { vm_run 'cut -d. -f1 /proc/uptime' 10 && cat "$VM_OUT"; }
wd_poweroff() { pi_poweroff && vm_seen 'reboot: Power down'; }

# Boot 1: preinit -> keel, the fd handed over. keel sets its own timeout (default 30 s)
# on the fd it takes: the boot option keeps it at preinit's.
PI_APPEND="keel.watchdog.timeout=$WD_T"
pi_boot
check "open: preinit arms the device after loading its module" \
	vm_wait "^preinit: watchdog /dev/watchdog: timeout $WD_T s" 40
check "window: longer than the timeout, no reset (fed while waiting)" \
	vm_wait '^preinit: exec /sbin/keel' 40
check "health: counter below the fallback, normal boot" \
	sh -c "! grep -q 'unhealthy boots' '$VM_CONSOLE' && grep -q '^preinit: overlay: data /dev/vdb' '$VM_CONSOLE'"
check "keel: shell" pi_shell_ready
vm_run 'tr "\0" "\n" </proc/1/environ | sed -n "s/^KEEL_WATCHDOG_FD=//p"'
fd=$(cat "$VM_OUT")
vm_note "KEEL_WATCHDOG_FD=$fd"
check "pass: KEEL_WATCHDOG_FD in keel's environment" sh -c "[ '$fd' -ge 3 ] 2>/dev/null"
check "pass: keel holds the device at that fd" vm_run "[ \"\$(readlink /proc/1/fd/$fd)\" = /dev/watchdog ]"
check "pass: services get neither the variable nor the fd" \
	vm_run '[ -z "${KEEL_WATCHDOG_FD+x}" ] && ! ls -l /proc/$$/fd | grep -q watchdog'
check "pass: the device is active" vm_run 'grep -qx active /sys/class/watchdog/watchdog0/state'
vm_run 'keelctl watchdog'
vm_note "keelctl watchdog: $(cat "$VM_OUT")"
check "keelctl watchdog: names the device, the fd and the timeout" \
	grep -q "^device /dev/watchdog fd $fd timeout $WD_T s last-fed" "$VM_OUT"
t0=$(wd_uptime)
check "keel: fed, no reset for 3x the timeout" wd_uptime_past $((t0 + 3 * WD_T + 1))
check "boot 1: clean power off" wd_poweroff

# Boot 2: an init that does not feed it is reset (the fd crossed exec, still armed).
PI_APPEND="preinit.failsafe_wait=0 preinit.init=/bin/busybox preinit.init_arg=sleep,1000"
pi_boot
check "negative: preinit execs an init that never feeds" vm_wait '^preinit: exec /bin/busybox' 40
vm_mark
check "negative: the device resets the machine" vm_wait_exit $((WD_T * 4 + 10))
vm_note "$VM_NAME: boot 2: QEMU ran $(vm_fmt_ms ${VM_BOOT_MS:-0}) s"
check "negative: it was a reset, not a power off" pi_not_seen 'reboot: (Power down|Restarting)'

# Boot 3: the counter (2) reaches the fallback the kernel option sets: failsafe, still fed.
PI_APPEND="preinit.health_fallback=2"
pi_boot
check "health: said on the console" vm_wait '^preinit: 2 unhealthy boots: failsafe' 60
check "health: failsafe on a tmpfs overlay" vm_wait '^preinit: overlay: tmpfs \(failsafe\)' 20
check "failsafe: announced" vm_wait '^preinit: failsafe mode: ' 20
check "failsafe: shell answers" vm_run true 30
check "failsafe: state says so, no data partition" \
	vm_run 'grep -qx failsafe=1 /run/preinit/state && ! grep -q "^/dev/vdb" /proc/mounts'
check "failsafe: preinit holds the device" vm_run 'ls -l /proc/1/fd | grep -q /dev/watchdog'
t0=$(wd_uptime)
check "failsafe: preinit feeds it, no reset for 3x the timeout" wd_uptime_past $((t0 + 3 * WD_T + 1))
# preinit's disarm before reboot(2) cannot be seen here: i6300esb's driver stops the
# timer itself on every reboot, halt or kexec (watchdog_stop_on_reboot).
vm_send reboot
check "failsafe: reboot leaves it" vm_wait_exit 30
vm_note "$VM_NAME: boot 3: QEMU ran $(vm_fmt_ms ${VM_BOOT_MS:-0}) s"
debugfs -R 'cat /keel/bootcount' "$VM_WORK/data.img" 2>/dev/null >"$VM_WORK/count"
check "health: counter set back to 0 for the next boot" grep -qx 0 "$VM_WORK/count"
check "data: clean after failsafe" sh -c "e2fsck -fn '$VM_WORK/data.img' >/dev/null 2>&1"
vm_finish
