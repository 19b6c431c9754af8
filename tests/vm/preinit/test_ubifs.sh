#!/bin/bash
# test_ubifs: the writable layer on UBI over raw NAND — the kernel's nandsim as the flash, preinit attaches it (/dev/ubi_ctrl), creates the volume, mounts UBIFS as the overlay.
# SPDX-License-Identifier: MIT
# Debian's generic kernel has nandsim, ubi and ubifs as modules (the cloud kernel has no
# MTD). nandsim keeps its flash in RAM, so a reboot starts from erased flash again: the
# test covers the first boot (attach of an empty MTD, the volume made, UBIFS formatting it
# at its first mount) and a write through the overlay. UBIFS's module starts only with
# every compressor it was built with: zstd is a module of its own in this kernel.
VM_KERNEL=generic
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib.sh"
vm_setup preinit_ubifs
pi_rootfs
pi_squash "$VM_WORK/root.sqfs"
pi_initramfs nandsim ubi zstd ubifs <<'EOF2'
failsafe_wait 0
net no
module virtio_pci virtio_blk squashfs overlay nandsim ubi zstd ubifs
root /dev/vda
ubi_mtd 0
data ubi0:rootfs_data
EOF2
PI_DISKS="$VM_WORK/root.sqfs"
# 128 MiB of large-page NAND (2 KiB pages, 128 KiB erase blocks); nandsim allocates a
# page only when it is written.
PI_APPEND="nandsim.first_id_byte=0x20 nandsim.second_id_byte=0xa1 nandsim.third_id_byte=0x00 nandsim.fourth_id_byte=0x15"
pi_boot
check "ubifs: nandsim given its ids" vm_wait '^preinit: module .*nandsim.ko: .*first_id_byte=0x20' 90
check "ubifs: MTD attached to UBI" vm_wait '^preinit: ubi: mtd0 attached as ubi0 \([0-9]+ of [0-9]+ erase blocks free\)' 60
check "ubifs: the volume made" vm_wait '^preinit: ubi0: volume rootfs_data created \([0-9]+ bytes\)' 30
check "ubifs: overlay on it" vm_wait '^preinit: overlay: data ubi0:rootfs_data \(ubifs\)' 30
check "ubifs: keel shell" pi_shell_ready
check "ubifs: /overlay is UBIFS" vm_run 'grep -q "^ubi0:rootfs_data /overlay ubifs" /proc/mounts'
check "ubifs: state says data" vm_run 'grep -qx overlay=data /run/preinit/state && grep -qx data=ubi0:rootfs_data /run/preinit/state'
check "ubifs: a file written through the overlay" \
	vm_run 'echo on-nand >/root/nand && sync && [ "$(cat /overlay/upper/root/nand)" = on-nand ]'
check "ubifs: power off" pi_poweroff
vm_finish
