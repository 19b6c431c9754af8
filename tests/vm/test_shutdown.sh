#!/bin/bash
# test_shutdown: busybox reboot, Ctrl-Alt-Del (QEMU sendkey) with halt, and busybox poweroff against keel as PID 1.
# SPDX-License-Identifier: MIT
# Two QEMU runs: the first is allowed to reboot (a second boot must follow), then gets
# Ctrl-Alt-Del, whose target halts; the second ends with busybox poweroff. Each shutdown
# must stop services in reverse dependency order and leave the data disk clean.
. "$(dirname "$0")/lib.sh"
vm_setup test_shutdown
vm_root_new
vm_guest_helpers
T=/usr/libexec/keel-test

vm_service kmod <"$KEEL_SRC/examples/services/kmod"
vm_service mount-data <<EOF
description "mount data disk"
type wait
after kmod
exec $T/mount-data
EOF
# the examples' getty: a shell on the serial console, stopped with SIGHUP
vm_service getty <"$KEEL_SRC/examples/services/getty"
# d1 <- d2 <- d3: must stop as d3, d2, d1. d1 also needs the disk, so the disk is
# unmounted only after every daemon has stopped.
vm_service d1 <<EOF
description "daemon one"
type respawn
after mount-data
exec $T/daemon d1
EOF
vm_service d2 <<EOF
description "daemon two"
type respawn
after d1
exec $T/daemon d2
EOF
vm_service d3 <<EOF
description "daemon three"
type respawn
after d2
exec $T/daemon d3
EOF
vm_service booted <<EOF
description "boot marker"
type once
after d3 getty
exec $T/mark booted
EOF
vm_service reboot-note <<EOF
description "reboot note"
type wait
target reboot
exec $T/mark reboot-target
EOF
vm_service shutdown-note <<EOF
description "shutdown note"
type wait
target shutdown
exec $T/mark shutdown-target
EOF
# Ctrl-Alt-Del's target decides what the key means: here, note it and halt.
vm_service cad <<EOF
description "ctrl-alt-del handler"
type wait
target ctrlaltdel
exec /bin/sh -c "$T/mark ctrlaltdel-target; /sbin/halt"
EOF
vm_pack
VM_DISK=$VM_WORK/data.img
vm_disk "$VM_DISK" 16

stop_order_ok() { vm_in_order '^TEST: stop d3' '^TEST: stop d2' '^TEST: stop d1'; }

# --- run 1: reboot, then Ctrl-Alt-Del -> halt ---
VM_NOREBOOT=0
vm_boot
check "boot 1 reached" vm_wait '^TEST: mark booted' 30
check "boot 1: serial shell answers" vm_run 'true' 15
vm_mark
vm_send reboot
check "reboot: keel says rebooting" vm_wait '^keel: rebooting' 30
check "reboot: keel's sequence" vm_in_order '^keel: stopping services' \
	'^keel: running target reboot' '^keel: unmounting file systems' '^keel: rebooting'
check "reboot: reboot target ran" vm_seen '^TEST: mark reboot-target'
check "reboot: services stopped in reverse order" stop_order_ok
check "reboot: second boot" vm_wait '^TEST: mark booted' 30

vm_mark
check "boot 2: serial shell answers" vm_run 'true' 15
vm_monitor 'sendkey ctrl-alt-delete'
check "ctrl-alt-del: keel runs target ctrlaltdel" vm_wait '^keel: running target ctrlaltdel' 20
check "ctrl-alt-del: its service ran" vm_wait '^TEST: mark ctrlaltdel-target' 10
check "halt: keel says halting" vm_wait '^keel: halting' 30
check "halt: kernel halted" vm_wait 'System halted' 20
check "halt: keel's sequence" vm_in_order '^keel: stopping services' \
	'^keel: unmounting file systems' '^keel: halting'
check "halt: services stopped in reverse order" stop_order_ok
check "halt: no reboot" eval '! vm_seen "^TEST: mark booted"'
vm_kill
check "halt: data disk clean" vm_fsck "$VM_DISK"

# --- run 2: busybox poweroff ---
VM_NOREBOOT=1
vm_boot
check "boot 3 reached" vm_wait '^TEST: mark booted' 30
check "boot 3: serial shell answers" vm_run 'true' 15
vm_mark
vm_send poweroff
check "poweroff: QEMU exits" vm_wait_exit 40
check "poweroff: keel's sequence" vm_in_order '^keel: stopping services' \
	'^keel: running target shutdown' '^keel: unmounting file systems' '^keel: powering off'
check "poweroff: shutdown target ran" vm_seen '^TEST: mark shutdown-target'
check "poweroff: services stopped in reverse order" stop_order_ok
check "poweroff: data disk clean" vm_fsck "$VM_DISK"
vm_finish
