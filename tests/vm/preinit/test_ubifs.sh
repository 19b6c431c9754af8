#!/bin/bash
# test_ubifs: the writable layer on UBI over raw NAND — the kernel's nandsim as the flash, preinit attaches it (/dev/ubi_ctrl), creates the volume, mounts UBIFS as the overlay; then an upgrade writes raw flash (block2mtd) erase block by erase block and keeps the config on the UBIFS layer.
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
MKIMAGE=$KEEL_SRC/build/keel-mkimage
[ -x "$MKIMAGE" ] || MKIMAGE=$KEEL_BUILD/keel-mkimage
pi_rootfs
vm_install_prog "$KEEL_BUILD/sysupgrade" /sbin/sysupgrade
mkdir -p "$VM_ROOT/etc/keel" "$VM_ROOT/usr/share/test"
# The second MTD (block2mtd over vdb, NOR-like 64 KiB erase blocks) takes a raw part.
printf 'board qemu-keel\npart raw /dev/mtd1\nnet no\n' >"$VM_ROOT/etc/keel/upgrade.conf"
head -c 196608 /dev/urandom >"$VM_WORK/raw.bin"
"$MKIMAGE" -b qemu-keel -V raw1 -o "$VM_ROOT/usr/share/test/raw.img" raw="$VM_WORK/raw.bin" ||
	vm_die "keel-mkimage failed"
pi_squash "$VM_WORK/root.sqfs"
truncate -s 1M "$VM_WORK/mtd.img"
pi_initramfs nandsim ubi zstd ubifs block2mtd <<'EOF2'
failsafe_wait 0
net no
module virtio_pci virtio_blk squashfs overlay nandsim ubi zstd ubifs block2mtd
root /dev/vda
ubi_mtd 0
data ubi0:rootfs_data
EOF2
PI_DISKS="$VM_WORK/root.sqfs $VM_WORK/mtd.img"
# 128 MiB of large-page NAND (2 KiB pages, 128 KiB erase blocks); nandsim allocates a
# page only when it is written.
PI_APPEND="nandsim.first_id_byte=0x20 nandsim.second_id_byte=0xa1 nandsim.third_id_byte=0x00 nandsim.fourth_id_byte=0x15 block2mtd.block2mtd=/dev/vdb,65536"
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
check "raw flash: keep a setting on UBIFS" vm_run 'mkdir -p /etc/config && echo nand >/etc/config/n && sync'
vm_mark
vm_send 'cp /usr/share/test/raw.img /tmp/ && sysupgrade /tmp/raw.img'
check "raw flash: erased and written block by block" \
	vm_wait 'upgrade: writing raw -> /dev/mtd1 \(196608 bytes, erasing raw flash\)' 60
check "raw flash: read back" vm_wait 'upgrade: raw -> /dev/mtd1: written and read back' 60
check "raw flash: kept files on the UBIFS layer" vm_wait 'upgrade: kept files stored on ubi0:rootfs_data' 30
check "raw flash: reboot" vm_wait_exit 60
check "raw flash: the disk under the MTD holds the part" cmp -s -n 196608 "$VM_WORK/raw.bin" "$VM_WORK/mtd.img"
vm_finish
