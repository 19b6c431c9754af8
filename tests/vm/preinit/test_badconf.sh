#!/bin/bash
# test_badconf: a broken /etc/preinit.conf is ignored as a whole: each error named FILE:LINE on the console, the built-in defaults (plus the kernel's preinit.* options) boot the system.
# SPDX-License-Identifier: MIT
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib.sh"
vm_setup preinit_badconf
pi_rootfs
pi_squash "$VM_WORK/root.sqfs"
truncate -s 32M "$VM_WORK/data.img"
mkfs.ext4 -q -F -L data "$VM_WORK/data.img" || vm_die "mkfs.ext4 failed"
# Lines 1 and 2 are valid but must not be used: half a configuration is worse than none.
pi_initramfs <<'EOF2'
failsafe_wait 9s
data LABEL=data
modul virtio_blk
port 70000
EOF2
PI_DISKS="$VM_WORK/root.sqfs $VM_WORK/data.img"
# The defaults load no modules and have no root: the kernel's root= and a preinit.module
# option (applied after the file, and not discarded with it) provide them.
PI_APPEND="root=/dev/vda preinit.module=virtio_pci,virtio_blk,squashfs,overlay"
pi_boot
check "badconf: unknown keyword named with file and line" \
	vm_wait '^preinit: error: /etc/preinit.conf:3: unknown keyword "modul"' 30
check "badconf: bad value named with file and line" \
	vm_wait '^preinit: error: /etc/preinit.conf:4: port: bad number "70000" \(0-65535\)' 5
check "badconf: says the defaults are used" \
	vm_wait '^preinit: error: /etc/preinit.conf: using the built-in defaults instead' 5
check "badconf: default failsafe window (2 s, not the file's 9 s)" \
	vm_wait '^preinit: press any key .* within 2\.0 s for failsafe mode' 10
check "badconf: kernel options still applied (modules loaded)" vm_wait '^preinit: modules: [1-9][0-9]* loaded$' 10
check "badconf: no data partition by default: tmpfs overlay" \
	vm_wait '^preinit: overlay: tmpfs \(no data partition configured\)' 20
check "badconf: boots into keel" pi_shell_ready
check "badconf: data partition not used" vm_run '! grep -q "^/dev/vdb" /proc/mounts && grep -qx overlay=tmpfs /run/preinit/state'
check "badconf: power off" pi_poweroff
vm_finish
