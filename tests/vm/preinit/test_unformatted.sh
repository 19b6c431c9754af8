#!/bin/bash
# test_unformatted: a blank data partition boots on tmpfs and is formatted by the booted system; then firstboot resets it.
# SPDX-License-Identifier: MIT
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib.sh"
vm_setup preinit_unformatted
pi_rootfs
pi_squash "$VM_WORK/root.sqfs"
truncate -s 32M "$VM_WORK/data.img"
pi_initramfs <<'EOF2'
failsafe_wait 500ms
net no
module virtio_pci virtio_blk squashfs overlay
root /dev/vda
data vdb
EOF2
PI_DISKS="$VM_WORK/root.sqfs $VM_WORK/data.img"
pi_boot
check "blank: reported, booting on tmpfs" vm_wait '^preinit: data /dev/vdb is unformatted: the booted system formats it' 30
check "blank: overlay is tmpfs" vm_wait '^preinit: overlay: tmpfs \(data partition unformatted\)' 5
check "blank: keel shell" pi_shell_ready
check "blank: write a file (early)" vm_run 'echo early > /root/early'
check "blank: formatted by the booted system" vm_wait 'preinit-format: /dev/vdb ready' 60
check "blank: write a file (after the format)" vm_run 'echo late > /root/late'
check "blank: power off" pi_poweroff
check "blank: data partition now ext4" sh -c "dumpe2fs -h '$VM_WORK/data.img' >/dev/null 2>&1"

pi_boot
check "formatted: overlay on the data partition" vm_wait '^preinit: overlay: data /dev/vdb \(ext' 30
check "formatted: keel shell" pi_shell_ready
check "formatted: file written before the format kept" vm_run 'grep -qx early /root/early'
check "formatted: file written after the format kept" vm_run 'grep -qx late /root/late'

# Factory reset: marked now, applied by preinit at the next boot.
# Typed, not vm_run: the reboot hangs up the shell before it can print the exit status.
vm_mark
vm_send 'preinit firstboot -y'
check "firstboot: marks and reboots" vm_wait '^preinit: firstboot: the overlay is discarded at the next boot' 20
check "firstboot: reboot ends QEMU" vm_wait_exit 60
pi_boot
check "firstboot: preinit discards the old overlay" vm_wait '^preinit: firstboot: old overlay set aside' 30
check "firstboot: keel shell" pi_shell_ready
check "firstboot: files gone" vm_run '! [ -e /root/early ] && ! [ -e /root/late ]'
check "firstboot: old layer deleted in the background" vm_run 'i=0; while ls -d /overlay/discard.* >/dev/null 2>&1; do i=$((i+1)); [ $i -lt 100 ] || exit 1; sleep 0.1; done'
check "firstboot: power off" pi_poweroff
vm_finish
