#!/bin/bash
# test_arch: one QEMU boot of Debian's own kernel for CROSS_ARCH with keel's static musl build as PID 1.
# SPDX-License-Identifier: MIT
# Usage: CROSS_ARCH=aarch64|armhf|mipsel|mips64el KEEL_BUILD=build/musl-ARCH tests/vm/cross/test_arch.sh
# One boot covers: services in dependency order, a respawn, `keelctl status --json`
# (valid JSON naming them), a clean power-off (keel ends the boot, QEMU exits by itself).
# The image is an initramfs of busybox-static of that architecture, keel and keelctl.
arch=${CROSS_ARCH:?CROSS_ARCH=aarch64|armhf|mipsel|mips64el}
here=$(dirname "$0")
case $arch in
aarch64) VM_QEMU=qemu-system-aarch64 VM_MACHINE="-machine virt -cpu cortex-a53" VM_TTY=ttyAMA0 ;;
# virt without high memory: the armmp kernel (no LPAE) cannot reach it
armhf) VM_QEMU=qemu-system-arm VM_MACHINE="-machine virt,highmem=off -cpu cortex-a15" VM_TTY=ttyAMA0 ;;
mipsel) VM_QEMU=qemu-system-mipsel VM_MACHINE="-machine malta" VM_TTY=ttyS0 ;;
mips64el) VM_QEMU=qemu-system-mips64el VM_MACHINE="-machine malta -cpu 5KEc" VM_TTY=ttyS0 ;;
*) echo "not ok - cross: unknown CROSS_ARCH $arch"; exit 1 ;;
esac
export VM_QEMU VM_MACHINE VM_TTY
export VM_KERNEL=cross-$arch VM_MODULES= VM_MEM=${VM_MEM:-128M}
export KEEL_BUILD=${KEEL_BUILD:-build/musl-$arch}
# under tests/vm/lib.sh's lock: boots may run side by side (tests/run's lanes)
KEEL_SRC=${KEEL_SRC:-$(cd "$here/../../.." && pwd)}
mkdir -p "$KEEL_SRC/build/vm"
(flock 9 && "$here/fetch.sh" "$arch" >/dev/null) 9>"$KEEL_SRC/build/vm/.lock" ||
	{ echo "not ok - cross $arch: cannot fetch its kernel and busybox"; exit 1; }
. "$here/../lib.sh"
command -v "$VM_QEMU" >/dev/null || vm_die "missing $VM_QEMU (run scripts/deps.sh)"
# The images load no module: the kernels have what keel needs built in.
vm_modules() { :; }
vm_setup "cross-$arch"
readelf -lW "$KEEL_BUILD/keel" 2>/dev/null | grep -q ' LOAD ' && ! readelf -lW "$KEEL_BUILD/keel" | grep -q INTERP || vm_die "$KEEL_BUILD/keel is not a static build (make cross ARCH=$arch)"
vm_root_new
# The applet links were made from the host's busybox (the same Debian
# configuration); the binary is the guest's.
install -m 0755 "$VM_KDIR/busybox" "$VM_ROOT/bin/busybox"
vm_guest_helpers
T=/usr/libexec/keel-test
not() { ! "$@"; }

vm_service first <<EOF
type wait
exec $T/mark first
EOF
vm_service second <<EOF
type wait
after first
exec $T/mark second
EOF
# Exits at once: restarted after the default backoff (100 ms, then 200 ms).
vm_service flaky <<EOF
type respawn
after second
exec /bin/sh -c "echo run >>/tmp/flaky.runs; $T/mark flaky; exit 3"
EOF
vm_service ticker <<EOF
type respawn
after second
exec $T/daemon ticker
EOF
# The JSON is framed so the host can cut it out of the console; the
# power-off comes from a service, as a firmware's would.
vm_file $T/finale 0755 <<'EOF'
#!/bin/sh
i=0
while [ "$(cat /tmp/flaky.runs 2>/dev/null | wc -l)" -lt 2 ] && [ $i -lt 300 ]; do
	sleep 0.1
	i=$((i + 1))
done
{ echo "TEST: json-begin"; keelctl --json status; echo; echo "TEST: json-end"; } >/dev/console 2>&1
echo "TEST: pid1 $(grep -E 'VmRSS' /proc/1/status | tr -s ' \t' ' ')" >/dev/console
exec keelctl poweroff
EOF
vm_service finale <<EOF
type once
after flaky ticker
exec $T/finale
EOF
vm_pack
vm_note "image $(($(stat -c %s "$VM_INITRD") / 1024)) KiB, kernel $(cat "$VM_KDIR/version")"
vm_boot

check "keel starts the services" vm_wait 'TEST: mark second' 90
check "a respawn service is restarted" vm_wait_count 'TEST: mark flaky' 2 30
check "services in dependency order" vm_in_order 'TEST: mark first' 'TEST: mark second' 'TEST: mark flaky'
check "keelctl status --json answers" vm_wait 'TEST: json-end' 30
json=$VM_WORK/status.json
# one line; the other services' console lines may come between the markers
vm_console | sed -n '/^TEST: json-begin/,/^TEST: json-end/p' | grep '^{' >"$json"
check "status --json is valid JSON naming the services" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
text = json.dumps(d)
assert all(n in text for n in ("first", "second", "flaky", "ticker")), text[:400]
' "$json"
vm_note "$arch: PID 1 $(vm_console | sed -n 's/^TEST: pid1 //p' | head -n 1) (5 services)"
check "the daemon is stopped at power-off" vm_wait 'TEST: stop ticker' 30
check "QEMU exits by itself (power-off)" vm_wait_exit 60
check "keel powers off cleanly" vm_seen 'reboot: Power down|System halted|Power off|reboot: System halted'
check "no PID 1 crash" not vm_seen 'PID 1 crashed|Kernel panic|Attempted to kill init'
vm_finish
