#!/bin/bash
# test_boot: one boot covering the boot target, faults in service files, keelctl status, no data loss at keelctl poweroff.
# SPDX-License-Identifier: MIT
# Scenarios (1), (3), (6) and the keelctl half of (2) share this boot, because every boot
# costs seconds under TCG and the checks do not disturb each other.
. "$(dirname "$0")/lib.sh"
vm_setup test_boot
vm_root_new
vm_guest_helpers
T=/usr/libexec/keel-test

# --- (1) a small but realistic system ---
vm_service kmod <"$KEEL_SRC/examples/services/kmod"
vm_service syslogd <<EOF
description "system log"
type respawn
exec /sbin/syslogd -n -O /var/log/messages
EOF
# the examples' getty: a shell on the serial console, stopped with SIGHUP
vm_service getty <"$KEEL_SRC/examples/services/getty"
vm_service mount-data <<EOF
description "mount data disk"
type wait
after kmod
exec $T/mount-data
EOF
vm_service ticker <<EOF
description "respawning daemon"
type respawn
after syslogd
exec $T/daemon ticker
EOF
# A chain: link -> addr -> net-daemon -> watcher (which also needs ticker).
vm_service net-link <<EOF
description "bring up link"
type wait
exec $T/mark net-link
EOF
vm_service net-addr <<EOF
description "assign address"
type wait
after net-link
exec $T/mark net-addr
EOF
vm_service net-daemon <<EOF
description "network daemon"
type respawn
after net-addr
exec $T/daemon net-daemon
EOF
vm_service watcher <<EOF
description "watcher"
type respawn
after net-daemon ticker
exec $T/daemon watcher
EOF
vm_service shutdown-note <<EOF
description "shutdown note"
type wait
target shutdown
exec $T/mark shutdown-target
EOF

# --- (3) data written without fsync must survive keelctl poweroff ---
head -c 4M /dev/urandom >"$VM_WORK/blob"
vm_copy "$VM_WORK/blob" $T/blob
vm_service writer <<EOF
description "write data file"
type once
after mount-data
exec /bin/sh -c "cp $T/blob /mnt/data/blob && $T/mark wrote-blob"
EOF

# --- (6) faults: each must be named, none may stop the rest ---
vm_service broken <<'EOF'
description "broken file"
type sometimes
frobnicate yes
exec /bin/true
EOF
vm_service cyc-a <<'EOF'
description "cycle a"
after cyc-b
exec /bin/true
EOF
vm_service cyc-b <<'EOF'
description "cycle b"
after cyc-a
exec /bin/true
EOF
vm_service missing <<'EOF'
description "missing program"
type once
exec /usr/bin/no-such-program
EOF
vm_service crasher <<'EOF'
description "crashing daemon"
type respawn
exec /bin/sh -c "exit 3"
EOF

vm_pack
VM_DISK=$VM_WORK/data.img
vm_disk "$VM_DISK" 32
vm_boot

# (1) every good service reports [ OK ]; the first wait covers the kernel's boot, the
# others come right after it, so a missing line does not cost 30 s each.
t=30
for d in "load disk drivers" "system log" "serial console" "mount data disk" \
	"respawning daemon" "bring up link" "assign address" "network daemon" "watcher" \
	"write data file"; do
	check "boot: [ OK ] $d" vm_wait "^keel: \[ OK \] $d\$" $t
	t=5
done
# A respawn service counts as started once forked, so the order is keel's [ OK ] lines.
check "boot: chain ran in order" vm_in_order '^TEST: mark net-link' '^TEST: mark net-addr' \
	'^keel: \[ OK \] network daemon' '^keel: \[ OK \] watcher'
check "boot: data file written" vm_wait '^TEST: mark wrote-blob' 20

# (6) faults named on the console
check "fault: bad service file reported with file:line" \
	vm_wait '^keel: error: [^ ]*broken:[23]: ' 5
check "fault: dependency cycle reported, naming both" vm_wait '^keel: error: .*cyc-a.*cyc-b|^keel: error: .*cyc-b.*cyc-a' 5
check "fault: missing binary reported" vm_wait '^keel: \[FAIL\] missing program: ' 5
# keel reports a crash loop as backoff ("crasher: crashing, next restart in Ns"); [FAIL]
# would come only with a respawn limit.
check "fault: crashing respawn service reported" \
	vm_wait '^keel: (\[FAIL\] crashing daemon: |crasher: crashing)' 10

# (1) keelctl status inside the guest, through the getty's shell
state_of() { awk -v n="$1" '$1 == n { print $2; exit }' "$VM_WORK/status.out"; }
field_of() { awk -v n="$1" -v f="$2" '$1 == n { print $f; exit }' "$VM_WORK/status.out"; }
if vm_run 'keelctl status' 20; then
	cp "$VM_OUT" "$VM_WORK/status.out"
	vm_ok "status: keelctl status ran"
	vm_note "keelctl status:"
	sed 's/^/#   /' "$VM_WORK/status.out"
	check "status: header" grep -qE '^NAME +STATE +PID +UPTIME +RESTARTS +LAST-EXIT +DESCRIPTION' "$VM_WORK/status.out"
	for pair in kmod:done mount-data:done net-link:done net-addr:done syslogd:running \
		getty:running ticker:running net-daemon:running watcher:running missing:failed; do
		n=${pair%%:*} want=${pair#*:}
		got=$(state_of "$n")
		if [ "$got" = "$want" ]; then vm_ok "status: $n $want"; else vm_not_ok "status: $n $want" "got '$got'"; fi
	done
	got=$(state_of crasher)
	case $got in
	backoff | failed) vm_ok "status: crasher in backoff or failed" ;;
	*) vm_not_ok "status: crasher in backoff or failed" "got '$got'" ;;
	esac
	r=$(field_of crasher 5)
	if [ "${r:-0}" -ge 1 ] 2>/dev/null; then vm_ok "status: crasher restarted ($r)"; else vm_not_ok "status: crasher restarted" "RESTARTS '$r'"; fi
	# keel breaks a cycle by ignoring one edge (reported above) and runs both: only shown.
	vm_note "cycle members: cyc-a $(state_of cyc-a), cyc-b $(state_of cyc-b)"
	check "status: diagnostics listed" grep -q 'broken:2' "$VM_WORK/status.out"
else
	vm_not_ok "status: keelctl status ran" "exit $?; output: $(head -c 300 "$VM_OUT")"
fi
if vm_run 'keelctl --json status' 20 && grep -q '"ticker"' "$VM_OUT" && grep -q '"running"' "$VM_OUT"; then
	vm_ok "status: keelctl --json status names ticker running"
else
	vm_not_ok "status: keelctl --json status names ticker running" "$(head -c 300 "$VM_OUT")"
fi
# The boot chart (docs/keelctl.md): drawn in the guest onto the data disk, read after poweroff.
check "chart: keelctl chart and times written to the data disk" vm_run \
	'keelctl chart >/mnt/data/boot.svg && keelctl times >/mnt/data/boot-times && keelctl analyze critical-chain && sync' 20
check "boot: syslog receives messages" vm_run \
	'logger -t vmtest hello-syslog; i=0; until grep -q hello-syslog /var/log/messages; do i=$((i+1)); [ $i -lt 50 ] || exit 1; sleep 0.1; done' 10

# (2) keelctl poweroff: reverse stop order, shutdown target, unmount, power off
vm_mark
vm_send 'keelctl poweroff'
check "poweroff: QEMU exits" vm_wait_exit 40
check "poweroff: keel's shutdown sequence" vm_in_order '^keel: stopping services' \
	'^keel: running target shutdown' '^keel: unmounting file systems' '^keel: powering off'
check "poweroff: shutdown target ran" vm_seen '^TEST: mark shutdown-target'
check "poweroff: watcher stopped before its dependencies" vm_in_order '^TEST: stop watcher' '^TEST: stop net-daemon'
check "poweroff: watcher stopped before ticker" vm_in_order '^TEST: stop watcher' '^TEST: stop ticker'

# (3) the data disk is clean and holds the file
check "data: e2fsck -fn clean after poweroff" vm_fsck "$VM_DISK"
if vm_disk_get "$VM_DISK" /blob "$VM_WORK/blob.out" && cmp -s "$VM_WORK/blob" "$VM_WORK/blob.out"; then
	vm_ok "data: 4 MiB file intact ($(sha256sum <"$VM_WORK/blob" | cut -c1-16))"
else
	vm_not_ok "data: 4 MiB file intact" "$(cat "$VM_WORK/fsck.log" 2>/dev/null | tail -n 5)"
fi
# The chart as real SVG: parsed, rendered to PNG by librsvg, the kernel's time drawn.
if vm_disk_get "$VM_DISK" /boot.svg "$VM_WORK/boot.svg"; then
	check "chart: well-formed SVG with a bar per service, the kernel, keel's start, a critical path" \
		python3 - "$VM_WORK/boot.svg" <<'PY'
import sys, xml.etree.ElementTree as ET
ns = "{http://www.w3.org/2000/svg}"
root = ET.parse(sys.argv[1]).getroot()
names = {g.find(ns + "title").text.split(":")[0] for g in root.iter(ns + "g") if "service" in g.get("class", "")}
assert {"kmod", "mount-data", "net-link", "net-addr", "net-daemon", "watcher", "ticker"} <= names, names
assert root.find(ns + "rect[@class='kernel']") is not None, "no kernel bar"
assert root.find(ns + "line[@class='keel-start']") is not None
assert any("critical" in g.get("class", "") for g in root.iter(ns + "g")), "no critical path"
PY
	if command -v rsvg-convert >/dev/null; then
		rsvg-convert -o "$VM_WORK/boot.png" "$VM_WORK/boot.svg" 2>"$VM_WORK/rsvg.err"
		check "chart: rsvg-convert renders it to a PNG of at least 1000x300 px" python3 - "$VM_WORK/boot.png" <<'PY'
import struct, sys
b = open(sys.argv[1], "rb").read(32)
assert b[:8] == b"\x89PNG\r\n\x1a\n"
w, h = struct.unpack(">II", b[16:24])
assert w >= 1000 and h >= 300, (w, h)
PY
	else
		vm_not_ok "chart: rsvg-convert renders it" "rsvg-convert missing (scripts/deps.sh installs librsvg2-bin)"
	fi
else
	vm_not_ok "chart: boot.svg on the data disk"
fi
vm_finish
