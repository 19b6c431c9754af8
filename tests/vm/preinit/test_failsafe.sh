#!/bin/bash
# test_failsafe: a key on the serial console during the window gives failsafe: read-only root, tmpfs overlay, shell, no keel.
# SPDX-License-Identifier: MIT
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib.sh"
vm_setup preinit_failsafe
pi_rootfs
pi_squash "$VM_WORK/root.sqfs"
truncate -s 32M "$VM_WORK/data.img"
mkfs.ext4 -q -F -L data "$VM_WORK/data.img" || vm_die "mkfs.ext4 failed"
pi_initramfs <<'EOF2'
failsafe_wait 4s
net no
module virtio_pci virtio_blk squashfs overlay
root /dev/vda
data LABEL=data
EOF2
PI_DISKS="$VM_WORK/root.sqfs $VM_WORK/data.img"
pi_boot
check "window: prompt shown" vm_wait '^preinit: press any key .* for failsafe mode' 30
vm_send f
check "window: key seen" vm_wait '^preinit: entering failsafe mode \(key on the console\)' 10
check "failsafe: tmpfs overlay, data partition not used" vm_wait '^preinit: overlay: tmpfs \(failsafe\)' 10
check "failsafe: announced" vm_wait '^preinit: failsafe mode: ' 10
check "failsafe: shell answers" vm_run true 30
check "failsafe: / is an overlay on tmpfs" vm_run 'grep -q "^overlay / overlay" /proc/mounts && grep -q "^tmpfs /overlay tmpfs" /proc/mounts'
check "failsafe: data partition not mounted" vm_run '! grep -q "^/dev/vdb" /proc/mounts'
check "failsafe: read-only root below" vm_run 'grep -q "^/dev/vda /rom squashfs ro" /proc/mounts'
check "failsafe: no services (no keel)" vm_run '! pidof keel'
check "failsafe: state says so" vm_run 'grep -qx failsafe=1 /run/preinit/state'
vm_send reboot
check "failsafe: reboot leaves it" vm_wait_exit 30
vm_note "$VM_NAME: boot 1: QEMU ran $(vm_fmt_ms ${VM_BOOT_MS:-0}) s"
check "data: untouched by failsafe" sh -c "e2fsck -fn '$VM_WORK/data.img' >/dev/null 2>&1"
vm_finish
