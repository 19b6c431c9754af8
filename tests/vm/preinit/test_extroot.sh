#!/bin/bash
# test_extroot: the overlay on a second disk when its id matches this device (after fsck); a clear fallback when the id does not match or fsck fails.
# SPDX-License-Identifier: MIT
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib.sh"
vm_setup preinit_extroot
pi_rootfs
pi_squash "$VM_WORK/root.sqfs"
uuid=11111111-2222-3333-4444-555555555555
truncate -s 32M "$VM_WORK/data.img"
mkfs.ext4 -q -F -L data -U $uuid "$VM_WORK/data.img" || vm_die "mkfs.ext4 failed"
# The extroot carries the id of the device it was set up for: the data partition's UUID.
mkdir -p "$VM_WORK/ext"
echo $uuid >"$VM_WORK/ext/.preinit-id"
truncate -s 64M "$VM_WORK/ext.img"
mkfs.ext4 -q -F -L usb -d "$VM_WORK/ext" "$VM_WORK/ext.img" || vm_die "mkfs.ext4 failed"
PI_INITRAMFS_PROGS=$(command -v e2fsck || echo /sbin/e2fsck)
PI_XZ_MODULES=overlay
pi_initramfs <<'EOF2'
failsafe_wait 300ms
net no
module virtio_pci virtio_blk squashfs overlay
root /dev/vda
data LABEL=data
extroot LABEL=usb
EOF2
PI_DISKS="$VM_WORK/root.sqfs $VM_WORK/data.img $VM_WORK/ext.img"
pi_boot
check "modules: overlay.ko.xz loaded" vm_wait '^preinit: module kernel/fs/overlayfs/overlay.ko.xz: unpacked with xz' 30
check "modules: all loaded" vm_wait '^preinit: modules: [0-9]+ loaded$' 5
check "extroot: fsck run first" vm_wait '^preinit: extroot: .*e2fsck -p /dev/vdc' 30
check "extroot: used as the overlay" vm_wait '^preinit: extroot: /dev/vdc \(ext4\) as the overlay' 20
check "extroot: keel shell" pi_shell_ready
check "extroot: /overlay is the external disk" vm_run 'grep -q "^/dev/vdc /overlay ext4" /proc/mounts'
check "extroot: write a file" vm_run 'echo on-usb > /root/usb && sync'
check "extroot: power off" pi_poweroff
check "extroot: file landed on the external disk" vm_disk_get "$VM_WORK/ext.img" /upper/root/usb "$VM_WORK/usb.out"

# Same disk, id of another device: fall back to the internal overlay, and say so.
echo 99999999-0000-0000-0000-000000000000 >"$VM_WORK/wrong-id"
debugfs -w -R "rm .preinit-id" "$VM_WORK/ext.img" >/dev/null 2>&1
debugfs -w -R "write $VM_WORK/wrong-id .preinit-id" "$VM_WORK/ext.img" >/dev/null 2>&1
pi_boot
check "mismatch: clear message" vm_wait '^preinit: error: extroot /dev/vdc: id "99999999-0000-0000-0000-000000000000" does not match this device \(11111111-2222-3333-4444-555555555555\); using the internal overlay' 30
check "mismatch: internal overlay used" vm_wait '^preinit: overlay: data \(fallback from extroot\)' 10
check "mismatch: keel shell" pi_shell_ready
check "mismatch: /overlay is the data partition" vm_run 'grep -q "^/dev/vdb /overlay ext4" /proc/mounts && ! grep -q "^/dev/vdc" /proc/mounts'
check "mismatch: power off" pi_poweroff

# Same disk, damaged beyond what e2fsck -p may repair (root inode cleared, marked not
# clean so the check is not skipped): e2fsck exits 4, the disk is not mounted, and the
# internal overlay is used. The superblock is intact, so the probe still says ext4.
debugfs -w -R "clri <2>" "$VM_WORK/ext.img" >/dev/null 2>&1
debugfs -w -R "ssv state 0" "$VM_WORK/ext.img" >/dev/null 2>&1
cp "$VM_WORK/ext.img" "$VM_WORK/ext.copy"
e2fsck -p "$VM_WORK/ext.copy" >/dev/null 2>&1
[ $? -ge 4 ] || vm_die "the damaged image does not make e2fsck -p fail"
rm -f "$VM_WORK/ext.copy"
pi_boot
check "fsck: run on the damaged disk" vm_wait '^preinit: extroot: .*e2fsck -p /dev/vdc' 30
check "fsck: clear message" vm_wait '^preinit: error: extroot /dev/vdc: fsck found errors it could not repair; using the internal overlay' 20
check "fsck: internal overlay used" vm_wait '^preinit: overlay: data \(fallback from extroot\)' 10
check "fsck: keel shell" pi_shell_ready
check "fsck: /overlay is the data partition, the damaged disk not mounted" vm_run 'grep -q "^/dev/vdb /overlay ext4" /proc/mounts && ! grep -q "^/dev/vdc" /proc/mounts'
check "fsck: power off" pi_poweroff
vm_finish
