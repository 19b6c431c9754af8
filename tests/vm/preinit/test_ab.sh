#!/bin/bash
# test_ab: A/B slots — a power cut while the inactive slot is written leaves the active one booting; a new slot that never becomes healthy is given up after ab_limit boots; a healthy one is committed and kept.
# SPDX-License-Identifier: MIT
# Disks: vda slot a, vdb slot b (writes throttled to 4 MB/s, so that the power cut lands
# in the middle of a write), vdc the ext4 data partition, vdd preinit's A/B env. preinit
# plays the bootloader's part (ab_env, ab_limit 2); keel's health commit runs
# `preinit ab-commit`. Slot a's image carries the images the test installs.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib.sh"
vm_setup preinit_ab
MKIMAGE=$KEEL_SRC/build/keel-mkimage
[ -x "$MKIMAGE" ] || MKIMAGE=$KEEL_BUILD/keel-mkimage
[ -x "$MKIMAGE" ] || vm_die "no keel-mkimage (make)"

pi_rootfs
vm_install_prog "$KEEL_BUILD/sysupgrade" /sbin/sysupgrade
mkdir -p "$VM_ROOT/etc/keel" "$VM_ROOT/usr/share/test"
printf 'board qemu-keel\npart rootfs /dev/vda /dev/vdb\nnet no\n' >"$VM_ROOT/etc/keel/upgrade.conf"
healthy() {
	printf 'require getty\nwithin 60s\ncommit /sbin/preinit ab-commit\n' >"$VM_ROOT/etc/keel/health"
	rm -f "$VM_ROOT/etc/init.d/never-ready"
}
# A boot that never becomes healthy: a required service never ready, a short deadline.
unhealthy() {
	printf 'require never-ready\nwithin 3s\ncommit /sbin/preinit ab-commit\non-unhealthy reboot\n' \
		>"$VM_ROOT/etc/keel/health"
	printf 'type respawn\nready file /run/never\nexec /bin/sleep 1000\n' | vm_service never-ready
}
# image NAME [EXTRA-MB]: the root now, marked NAME, as $VM_WORK/NAME.img
image() {
	echo "$1" >"$VM_ROOT/etc/keel-version"
	rm -f "$VM_ROOT/usr/share/test/filler"
	[ -n "${2:-}" ] && head -c "${2}M" /dev/urandom >"$VM_ROOT/usr/share/test/filler"
	pi_squash "$VM_WORK/$1.sqfs"
	rm -f "$VM_ROOT/usr/share/test/filler"
	"$MKIMAGE" -b qemu-keel -V "$1" -o "$VM_WORK/$1.img" rootfs="$VM_WORK/$1.sqfs" ||
		vm_die "keel-mkimage $1 failed"
}
unhealthy
image v3bad
healthy
image v4good
image big 12
cp "$VM_WORK/v3bad.img" "$VM_WORK/v4good.img" "$VM_WORK/big.img" "$VM_ROOT/usr/share/test/"
echo v2 >"$VM_ROOT/etc/keel-version"
pi_squash "$VM_WORK/slota.img"
truncate -s 24M "$VM_WORK/slotb.img"
truncate -s 1M "$VM_WORK/abenv.img"
truncate -s 64M "$VM_WORK/data.img"
mkfs.ext4 -q -F -L data "$VM_WORK/data.img" || vm_die "mkfs.ext4 failed"
pi_initramfs <<'EOF2'
failsafe_wait 0
net no
module virtio_pci virtio_blk squashfs overlay
root /dev/vda
root_b /dev/vdb
ab_env /dev/vdd
ab_limit 2
data /dev/vdc
EOF2
PI_DISKS="$VM_WORK/slota.img $VM_WORK/slotb.img,throttling.bps-write=4000000 $VM_WORK/data.img $VM_WORK/abenv.img"

# env_is SLOT UPGRADE: the newest valid record of the env on the host's disk image.
env_is() {
	python3 - "$VM_WORK/abenv.img" "$1" "$2" <<'PY'
import hashlib, sys
d = open(sys.argv[1], "rb").read(1024)
best = None
for r in (d[:512], d[512:]):
    if r[:8] != b"KEELAB1\n" or hashlib.sha256(r[:480]).digest() != r[480:]:
        continue
    kv = dict(l.split("=", 1) for l in r[8:r.index(b"\0")].decode().split("\n") if "=" in l)
    if best is None or int(kv["seq"]) > int(best["seq"]):
        best = kv
sys.exit(0 if best and best["slot"] == sys.argv[2] and best["upgrade"] == sys.argv[3] else 1)
PY
}
version_is() { vm_run "grep -qx $1 /etc/keel-version"; }

# Boot 1: slot a. A power cut while slot b is written.
pi_boot
check "boot 1: a new env starts on slot a" vm_wait '^preinit: A/B: slot a$' 60
check "boot 1: keel shell" pi_shell_ready
check "boot 1: v2 runs" version_is v2
check "boot 1: keep a setting" vm_run 'mkdir -p /etc/config && echo "option ab kept" >/etc/config/ab && sync'
vm_mark
vm_send 'cp /usr/share/test/big.img /tmp/ && sysupgrade /tmp/big.img'
check "power cut: slot b being written" vm_wait 'upgrade: A/B: running slot a, writing slot b' 90
check "power cut: the write is under way" vm_wait 'upgrade: rootfs -> /dev/vdb: 30% written' 60
vm_kill
vm_note "QEMU killed in the middle of the write"
check "power cut: slot b partly written" sh -c "! cmp -s -n \$(stat -c %s '$VM_WORK/big.sqfs') '$VM_WORK/big.sqfs' '$VM_WORK/slotb.img' && cmp -s -n 65536 '$VM_WORK/big.sqfs' '$VM_WORK/slotb.img'"
check "power cut: the env still says slot a" env_is a 0

# Boot 1b: a write error half-way (QEMU's blkdebug fails one write at 8 MiB): the slot is
# not switched and slot a boots on.
cat >"$VM_WORK/inject.conf" <<'EOF2'
[inject-error]
event = "pwritev"
errno = "5"
sector = "16384"
once = "on"
EOF2
disks=$PI_DISKS
PI_DISKS="$VM_WORK/slota.img blkdebug:$VM_WORK/inject.conf:$VM_WORK/slotb.img $VM_WORK/data.img $VM_WORK/abenv.img"
pi_boot
check "write error: slot a boots" vm_wait '^preinit: A/B: slot a$' 60
check "write error: keel shell" pi_shell_ready
vm_mark
vm_send 'cp /usr/share/test/big.img /tmp/ && sysupgrade -n /tmp/big.img'
check "write error: said with the byte and the reason" \
	vm_wait 'upgrade: writing rootfs -> /dev/vdb failed at byte [0-9]+: I/O error' 90
check "write error: not switched" vm_wait 'upgrade: slot not switched: the running slot boots as before: rebooting' 30
check "write error: reboot" vm_wait_exit 60
check "write error: the env still says slot a" env_is a 0
PI_DISKS=$disks

# Boot 2: slot a still boots; install v3, which never becomes healthy.
pi_boot
check "boot 2: slot a again" vm_wait '^preinit: A/B: slot a$' 60
check "boot 2: keel shell" pi_shell_ready
check "boot 2: v2 runs" version_is v2
check "boot 2: setting still there" vm_run 'grep -qx "option ab kept" /etc/config/ab'
vm_mark
vm_send 'cp /usr/share/test/v3bad.img /tmp/ && sysupgrade /tmp/v3bad.img'
check "v3: written to slot b and switched" vm_wait 'upgrade: A/B: next boot from slot b, on trial until healthy' 90
check "v3: reboot" vm_wait_exit 60
check "v3: env says slot b on trial" env_is b 1

# Boots 3 and 4: v3 on trial, unhealthy, rebooted by keel.
for n in 1 2; do
	pi_boot
	check "v3 boot $n: on trial" vm_wait "^preinit: A/B: slot b on trial: boot $n of 2" 60
	check "v3 boot $n: unhealthy, keel reboots" vm_wait 'keel: boot unhealthy: .*rebooting' 60
	check "v3 boot $n: reboot" vm_wait_exit 60
done

# Boot 5: back on slot a.
pi_boot
check "rollback: said" vm_wait '^preinit: A/B: slot b did not become healthy in 2 boots: back to slot a' 60
check "rollback: keel shell" pi_shell_ready
check "rollback: v2 runs" version_is v2
check "rollback: env says slot a" env_is a 0
vm_mark
vm_send 'cp /usr/share/test/v4good.img /tmp/ && sysupgrade /tmp/v4good.img'
check "v4: written to slot b and switched" vm_wait 'upgrade: A/B: next boot from slot b, on trial until healthy' 90
check "v4: reboot" vm_wait_exit 60

# Boot 6: v4 on trial becomes healthy and commits; boot 7 keeps it.
pi_boot
check "v4: on trial" vm_wait '^preinit: A/B: slot b on trial: boot 1 of 2' 60
check "v4: health commit ran" vm_wait 'keel: boot health: commit /sbin/preinit done' 60
check "v4: keel shell" pi_shell_ready
check "v4: v4good runs with the kept setting" vm_run 'grep -qx v4good /etc/keel-version && grep -qx "option ab kept" /etc/config/ab'
check "v4: power off" pi_poweroff
check "v4: env says slot b, trial over" env_is b 0
pi_boot
check "v4 kept: slot b, no trial" vm_wait '^preinit: A/B: slot b$' 60
check "v4 kept: keel shell" pi_shell_ready
check "v4 kept: power off" pi_poweroff
vm_finish
