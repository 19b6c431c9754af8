#!/bin/bash
# test_cmdline: keel's kernel command line options in one boot: keel.single, keel.debug and an unknown keel.foo.
# SPDX-License-Identifier: MIT
# keel.single gives a rescue shell on the console before the boot target: a command typed
# over the serial line must answer, nothing of the boot target may run until the shell
# exits, and then the boot target must come up (with keel.debug's state changes shown)
# and power the VM off by itself.
. "$(dirname "$0")/lib.sh"
vm_setup test_cmdline
vm_root_new
vm_guest_helpers
T=/usr/libexec/keel-test
vm_service hello <<EOF
description "boot target service"
type wait
exec $T/mark boot-target
EOF
vm_service stayer <<EOF
description "long-running daemon"
type respawn
after hello
exec $T/daemon stayer
EOF
# Once the boot target is up, power off from inside (the rescue shell has gone by then).
vm_service finish <<EOF
description "power off when up"
type once
after stayer
exec /sbin/poweroff
EOF
vm_pack
VM_APPEND="keel.debug keel.single keel.foo"
vm_boot

check "keel.foo: reported as unknown" \
	vm_wait '^keel: warning: kernel command line: unknown option "keel\.foo"' 30
check "keel.single: rescue shell announced" vm_wait '^keel: single-user mode' 10
if vm_run 'echo single-$((6*7)); cat /proc/1/comm' 20 && grep -qx 'single-42' "$VM_OUT"; then
	vm_ok "keel.single: shell on the console runs a typed command"
else
	vm_not_ok "keel.single: shell on the console runs a typed command" "output: $(head -c 200 "$VM_OUT")"
fi
check "keel.single: boot target waits for the shell" eval '! vm_seen "^TEST: mark boot-target"'
vm_send 'exit'
check "keel.single: boot target starts after the shell exits" vm_wait '^TEST: mark boot-target' 20
check "keel.single: boot target reached" vm_wait '^keel: target boot reached' 10
check "keel.debug: state changes shown" vm_wait '^keel: stayer: [a-z]+ -> running' 10
check "keel.debug: a wait service's end shown" vm_seen '^keel: hello: running -> done'
check "poweroff from a service: QEMU exits" vm_wait_exit 40
check "poweroff from a service: keel powered off" vm_seen '^keel: powering off'
vm_finish
