#!/bin/bash
# test_boot: initramfs -> squashfs root + ext4 overlay -> keel: persistence, binds, swap, UDP progress, no fd left on the old root.
# SPDX-License-Identifier: MIT
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib.sh"
vm_setup preinit_boot
pi_rootfs
echo "stock motd" | vm_file /etc/motd
echo "replaced motd" | vm_file /etc/motd.new
echo "stock issue" | vm_file /etc/issue
head -c 8M /dev/zero | gzip -1 >"$VM_WORK/swap.gz"
vm_copy "$VM_WORK/swap.gz" /usr/share/swap.gz
pi_squash "$VM_WORK/root.sqfs"

# Data partition with a ready swap file (random bytes: no holes for swapon to refuse).
mkdir -p "$VM_WORK/data"
head -c 8M /dev/urandom >"$VM_WORK/data/swapfile"
chmod 600 "$VM_WORK/data/swapfile"
mkswap "$VM_WORK/data/swapfile" >/dev/null || vm_die "mkswap failed"
truncate -s 64M "$VM_WORK/data.img"
mkfs.ext4 -q -F -b 4096 -L data -U 11111111-2222-3333-4444-555555555555 -d "$VM_WORK/data" \
	"$VM_WORK/data.img" || vm_die "mkfs.ext4 failed"

pi_initramfs zram lzo-rle <<'EOF2'
# test configuration
failsafe_wait 1s
module virtio_pci virtio_blk virtio_net squashfs overlay
root /dev/vda
data LABEL=data
iface eth0
ipaddr 10.0.2.15/24
bind /etc/motd.new /etc/motd
bind /etc/no-such-file /etc/issue
swap /overlay/swapfile
swap_archive /usr/share/swap.gz /overlay/swap-unpacked
zram 16
EOF2
PI_DISKS="$VM_WORK/root.sqfs $VM_WORK/data.img"
PI_PCAP=$VM_WORK/boot.pcap
pi_boot
check "boot: preinit starts from the initramfs" vm_wait '^preinit: starting from the initramfs' 30
check "boot: overlay on the data partition" vm_wait '^preinit: overlay: data /dev/vdb \(ext4\)' 20
check "boot: missing bind source reported and skipped" vm_wait '^preinit: error: bind /etc/no-such-file: .*skipped' 20
check "boot: preinit execs keel" vm_wait '^preinit: exec /sbin/keel' 20
check "boot: keel shell" pi_shell_ready
check "overlay: / is overlayfs" vm_run 'grep -q "^overlay / overlay" /proc/mounts'
check "overlay: write a file" vm_run 'echo persisted > /root/keep && sync'
check "bind: replaced file shows the new content" vm_run 'grep -qx "replaced motd" /etc/motd'
check "bind: rest intact" vm_run 'grep -qx "stock issue" /etc/issue && [ -x /bin/busybox ]'
vm_run 'cat /proc/swaps' && cp "$VM_OUT" "$VM_WORK/swaps"
check "swap: file active" grep -q '^/overlay/swapfile ' "$VM_WORK/swaps"
check "swap: archive-created file active" grep -q '^/overlay/swap-unpacked ' "$VM_WORK/swaps"
check "swap: zram active" grep -q '^/dev/zram0 ' "$VM_WORK/swaps"
# keel's descriptors: the console from the new /dev, nothing deleted (the initramfs), no
# file outside the kernel file systems and /run.
vm_run 'for f in /proc/1/fd/*; do readlink $f; done' && cp "$VM_OUT" "$VM_WORK/fds"
vm_note "keel's fds: $(tr '\n' ' ' <"$VM_WORK/fds")"
check "handover: keel holds no fd on the old root" \
	sh -c "[ -s '$VM_WORK/fds' ] && ! grep -Ev '^(/dev/|/run/|/proc/|socket:|pipe:|anon_inode:)' '$VM_WORK/fds' | grep -q . && ! grep -q deleted '$VM_WORK/fds'"
check "handover: keel's root is the new root" vm_run '[ "$(readlink /proc/1/root)" = / ] && [ "$(readlink /proc/1/exe)" = /sbin/keel ] && [ -d /rom/bin ]'
check "handover: no process but keel's" vm_run '! ps -o comm | grep -qw preinit'
check "state: /run/preinit/state" vm_run 'grep -qx overlay=data /run/preinit/state && grep -qx mode=initramfs /run/preinit/state'
check "power off cleanly" pi_poweroff
vm_note "UDP messages:"
python3 "$KEEL_SRC/tests/vm/preinit/pcap.py" "$PI_PCAP" 4919 >"$VM_WORK/udp.txt"
sed 's/^/#   /' "$VM_WORK/udp.txt"
check "udp: start message (sent from the backlog)" grep -q '^preinit: starting from the initramfs' "$VM_WORK/udp.txt"
check "udp: overlay message" grep -q '^preinit: overlay: data /dev/vdb' "$VM_WORK/udp.txt"
check "udp: exec message" grep -q '^preinit: exec /sbin/keel' "$VM_WORK/udp.txt"

# Second boot: the file written on the overlay is still there, the swap file is reused.
PI_PCAP=
pi_boot
check "reboot: keel shell" pi_shell_ready
check "reboot: file survived" vm_run 'grep -qx persisted /root/keep'
check "reboot: unpacked swap reused" vm_run 'grep -q "^/overlay/swap-unpacked " /proc/swaps'
check "reboot: power off" pi_poweroff
# keel remounts every file system read-only before unmounting it, so the data
# partition under the overlay root ends clean: no journal replay needed.
check "data: e2fsck -fn clean" sh -c "e2fsck -fn '$VM_WORK/data.img' >/dev/null 2>&1"
check "data: journal clean (no recovery needed)" \
	sh -c "! dumpe2fs -h '$VM_WORK/data.img' 2>/dev/null | grep -q needs_recovery"
vm_finish
