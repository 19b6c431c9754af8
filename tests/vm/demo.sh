#!/bin/bash
# demo: builds keel, boots the example system of examples/services in QEMU with keel as PID 1, shows keelctl status, powers off.
# SPDX-License-Identifier: MIT
# Usage: tests/vm/demo.sh [--shell]
#   (default)  the console scrolls by live; once every boot service is up, `keelctl status`
#              is typed into the guest's serial shell, then `keelctl poweroff`.
#   --shell    the console is this terminal, with a shell on it, until you power off
#              (`keelctl poweroff` in the guest) or press Ctrl-A X.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
shell=0
case ${1:-} in
--shell) shell=1 ;;
"") ;;
*) echo "usage: $0 [--shell]" >&2; exit 2 ;;
esac

step() { printf '\n==> %s\n' "$*"; }

step "dependencies (scripts/deps.sh)"
"$top/scripts/deps.sh" || { echo "demo: scripts/deps.sh failed (run it as root)" >&2; exit 1; }

step "building keel (make VARIANT=musl)"
# Build the two programs the image needs even if another part of the tree does not
# build yet.
(cd "$top" && { make -s VARIANT=musl || make -s VARIANT=musl build/musl/keel build/musl/keelctl; }) ||
	{ echo "demo: build failed" >&2; exit 1; }

step "kernel (tests/vm/fetch-kernel.sh cloud)"
"$top/tests/vm/fetch-kernel.sh" cloud || exit 1

step "example system: busybox + keel + examples/services"
export KEEL_SRC=$top KEEL_BUILD=build/musl
. "$top/tests/vm/lib.sh"
vm_setup demo
vm_root_new
vm_services "$top/examples/services"
vm_pack
VM_DISK=$VM_WORK/data.img
vm_disk "$VM_DISK" 32
# keel check reads a service folder and prints the start order of each target.
"$KEEL_BUILD/keel" check "$top/examples/services" || exit 1
printf 'image: %s KiB, kernel %s\n' $(($(stat -c %s "$VM_INITRD") / 1024)) "$VM_KVER"

if [ $shell = 1 ]; then
	step "booting; the console is yours: try keelctl status, then keelctl poweroff (Ctrl-A X quits QEMU)"
	vm_boot_interactive
	exit 0
fi

step "booting (console follows live)"
vm_boot
# tail ends by itself once QEMU has gone (--pid), so nothing of the console is lost.
tail -n +1 -f --pid="$VM_QEMU_PID" "$VM_CONSOLE" 2>/dev/null | tr -d '\r' | sed -u 's/\x1b\[6n//g' &
tailer=$!
status=0
if ! vm_wait '^boot-done: ' 60; then
	echo "demo: the boot target did not finish within 60 s" >&2
	status=1
fi
# vm_run types into the getty's shell: what it prints appears in the live console above.
if [ $status = 0 ] && ! vm_run 'keelctl status' 20; then
	echo "demo: keelctl status did not answer" >&2
	status=1
fi
vm_send 'keelctl poweroff'
if vm_wait_exit 60; then
	fsck=clean
	vm_fsck "$VM_DISK" || { fsck="NOT clean"; status=1; }
else
	echo "demo: the VM did not power off within 60 s" >&2
	status=1
	fsck=unknown
fi
wait "$tailer" 2>/dev/null
step "summary"
vm_console 0 | grep -E '^keel: target boot reached|^boot-done:'
echo "QEMU ran ${VM_BOOT_MS:-?} ms; data disk after power-off: $fsck"
[ $status = 0 ] && echo "demo: ok" || echo "demo: FAILED (console kept in $VM_WORK)"
VM_FAIL=$status
exit $status
