#!/bin/bash
# test_upgrade: sysupgrade through the RAM root on the virtual disk — a corrupt image refused with nothing changed; v1 -> v2 keeping /etc/config; v2 -> v3 with -n; factory reset through the same stage; UDP progress.
# SPDX-License-Identifier: MIT
# Each image carries the next one (v1 holds v2.img and a corrupt copy, v2 holds v3.img), so
# the guest needs no network to fetch them. /dev/vda is the root squashfs, rewritten in
# place (one slot); /dev/vdb the ext4 data partition. Under TCG each boot takes 5-10 s.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib.sh"
vm_setup preinit_upgrade
MKIMAGE=$KEEL_SRC/build/keel-mkimage
[ -x "$MKIMAGE" ] || MKIMAGE=$KEEL_BUILD/keel-mkimage
[ -x "$MKIMAGE" ] || vm_die "no keel-mkimage (make)"
[ -x "$KEEL_BUILD/sysupgrade" ] || vm_die "no sysupgrade in $KEEL_BUILD"

pi_rootfs
vm_install_prog "$KEEL_BUILD/sysupgrade" /sbin/sysupgrade
mkdir -p "$VM_ROOT/etc/keel" "$VM_ROOT/usr/share/test"
cat >"$VM_ROOT/etc/keel/upgrade.conf" <<'EOF2'
board qemu-keel
part rootfs /dev/vda
iface eth0
EOF2
# A file that is kept because the keep list names it, and one of /etc that is not.
printf '/etc/dropbear-test\n' >"$VM_ROOT/etc/sysupgrade.conf"

# image VERSION: the root as it is now, with that marker, as $VM_WORK/VERSION.img
image() {
	echo "$1" >"$VM_ROOT/etc/keel-version"
	pi_squash "$VM_WORK/$1.sqfs"
	"$MKIMAGE" -b qemu-keel -V "$1" -o "$VM_WORK/$1.img" rootfs="$VM_WORK/$1.sqfs" ||
		vm_die "keel-mkimage $1 failed"
}
image v3
cp "$VM_WORK/v3.img" "$VM_ROOT/usr/share/test/next.img"
image v2
cp "$VM_WORK/v2.img" "$VM_ROOT/usr/share/test/next.img"
cp "$VM_WORK/v2.img" "$VM_ROOT/usr/share/test/corrupt.img"
# One payload byte changed: the header still parses, the checksum does not match.
python3 - "$VM_ROOT/usr/share/test/corrupt.img" <<'PY' || vm_die "corrupting failed"
import sys
with open(sys.argv[1], "r+b") as f:
    f.seek(4096)
    b = f.read(1)
    f.seek(4096)
    f.write(bytes([b[0] ^ 0x5a]))
PY
echo v1 >"$VM_ROOT/etc/keel-version"
pi_squash "$VM_WORK/root.sqfs"
truncate -s 64M "$VM_WORK/data.img"
mkfs.ext4 -q -F -L data "$VM_WORK/data.img" || vm_die "mkfs.ext4 failed"

pi_initramfs <<'EOF2'
failsafe_wait 0
module virtio_pci virtio_blk virtio_net squashfs overlay
root /dev/vda
data LABEL=data
iface eth0
ipaddr 10.0.2.15/24
EOF2
PI_DISKS="$VM_WORK/root.sqfs $VM_WORK/data.img"
PI_PCAP=$VM_WORK/upgrade.pcap
sum0=$(sha256sum <"$VM_WORK/root.sqfs")

# Boot 1: v1. A corrupt image is refused by sysupgrade with nothing stopped or written.
pi_boot
check "v1: keel shell" pi_shell_ready
check "v1: runs v1" vm_run 'grep -qx v1 /etc/keel-version'
check "v1: write config and other files" \
	vm_run 'mkdir -p /etc/config && echo "option mark kept-from-v1" >/etc/config/test && echo key >/etc/dropbear-test && echo scratch >/root/scratch && sync'
vm_run 'sysupgrade /usr/share/test/corrupt.img; echo "rc=$?"' 30
cp "$VM_OUT" "$VM_WORK/corrupt.out"
check "corrupt: refused (exit 1)" grep -q '^rc=1' "$VM_WORK/corrupt.out"
check "corrupt: says the checksum does not match" grep -q 'payload checksum mismatch (corrupt image)' "$VM_WORK/corrupt.out"
check "corrupt: every service still running" vm_run 'keelctl status getty | grep -q running && keelctl upgrade | grep -q ^idle'
check "corrupt: v1 still runs, the disk is unchanged" \
	sh -c "[ \"\$(sha256sum <'$VM_WORK/root.sqfs')\" = '$sum0' ]"
check "sysupgrade -T: the good image passes" vm_run 'sysupgrade -T /usr/share/test/next.img'
check "sysupgrade -l lists the kept files" vm_run 'sysupgrade -l | grep -qx /etc/config/test && sysupgrade -l | grep -qx /etc/dropbear-test'

# The upgrade to v2, keeping the config.
vm_mark
vm_send 'cp /usr/share/test/next.img /tmp/v2.img && sysupgrade -v /tmp/v2.img'
check "v1->v2: keel checks the image" vm_wait 'keel: upgrade: /tmp/v2.img verified: stopping every service' 60
check "v1->v2: stage runs in the RAM root" vm_wait 'upgrade: stage running as PID 1 in a RAM root \(firmware upgrade\)' 60
check "v1->v2: nothing of the old root left mounted" vm_wait 'upgrade: old root unmounted' 30
check "v1->v2: image checked again in the stage" vm_wait 'upgrade: image /tmp/v2.img: board qemu-keel, version v2' 30
check "v1->v2: written and read back" vm_wait 'upgrade: rootfs -> /dev/vda: written and read back' 60
check "v1->v2: kept files stored" vm_wait 'upgrade: kept files stored on /dev/vdb' 30
check "v1->v2: reboot" vm_wait_exit 60
check "v1->v2: steps in order" vm_in_order 'keel: upgrade: checking /tmp/v2.img' 'keel: stopping services' \
	'keel: upgrade: exec the stage' 'upgrade: old root unmounted' 'upgrade: writing rootfs' '100% written' \
	'upgrade: done: version v2 installed' 'upgrade: finished: rebooting'
vm_note "UDP messages of the stage:"
python3 "$KEEL_SRC/tests/vm/preinit/pcap.py" "$PI_PCAP" 4919 | grep 'upgrade:' >"$VM_WORK/udp.txt"
sed 's/^/#   /' "$VM_WORK/udp.txt" | head -n 20
check "udp: the stage's progress sent" grep -q 'upgrade: rootfs -> /dev/vda: 50% written' "$VM_WORK/udp.txt"
check "udp: the end sent" grep -q 'upgrade: finished: rebooting' "$VM_WORK/udp.txt"
check "disk: vda holds v2 now" sh -c "cmp -s -n \$(stat -c %s '$VM_WORK/v2.sqfs') '$VM_WORK/v2.sqfs' '$VM_WORK/root.sqfs'"

# Boot 2: v2 with the old config; then v2 -> v3 without it (-n).
PI_PCAP=
pi_boot
check "v2: preinit restores the kept files" vm_wait 'preinit: upgrade: kept files restored from /overlay/sysupgrade.tgz' 60
check "v2: keel shell" pi_shell_ready
check "v2: runs v2" vm_run 'grep -qx v2 /etc/keel-version'
check "v2: /etc/config kept" vm_run 'grep -qx "option mark kept-from-v1" /etc/config/test'
check "v2: sysupgrade.conf's file kept" vm_run 'grep -qx key /etc/dropbear-test'
check "v2: other changes gone" vm_run '! [ -e /root/scratch ]'
check "v2: the stage's log kept on the data partition" \
	vm_run 'grep -q "rootfs -> /dev/vda: written and read back" /overlay/upgrade/upgrade.log'
check "v2: keel's last log passed on and kept" \
	vm_run 'grep -q "/tmp/v2.img verified: stopping every service" /overlay/upgrade/keel.log'
check "sysupgrade -b: a .tar.gz of the kept files" \
	vm_run 'sysupgrade -q -b /tmp/b.tgz && tar -tzf /tmp/b.tgz | grep -qx etc/config/test'
check "sysupgrade -r: restores them" \
	vm_run 'rm /etc/config/test && sysupgrade -q -r /tmp/b.tgz && grep -q kept-from-v1 /etc/config/test'
check "sysupgrade -c: changed files of /etc kept too" \
	vm_run 'echo changed >/etc/motd && sysupgrade -c -l | grep -qx /etc/motd && ! sysupgrade -l | grep -qx /etc/motd'
vm_mark
vm_send 'cp /usr/share/test/next.img /tmp/v3.img && sysupgrade -n /tmp/v3.img'
check "v2->v3 -n: config not kept" vm_wait 'upgrade: config not kept \(-n\): the new image starts clean' 90
check "v2->v3 -n: reboot" vm_wait_exit 60

# Boot 3: v3 without the config; then a factory reset through the same stage.
pi_boot
check "v3: keel shell" pi_shell_ready
check "v3: runs v3" vm_run 'grep -qx v3 /etc/keel-version'
check "v3: -n dropped the config" vm_run '! [ -e /etc/config/test ] && ! [ -e /etc/dropbear-test ]'
check "v3: write config again" vm_run 'mkdir -p /etc/config && echo new >/etc/config/test && sync'
vm_mark
vm_send 'keelctl firstboot'
check "firstboot: stage in the RAM root" vm_wait 'upgrade: stage running as PID 1 in a RAM root \(factory reset\)' 60
check "firstboot: layer emptied" vm_wait 'upgrade: factory reset: the writable layer on /dev/vdb is empty' 60
check "firstboot: reboot" vm_wait_exit 60

# Boot 4: v3 as after flashing.
pi_boot
check "after reset: keel shell" pi_shell_ready
check "after reset: config gone, v3 runs" vm_run '! [ -e /etc/config/test ] && grep -qx v3 /etc/keel-version'
check "after reset: nothing set aside is left" vm_run '! ls -d /overlay/discard.* 2>/dev/null | grep -q .'
check "after reset: power off" pi_poweroff
check "data: e2fsck clean" vm_fsck "$VM_WORK/data.img"
vm_finish
