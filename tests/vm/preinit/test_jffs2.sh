#!/bin/bash
# test_jffs2: the data partition as jffs2 on an MTD device (block2mtd over a virtio disk, generic kernel): a file written survives a reboot.
# It uses Debian's generic kernel, whose mtd, block2mtd, mtdblock and jffs2 modules the cloud
# kernel lacks (measured under TCG: about 10 s for the first boot, 6 s for the second, so it
# runs by default).
# block2mtd's device comes from the kernel option block2mtd.block2mtd=..., which preinit
# passes to the module when it loads it (the kernel applies NAME.PARAM only to built-in ones).
VM_KERNEL=generic
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib.sh"
vm_setup preinit_jffs2
command -v mkfs.jffs2 >/dev/null 2>&1 || PATH=$PATH:/usr/sbin:/sbin
command -v mkfs.jffs2 >/dev/null 2>&1 || vm_die "missing tool mkfs.jffs2 (mtd-utils)"
pi_rootfs
pi_squash "$VM_WORK/root.sqfs"
# A jffs2 of 8 MiB with 64 KiB erase blocks, the size of a small router's flash, holding
# only the overlay's empty upper/ (an empty one is all 0xff: blank, see docs/preinit.md).
mkdir -p "$VM_WORK/jffs2-root/upper"
mkfs.jffs2 -q -l -e 64KiB -p -n --pad=0x800000 -r "$VM_WORK/jffs2-root" -o "$VM_WORK/data.img" ||
	vm_die "mkfs.jffs2 failed"
pi_initramfs block2mtd mtdblock jffs2 <<'EOF2'
failsafe_wait 300ms
net no
module virtio_pci virtio_blk squashfs overlay block2mtd mtdblock jffs2
root /dev/vda
data mtdblock0
EOF2
PI_DISKS="$VM_WORK/root.sqfs $VM_WORK/data.img"
PI_APPEND="block2mtd.block2mtd=/dev/vdb,65536"
pi_boot
check "jffs2: block2mtd given its kernel option" \
	vm_wait '^preinit: module kernel/drivers/mtd/devices/block2mtd.ko: block2mtd=/dev/vdb,65536' 60
check "jffs2: overlay on the jffs2 data partition" vm_wait '^preinit: overlay: data /dev/mtdblock0 \(jffs2\)' 30
check "jffs2: keel shell" pi_shell_ready
check "jffs2: /overlay is jffs2 on the MTD" vm_run 'grep -qE "^(mtd0|/dev/mtdblock0) /overlay jffs2" /proc/mounts'
check "jffs2: write a file" vm_run 'echo on-flash > /root/flash && sync'
check "jffs2: power off" pi_poweroff
pi_boot
check "jffs2 reboot: keel shell" pi_shell_ready
check "jffs2 reboot: file survived" vm_run 'grep -qx on-flash /root/flash'
check "jffs2 reboot: power off" pi_poweroff
vm_finish
