#!/bin/bash
# boot: boots the example system (examples/services) N times under QEMU and prints median boot and run times.
# SPDX-License-Identifier: MIT
# Usage: bench/boot.sh [N]   (default 5; KEEL_BUILD as for the tests, default build/musl)
# Per boot, from the guest's own clock (boot-done's line): PID 1's start time and the
# uptime once every boot service is up; their difference is keel's share. From the host:
# QEMU start until it exits after `keelctl poweroff` (run by a bench-only service).
set -u
n=${1:-5}
top=$(cd "$(dirname "$0")/.." && pwd)
export KEEL_SRC=$top
. "$top/tests/vm/lib.sh"
vm_setup bench-boot
vm_root_new
vm_services "$top/examples/services"
# Only for the benchmark: power off as soon as the boot target is up.
vm_service bench-poweroff <<'X'
description "benchmark: power off when up"
type once
after boot-done
exec /sbin/keelctl poweroff
X
vm_pack
VM_DISK=$VM_WORK/data.img
vm_disk "$VM_DISK" 32

median() { sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
: >"$VM_WORK/pid1" ; : >"$VM_WORK/up" ; : >"$VM_WORK/keel" ; : >"$VM_WORK/wall"
printf '%-4s %10s %10s %10s %10s\n' run pid1-start all-up keel-share qemu-wall
for i in $(seq "$n"); do
	vm_boot
	if ! vm_wait '^boot-done: ' 60 || ! vm_wait_exit 60; then
		echo "bench: boot $i did not finish (console kept in $VM_WORK)" >&2
		VM_FAIL=1
		exit 1
	fi
	line=$(vm_console | grep -m1 '^boot-done: ')
	p=$(echo "$line" | sed -n 's/.*pid1-start=\([0-9.]*\).*/\1/p')
	u=$(echo "$line" | sed -n 's/.*uptime=\([0-9.]*\).*/\1/p')
	k=$(awk -v a="$u" -v b="$p" 'BEGIN { printf "%.2f", a - b }')
	w=$(awk -v m="$VM_BOOT_MS" 'BEGIN { printf "%.2f", m / 1000 }')
	printf '%-4s %9ss %9ss %9ss %9ss\n' "$i" "$p" "$u" "$k" "$w"
	echo "$p" >>"$VM_WORK/pid1"; echo "$u" >>"$VM_WORK/up"
	echo "$k" >>"$VM_WORK/keel"; echo "$w" >>"$VM_WORK/wall"
	vm_fsck "$VM_DISK" || echo "bench: boot $i left the data disk unclean" >&2
done
printf '%-6s %8ss %9ss %9ss %9ss\n' median "$(median <"$VM_WORK/pid1")" "$(median <"$VM_WORK/up")" \
	"$(median <"$VM_WORK/keel")" "$(median <"$VM_WORK/wall")"
echo "(pid1-start, all-up: guest uptime; keel-share: all-up - pid1-start; qemu-wall: host, QEMU start to exit)"
