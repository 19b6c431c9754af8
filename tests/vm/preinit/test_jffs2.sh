#!/bin/bash
# test_jffs2: an erased (all 0xff) flash data partition on an MTD device (block2mtd over a virtio disk, generic kernel) is mounted as jffs2 as it is; a file written survives a reboot; without jffs2 in the kernel it is left to the booted system.
# SPDX-License-Identifier: MIT
# It uses Debian's generic kernel, whose mtd, block2mtd, mtdblock and jffs2 modules the cloud
# kernel lacks (measured under TCG: about 10 s for the first boot, 6 s for the next ones).
# block2mtd's device comes from the kernel option block2mtd.block2mtd=..., which preinit
# passes to the module when it loads it (the kernel applies NAME.PARAM only to built-in ones).
# jffs2 is loaded through preinit.module= on the command line, so the last boot can go without.
VM_KERNEL=generic
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib.sh"
vm_setup preinit_jffs2
pi_rootfs
pi_squash "$VM_WORK/root.sqfs"
# 8 MiB of erased flash with 64 KiB erase blocks, the size of a small router's.
erased() { head -c 8M /dev/zero | tr '\0' '\377' >"$1"; }
erased "$VM_WORK/data.img"
pi_initramfs block2mtd mtdblock jffs2 <<'EOF2'
failsafe_wait 300ms
net no
module virtio_pci virtio_blk squashfs overlay block2mtd mtdblock
root /dev/vda
data mtdblock0
EOF2
PI_DISKS="$VM_WORK/root.sqfs $VM_WORK/data.img"
PI_APPEND="block2mtd.block2mtd=/dev/vdb,65536 preinit.module=jffs2"
pi_boot
check "jffs2: block2mtd given its kernel option" \
	vm_wait '^preinit: module kernel/drivers/mtd/devices/block2mtd.ko: block2mtd=/dev/vdb,65536' 60
check "jffs2: erased flash recognised" \
	vm_wait '^preinit: data /dev/mtdblock0 is erased flash: mounted as jffs2 as it is' 30
check "jffs2: overlay on the jffs2 data partition" vm_wait '^preinit: overlay: data /dev/mtdblock0 \(jffs2\)' 30
check "jffs2: keel shell" pi_shell_ready
check "jffs2: not left to be formatted" \
	vm_run '! [ -e /run/preinit/format ] && grep -qx overlay=data /run/preinit/state'
check "jffs2: /overlay is jffs2 on the MTD" vm_run 'grep -qE "^(mtd0|/dev/mtdblock0) /overlay jffs2" /proc/mounts'
check "jffs2: write a file" vm_run 'echo on-flash > /root/flash && sync'
check "jffs2: power off" pi_poweroff
check "jffs2: jffs2 nodes on the image" sh -c "od -An -tx1 -w2 -v '$VM_WORK/data.img' | grep -q '^ 85 19$'"
# On NOR (and block2mtd) jffs2 starts every clean erase block with a cleanmarker node; on
# NAND the cleanmarker lives in the out-of-band area, so a clean first block reads all 0xff
# while jffs2's nodes lie in other blocks. The reboot sees the flash that way: the first
# block swaps places with one holding only a cleanmarker (jffs2 finds its nodes in any
# block: they hold no flash offsets) and that cleanmarker is wiped. preinit must find the
# jffs2 by the start of the other blocks, not take the flash for erased.
python3 - "$VM_WORK/data.img" <<'PY' || vm_die "emptying the first erase block failed"
import sys
B, M = 65536, 12  # erase block, cleanmarker size
with open(sys.argv[1], "r+b") as f:
    d = bytearray(f.read())
    only_marker = lambda i: d[i * B + M:(i + 1) * B] == b"\xff" * (B - M)
    k = next(i for i in range(len(d) // B) if only_marker(i))
    d[k * B:(k + 1) * B], d[:B] = d[:B], d[k * B:(k + 1) * B]
    d[:M] = b"\xff" * M
    f.seek(0)
    f.write(d)
PY
pi_boot
check "jffs2 reboot: overlay on jffs2" vm_wait '^preinit: overlay: data /dev/mtdblock0 \(jffs2\)' 60
check "jffs2 reboot: first block empty, not taken for erased" pi_not_seen 'erased flash'
check "jffs2 reboot: keel shell" pi_shell_ready
check "jffs2 reboot: file survived" vm_run 'grep -qx on-flash /root/flash'
check "jffs2 reboot: power off" pi_poweroff

# No jffs2 in the kernel: the blank-partition path (tmpfs now, the booted system formats).
erased "$VM_WORK/data.img"
PI_APPEND="block2mtd.block2mtd=/dev/vdb,65536"
pi_boot
check "no jffs2: said" vm_wait '^preinit: data /dev/mtdblock0 is erased flash, but the kernel has no jffs2' 60
check "no jffs2: unformatted path" vm_wait '^preinit: overlay: tmpfs \(data partition unformatted\)' 10
check "no jffs2: keel shell" pi_shell_ready
check "no jffs2: power off" pi_poweroff
vm_finish
