#!/bin/bash
# test_kexec: preinit kexecs a kernel of the new root (a second boot on the console, its own command line), and a missing kernel falls back to keel.
# SPDX-License-Identifier: MIT
# The cloud kernel has kexec_file_load built in (CONFIG_KEXEC_FILE, with the bzImage64 loader
# and its purgatory) and no forced signature check without UEFI Secure Boot, so the same
# vmlinuz that QEMU boots is put on the squashfs root and kexec'd under TCG.
# The second kernel gets an initramfs of its own whose preinit.conf has no kexec line (the
# first one's would kexec again, forever) and the marker keeltest.kexeced on its command line
# (a dotted word: the kernel keeps it from init, and keel warns only about keel.* words).
# loglevel=6 after quiet puts each kernel's "Linux version" banner (a notice) on the console.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib.sh"
vm_setup preinit_kexec
pi_rootfs
conf='failsafe_wait 0
net no
module virtio_pci virtio_blk squashfs overlay
root /dev/vda'
# The second boot's initramfs goes into the root, beside the kernel.
pi_initramfs <<<"$conf"
install -D -m 0644 "$VM_INITRD" "$VM_ROOT/boot/initrd"
install -D -m 0644 "$VM_KDIR/vmlinuz" "$VM_ROOT/boot/vmlinuz"
pi_squash "$VM_WORK/root.sqfs"
cp "$VM_INITRD" "$VM_WORK/initrd-plain.cpio"
pi_initramfs <<EOF2
$conf
kexec /boot/vmlinuz /boot/initrd "console=ttyS0 quiet keel.verbose loglevel=6 panic=-1 keeltest.kexeced"
EOF2
# keel_execs N: preinit exec'd keel N times since the boot began.
keel_execs() { [ "$(vm_console | grep -c '^preinit: exec /sbin/keel')" = "$1" ]; }
PI_DISKS=$VM_WORK/root.sqfs
PI_APPEND=loglevel=6
pi_boot
check "kexec: first kernel's banner" vm_wait 'Linux version [0-9]' 30
check "kexec: preinit loads the kernel of the new root" vm_wait '^preinit: kexec /boot/vmlinuz$' 60
check "kexec: the first kernel hands over" vm_wait 'kexec_core: Starting new kernel' 30
check "kexec: second kernel's banner" vm_wait_count 'Linux version [0-9]' 2 60
check "kexec: second boot reaches keel" vm_wait '^preinit: exec /sbin/keel' 60
check "kexec: preinit runs again under the second kernel" \
	vm_in_order '^preinit: kexec /boot/vmlinuz$' 'Linux version [0-9]' '^preinit: starting from the initramfs'
check "kexec: keel shell" pi_shell_ready
check "kexec: marker in /proc/cmdline" vm_run 'grep -qw keeltest.kexeced /proc/cmdline'
check "kexec: keel exec'd once (by the second boot only)" keel_execs 1
check "kexec: overlay root assembled again" vm_run 'grep -q "^overlay / overlay" /proc/mounts'
check "kexec: power off" pi_poweroff

# A kernel that is not there: said, and keel is started instead.
VM_INITRD=$VM_WORK/initrd-plain.cpio
PI_APPEND=preinit.kexec=/boot/missing
pi_boot
check "kexec missing: error on the console" \
	vm_wait '^preinit: error: kexec /boot/missing: No such file or directory; starting init instead' 60
check "kexec missing: keel started" vm_wait '^preinit: exec /sbin/keel' 10
check "kexec missing: keel shell" pi_shell_ready
check "kexec missing: same kernel (no marker)" vm_run '! grep -qw keeltest.kexeced /proc/cmdline'
check "kexec missing: power off" pi_poweroff
vm_finish
