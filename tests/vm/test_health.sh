#!/bin/bash
# test_health: boot health across real reboots on one disk — a healthy boot commits and zeroes the counter, unhealthy ones are counted and reboot (or stay), keelctl health shows the verdict.
# SPDX-License-Identifier: MIT
# The counter must be readable when keel starts (it is incremented then, so a boot that
# hangs stays counted): the disk is keel's root file system itself, an ext4 image on
# NVMe (built into the cloud kernel, like ext4), booted with root= and init=/sbin/keel;
# the initramfs QEMU is given holds no /init, so the kernel mounts root= itself.
# -no-reboot: every reboot ends QEMU, and the next boot is QEMU run again on the same
# image, checked with e2fsck and read with debugfs in between.
#   boot 1  healthy: commit runs, counter 1 at start, then 0
#   boot 2  /data/broken switches the required service's readiness off: unhealthy
#           after 5 s, keel reboots by itself; counter 1
#   boot 3  --health-file with on-unhealthy stay: keelctl health says unhealthy; counter 2
#   boot P  through preinit (rootfs entry, data disk as overlay): counter 2 reaches
#           health_fallback 2, failsafe mode (skipped without a preinit binary)
#   boot 4  marker removed (debugfs): healthy again, commit, counter 3 at start, then 0
. "$(dirname "$0")/lib.sh"
vm_setup test_health
# overlay and the virtio disk: for the boot through preinit only.
VM_MODULES="virtio_pci virtio_blk overlay"
# ends_or_kill SECONDS: QEMU ends by itself in time; if not, it is killed, so the next
# boot does not start beside it.
ends_or_kill() { vm_wait_exit "$1" || { vm_kill; return 1; }; }
vm_root_new
vm_guest_helpers
T=/usr/libexec/keel-test
COUNTER=/data/keel/bootcount
mkdir -p "$VM_ROOT/data/keel"

vm_service getty <"$KEEL_SRC/examples/services/getty"
vm_file $T/app 0755 <<'X'
#!/bin/sh
# app: the service the health file requires: ready (a line on fd 3) unless /data/broken exists.
if [ -e /data/broken ]; then
	echo "TEST: app held back by /data/broken" >/dev/console
	exec sleep 100000
fi
echo >&3
exec 3>&-
echo "TEST: app ready" >/dev/console
exec sleep 100000
X
vm_service app <<EOF
description "required app"
type respawn
ready fd 3 timeout 1m
exec $T/app
EOF
vm_file $T/commit 0755 <<'X'
#!/bin/sh
# commit: the health file's commit command: counts its runs on the disk.
n=$(($(cat /data/keel/commits 2>/dev/null || echo 0) + 1))
echo $n >/data/keel/commits
echo "TEST: commit $n" >/dev/console
X
health_file() {
	cat <<EOF
# the app must be ready within 5 s of keel's start
require app
within 5s
commit $T/commit
counter $COUNTER
fallback-after 2
on-unhealthy $1
EOF
}
health_file reboot | vm_file /etc/keel/health
health_file stay | vm_file /etc/keel/health-stay
# preinit, when this build has it, with the counter keel keeps.
PI_OK=
PI_OK_WHY="no preinit in $KEEL_BUILD"
if [ -x "$KEEL_BUILD/preinit" ]; then
	vm_install_prog "$KEEL_BUILD/preinit" /sbin/preinit
	mkdir -p "$VM_ROOT/rom" "$VM_ROOT/overlay" "$VM_ROOT/mnt"
	vm_file /etc/preinit.conf <<EOF
failsafe_wait 0
net no
module virtio_pci virtio_blk overlay
data LABEL=data
health_counter $COUNTER
health_fallback 2
EOF
	PI_OK=1
fi

ROOT_IMG=$VM_WORK/root.img
truncate -s 48M "$ROOT_IMG"
mkfs.ext4 -q -F -L root -d "$VM_ROOT" "$ROOT_IMG" || vm_die "mkfs.ext4 -d failed"
# An initramfs without /init: the kernel goes on to mount root= (an empty archive).
VM_INITRD=$VM_WORK/empty.cpio
cpio -o -H newc --quiet </dev/null >"$VM_INITRD" || vm_die "cpio failed"
VM_QEMU_EXTRA="-drive file=$ROOT_IMG,format=raw,if=none,id=root -device nvme,drive=root,serial=keelroot"
VM_NOREBOOT=1
BOOT_ARGS="root=/dev/nvme0n1 rootfstype=ext4 rw rootwait init=/sbin/keel"

# disk_file PATH: a file's text on the image (host side, QEMU not running).
disk_file() { vm_disk_get "$ROOT_IMG" "$1" "$VM_WORK/got" && cat "$VM_WORK/got"; }
# health_json: keelctl --json health in the guest, its one line in $VM_WORK/health.json.
health_json() {
	vm_run 'keelctl --json health' 20
	local rc=$?
	grep -E '^\{' "$VM_OUT" | head -n 1 >"$VM_WORK/health.json"
	vm_note "keelctl --json health (exit $rc): $(cat "$VM_WORK/health.json")"
}
hj() { grep -qE -- "$1" "$VM_WORK/health.json"; }
# guest_counter_is N: the file in the guest says N (the writer is a child: polled).
guest_counter_is() {
	vm_run "i=0; until [ \"\$(cat $COUNTER 2>/dev/null)\" = $1 ]; do i=\$((i+1)); [ \$i -lt 50 ] || exit 1; sleep 0.1; done" 15
}
counter_line() { printf '^keel: boot health: failed-boot counter %s: %s$' "$COUNTER" "$1"; }
UNHEALTHY_RE='^keel: boot unhealthy: app not ready within 5s'

# ---------------- boot 1: healthy ----------------
VM_APPEND=$BOOT_ARGS
vm_boot
check "boot 1: keel starts from the disk" vm_wait '^keel: keel .* starting' 60
check "boot 1: counter incremented at start (no file yet: 1)" vm_wait "$(counter_line 1)" 10
check "boot 1: app ready" vm_wait '^TEST: app ready' 20
check "boot 1: healthy, commit started" vm_wait '^keel: boot healthy at [0-9.]+s uptime: running commit' 10
check "boot 1: commit ran" vm_wait '^TEST: commit 1$' 10
check "boot 1: commit reported done" vm_wait '^keel: boot health: commit .* done' 10
check "boot 1: serial shell answers" vm_run true 30
check "boot 1: counter file back to 0" guest_counter_is 0
vm_run 'keelctl health' 20
vm_note "keelctl health: $(grep -v '^keel:' "$VM_OUT")"
check "boot 1: keelctl health: healthy, committed at, counter 0" eval \
	"grep -qE '^healthy.*committed at [0-9.]+ s.*\\b0\\b' '$VM_OUT'"
health_json
check "boot 1: --json: healthy, counter 0" eval 'hj "\"health\": *\"healthy\"" && hj "\"counter\": *0[,}]"'
# The marker goes on the disk for the next boot, then the reboot.
check "boot 1: marker /data/broken made" vm_run 'touch /data/broken && sync' 20
vm_mark
vm_send 'keelctl reboot'
check "boot 1: keelctl reboot ends QEMU" ends_or_kill 40
check "boot 1: disk clean" vm_fsck "$ROOT_IMG"
check "boot 1: counter on disk 0" [ "$(disk_file $COUNTER)" = 0 ]
check "boot 1: commit ran once" [ "$(disk_file /data/keel/commits)" = 1 ]

# ---------------- boot 2: unhealthy, keel reboots by itself ----------------
vm_boot
check "boot 2: keel starts" vm_wait '^keel: keel .* starting' 60
t_start=$(vm_now_ms)
check "boot 2: counter incremented at start: 1" vm_wait "$(counter_line 1)" 10
check "boot 2: app held back by the marker" vm_wait '^TEST: app held back' 20
# Seen only if the shell answers inside the 5 s (a loaded host may be too slow).
if vm_run 'keelctl health' 4 && grep -qE '^waiting' "$VM_OUT"; then
	vm_note "boot 2, before the deadline: $(grep -v '^keel:' "$VM_OUT")"
	check "boot 2: keelctl health: waiting: app (N s left), counter 1" \
		grep -qE '^waiting: app \([0-9]+ s left\).*\b1\b' "$VM_OUT"
else
	vm_note "boot 2: keelctl health not answered before the deadline (not checked)"
fi
check "boot 2: unhealthy after 5 s, keel reboots" vm_wait "$UNHEALTHY_RE; rebooting \\(on-unhealthy reboot\\)" 20
ms=$(($(vm_now_ms) - t_start))
check "boot 2: verdict about 5 s after keel's start ($(vm_fmt_ms $ms) s)" eval "[ $ms -ge 3500 ] && [ $ms -le 9000 ]"
check "boot 2: QEMU exits (the reboot)" ends_or_kill 40
check "boot 2: keel's shutdown sequence after the verdict" vm_in_order "$UNHEALTHY_RE" \
	'^keel: stopping services' '^keel: rebooting'
check "boot 2: no commit" eval '! vm_console 0 | grep -q "^TEST: commit 2"'
check "boot 2: disk clean" vm_fsck "$ROOT_IMG"
check "boot 2: counter on disk 1" [ "$(disk_file $COUNTER)" = 1 ]

# ---------------- boot 3: unhealthy, on-unhealthy stay (--health-file) ----------------
# Arguments after "--" on the kernel command line are init's.
VM_APPEND="$BOOT_ARGS -- --health-file /etc/keel/health-stay"
vm_boot
check "boot 3: keel starts" vm_wait '^keel: keel .* starting' 60
check "boot 3: counter incremented at start: 2" vm_wait "$(counter_line 2)" 10
check "boot 3: unhealthy after 5 s, stays up" vm_wait "$UNHEALTHY_RE; staying up \\(on-unhealthy stay\\)" 20
check "boot 3: serial shell answers" vm_run true 30
vm_run 'keelctl health' 20
vm_note "keelctl health: $(grep -v '^keel:' "$VM_OUT")"
check "boot 3: keelctl health: unhealthy: app not ready within 5s, counter 2" \
	grep -qE '^unhealthy: app not ready within 5s.*\b2\b' "$VM_OUT"
health_json
check "boot 3: --json: unhealthy, detail, counter 2" eval \
	'hj "\"health\": *\"unhealthy\"" && hj "\"detail\": *\"app not ready within 5s\"" && hj "\"counter\": *2[,}]"'
check "boot 3: counter file says 2" guest_counter_is 2
check "boot 3: still up, no reboot" eval 'vm_alive && ! vm_seen "^keel: rebooting"'
vm_mark
vm_send 'keelctl reboot'
check "boot 3: keelctl reboot ends QEMU" ends_or_kill 40
check "boot 3: disk clean" vm_fsck "$ROOT_IMG"
check "boot 3: counter on disk 2" [ "$(disk_file $COUNTER)" = 2 ]

# ---------------- boot P: through preinit, 2 failed boots: failsafe ----------------
# preinit as the root file system's init (docs/preinit.md, "rootfs entry"): the disk is
# the read-only lower layer, a second disk the writable one. The counter it reads is the
# path keel uses, in the assembled root: here keel's file on the lower layer (2), so
# preinit's reset to 0 lands in the upper layer, on the data disk.
if [ -n "$PI_OK" ]; then
	VM_DISK=$VM_WORK/data.img
	vm_disk "$VM_DISK" 16
	VM_APPEND="root=/dev/nvme0n1 ro rootwait init=/sbin/preinit"
	vm_boot
	check "preinit: starts from the root file system" vm_wait '^preinit: starting from the root file system' 60
	check "preinit: 2 unhealthy boots: failsafe" vm_wait '^preinit: 2 unhealthy boots: failsafe' 30
	check "preinit: failsafe announced" vm_wait '^preinit: failsafe mode: ' 20
	check "preinit: failsafe shell answers" vm_run true 30
	check "preinit: state says failsafe, keel not running" vm_run 'grep -qx failsafe=1 /run/preinit/state && ! pidof keel' 20
	vm_send reboot
	check "preinit: reboot leaves failsafe" ends_or_kill 30
	check "preinit: root disk clean, keel's counter there still 2" eval \
		'vm_fsck "$ROOT_IMG" && [ "$(disk_file $COUNTER)" = 2 ]'
	got=$(debugfs -R "cat /upper$COUNTER" "$VM_DISK" 2>/dev/null)
	vm_note "counter in the data disk's upper layer: '$got'"
	check "preinit: counter written back to 0 (the data disk's upper layer)" [ "$got" = 0 ]
	VM_DISK=
else
	vm_note "boot P (preinit failsafe) skipped: $PI_OK_WHY"
fi

# ---------------- boot 4: marker removed, healthy again ----------------
debugfs -w -R 'rm /data/broken' "$ROOT_IMG" >"$VM_WORK/debugfs.log" 2>&1
check "boot 4: marker removed on the host" eval '! debugfs -R "stat /data/broken" "$ROOT_IMG" 2>&1 | grep -q "Inode:"'
VM_APPEND=$BOOT_ARGS
vm_boot
check "boot 4: counter incremented at start: 3" vm_wait "$(counter_line 3)" 60
check "boot 4: healthy again" vm_wait '^keel: boot healthy at' 20
check "boot 4: commit ran" vm_wait '^TEST: commit 2$' 10
check "boot 4: serial shell answers" vm_run true 30
check "boot 4: counter file back to 0" guest_counter_is 0
vm_mark
vm_send 'keelctl poweroff'
check "boot 4: keelctl poweroff ends QEMU" ends_or_kill 40
check "boot 4: disk clean" vm_fsck "$ROOT_IMG"
check "boot 4: counter on disk 0" [ "$(disk_file $COUNTER)" = 0 ]
check "whole run: no error in the health file" eval '! vm_console 0 | grep -qE "^keel: (error|warning): .*health"'
vm_finish
