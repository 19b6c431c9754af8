#!/bin/bash
# test_rootfs: preinit as the root file system's init (no initramfs): overlay over the read-only root, pivot_root, keel.
# SPDX-License-Identifier: MIT
# The cloud kernel has NVMe and ext4 built in (squashfs is a module there), so the read-only
# root is an ext4 image on NVMe mounted ro; preinit loads virtio and overlay from it.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib.sh"
vm_setup preinit_rootfs
pi_rootfs
vm_file /etc/preinit.conf <<'EOF2'
failsafe_wait 300ms
net no
module virtio_pci virtio_blk overlay
data LABEL=data
EOF2
truncate -s 64M "$VM_WORK/root.img"
mkfs.ext4 -q -F -d "$VM_ROOT" "$VM_WORK/root.img" || vm_die "mkfs.ext4 (root) failed"
truncate -s 32M "$VM_WORK/data.img"
mkfs.ext4 -q -F -L data "$VM_WORK/data.img" || vm_die "mkfs.ext4 (data) failed"
PI_NOINITRD=1 PI_NVME=$VM_WORK/root.img PI_DISKS=$VM_WORK/data.img
PI_APPEND="root=/dev/nvme0n1 ro rootwait init=/sbin/preinit"
pi_boot
check "rootfs: preinit starts from the root file system" vm_wait '^preinit: starting from the root file system' 30
check "rootfs: overlay on the data partition" vm_wait '^preinit: overlay: data /dev/vda \(ext4\)' 20
check "rootfs: pivot_root" vm_wait '^preinit: switching to the new root \(pivot_root\)' 10
check "rootfs: keel shell" pi_shell_ready
check "rootfs: / is the overlay, old root at /rom" vm_run 'grep -q "^overlay / overlay" /proc/mounts && grep -qE "^/dev/(root|nvme0n1) /rom ext4 ro" /proc/mounts'
check "rootfs: overlay is writable" vm_run 'echo hi > /etc/written && grep -qx hi /etc/written'
vm_run 'for f in /proc/1/fd/*; do readlink $f; done' && cp "$VM_OUT" "$VM_WORK/fds"
vm_note "keel's fds: $(tr '\n' ' ' <"$VM_WORK/fds")"
check "rootfs: keel holds no fd on the old root" \
	sh -c "[ -s '$VM_WORK/fds' ] && ! grep -Ev '^(/dev/|/run/|/proc/|socket:|pipe:|anon_inode:)' '$VM_WORK/fds' | grep -q ."
check "rootfs: nothing mounted below the old root" vm_run '! grep -E " /rom/" /proc/mounts'
check "rootfs: state" vm_run 'grep -qx mode=rootfs /run/preinit/state'
check "rootfs: power off" pi_poweroff
vm_finish
