#!/bin/bash
# test_log: two boots on one data disk — keel's log ring (kernel lines first, service output, /dev/log, keelctl status/log) and the log file kept across keelctl reboot (logread -P).
# SPDX-License-Identifier: MIT
# QEMU runs twice on the same disk image (-no-reboot: the guest's reboot ends the first
# run), so the disk can be checked with e2fsck between the boots and after the last.
# The first boot ends a fraction of a second after a service printed a marker, and the
# periodic flush runs every 2 s: the marker, keel's "stopping services" and a daemon's
# SIGTERM line reach the file through keel's last write at shutdown.
. "$(dirname "$0")/lib.sh"
vm_setup test_log
VM_APPEND="keel.log.file=/data/log/keel.log keel.log.flush=2s"
vm_root_new
mkdir -p "$VM_ROOT/data"
vm_guest_helpers
T=/usr/libexec/keel-test
# A word of this run only: a line that holds it cannot come from an older run or file.
TOKEN=$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')

# keel's logread, not busybox's (whose applet link vm_root_new made). Debian's static
# busybox is built with FEATURE_SH_STANDALONE: its ash runs its own applet for a bare
# "logread" whatever PATH holds, so the guest commands name /sbin/logread.
if [ -x "$KEEL_BUILD/logread" ]; then
	rm -f "$VM_ROOT/sbin/logread"
	vm_install_prog "$KEEL_BUILD/logread" /sbin/logread
	vm_ok "logread installed from $KEEL_BUILD"
else
	vm_not_ok "logread installed" "no $KEEL_BUILD/logread: busybox's applet stays"
fi

vm_file $T/until 0755 <<'X'
#!/bin/sh
# until SECONDS CMD...: runs CMD every 0.1 s until it succeeds; exit 1 at the deadline.
n=$(($1 * 10))
shift
i=0
until "$@"; do
	i=$((i + 1))
	[ $i -lt $n ] || exit 1
	sleep 0.1
done
X
vm_file $T/data-mount 0755 <<'X'
#!/bin/sh
# data-mount: mounts the data disk on /data (the log file's home) and counts boots on it.
i=0
while ! [ -b /dev/vda ]; do
	i=$((i + 1))
	[ $i -le 100 ] || { echo "no /dev/vda after 10 s" >&2; exit 1; }
	sleep 0.1
done
mount -t ext4 /dev/vda /data || exit 1
mkdir -p /data/log
n=$(($(cat /data/boots 2>/dev/null || echo 0) + 1))
echo $n >/data/boots
echo "mounted /data, boot $n"
echo "TEST: boot $n" >/dev/console
X
vm_file $T/chatter 0755 <<X
#!/bin/sh
# chatter: a daemon that talks on stdout and stderr, and says goodbye on SIGTERM.
n=\$(cat /data/boots)
echo "chatter up, boot \$n"
echo "chatter warning on stderr, boot \$n" >&2
trap 'echo "chatter stopping on SIGTERM, boot \$n $TOKEN"; exit 0' TERM
while :; do sleep 1 & wait \$!; done
X
vm_file $T/bye 0755 <<X
#!/bin/sh
# bye: the marker printed right before the test asks for the reboot.
echo "last words $TOKEN, boot \$(cat /data/boots)"
X

vm_service kmod <"$KEEL_SRC/examples/services/kmod"
vm_service getty <"$KEEL_SRC/examples/services/getty"
vm_service data <<EOF
description "mount data disk"
type wait
after kmod
exec $T/data-mount
EOF
vm_service chatter <<EOF
description "chatty daemon"
type respawn
after data
exec $T/chatter
EOF
vm_service bye <<EOF
description "last words"
type once
after data
condition path /tmp/say-bye
exec $T/bye
EOF
vm_pack
VM_DISK=$VM_WORK/data.img
vm_disk "$VM_DISK" 16
# Each boot ends QEMU: the first by keelctl reboot, the second by keelctl poweroff.
VM_NOREBOOT=1

# jf KEY VALUE: a string field as logread --json writes it.
jf() { printf '"%s":"%s"' "$1" "$2"; }
# line_of FILE STRING...: number of the first line of FILE holding every STRING (fixed
# strings), nothing if there is none.
line_of() {
	local f=$1
	shift
	awk -v pats="$(printf '%s\n' "$@")" '
		BEGIN { n = split(pats, p, "\n") }
		{ for (i = 1; i <= n; i++) if (!index($0, p[i])) next; print NR; exit }' "$f"
}
has() { [ -n "$(line_of "$@")" ]; }
# before FILE A B: the first line holding A comes before the first line holding B (each
# argument a |-separated list of fixed strings that must all be on the line).
before() {
	local f=$1 a b pa pb
	IFS='|' read -r -a pa <<<"$2"
	IFS='|' read -r -a pb <<<"$3"
	a=$(line_of "$f" "${pa[@]}")
	b=$(line_of "$f" "${pb[@]}")
	[ -n "$a" ] && [ -n "$b" ] && [ "$a" -lt "$b" ]
}
# save NAME: keeps the last vm_run output, only the reader's lines (JSON objects, or
# OpenWrt's "Day Mon dd hh:mm:ss yyyy facility.severity tag: message" lines).
save() {
	grep -E '^\{|^[A-Z][a-z]{2} [A-Z][a-z]{2} [ 0-9][0-9] [0-9:]{8} [0-9]{4} ' "$VM_OUT" >"$VM_WORK/$1"
	vm_note "$1: $(wc -l <"$VM_WORK/$1") lines, $(wc -c <"$VM_WORK/$1") bytes"
}
# The human format's facility.severity and tag (with or without [pid]) before a message.
human() { printf '%s %s(\\[[0-9]+\\])?: %s' "$1" "$2" "$3"; }

# ---------------- boot 1 ----------------
vm_boot
check "boot 1: data disk mounted by a service" vm_wait '^TEST: boot 1$' 40
check "boot 1: serial shell answers" vm_run true 20
check "boot 1: logger -t vmtest reaches the ring" vm_run \
	"logger -t vmtest hello-$TOKEN; $T/until 5 sh -c '/sbin/logread 2>/dev/null | grep -q hello-$TOKEN'" 15
check "boot 1: chatter's lines in the ring" vm_run \
	"$T/until 5 sh -c '/sbin/logread 2>/dev/null | grep -q \"chatter warning on stderr, boot 1\"'" 15
vm_run /sbin/logread 30
rc=$?
save ring1.txt
check "logread: exit 0 and output" eval "[ $rc -eq 0 ] && [ -s '$VM_WORK/ring1.txt' ]"
check "logread: kernel's \"Linux version\" as kern.* kernel" \
	grep -qE "$(human 'kern\.[a-z]+' kernel 'Linux version ')" "$VM_WORK/ring1.txt"
check "logread: logger line as user.notice vmtest" \
	grep -qE "$(human 'user\.notice' vmtest "hello-$TOKEN")\$" "$VM_WORK/ring1.txt"
check "logread: service stdout as daemon.info data" \
	grep -qE "$(human 'daemon\.info' data 'mounted /data, boot 1')\$" "$VM_WORK/ring1.txt"
check "logread: service stderr as daemon.err chatter" \
	grep -qE "$(human 'daemon\.err' chatter 'chatter warning on stderr, boot 1')\$" "$VM_WORK/ring1.txt"

vm_run '/sbin/logread --json' 30
rc=$?
save ring1.json
R=$VM_WORK/ring1.json
check "logread --json: exit 0 and output" eval "[ $rc -eq 0 ] && [ -s '$R' ]"
# "Linux version" is the kernel's first line; "Command line:" one of its first dozen
# (and proof that it is this boot's kernel).
check "json: Linux version: kern, source kern, tag kernel" \
	has "$R" "$(jf facility kern)" "$(jf source kern)" "$(jf tag kernel)" '"message":"Linux version '
check "json: early kernel line (Command line: with keel.log.file)" \
	has "$R" "$(jf tag kernel)" 'Command line: ' 'keel.log.file=/data/log/keel.log'
check "json: Linux version before keel's first line" \
	before "$R" '"message":"Linux version ' "$(jf tag keel)"
check "json: Command line: before keel's first line" \
	before "$R" "$(jf tag kernel)|Command line: " "$(jf tag keel)"
check "json: logger line: user.notice, source syslog, tag vmtest" \
	has "$R" "$(jf facility user)" "$(jf severity notice)" "$(jf source syslog)" "$(jf tag vmtest)" "hello-$TOKEN"
check "json: stdout line: daemon.info, source stdout, tag chatter" \
	has "$R" "$(jf facility daemon)" "$(jf severity info)" "$(jf source stdout)" "$(jf tag chatter)" 'chatter up, boot 1'
check "json: stderr line: daemon.err, source stderr, tag chatter" \
	has "$R" "$(jf facility daemon)" "$(jf severity err)" "$(jf source stderr)" "$(jf tag chatter)" 'chatter warning on stderr, boot 1'
check "json: keel's own lines tagged keel" has "$R" "$(jf tag keel)" "$(jf facility daemon)"
if [ -n "$(line_of "$R" "$(jf tag kernel)")" ]; then
	vm_note "kernel records in the ring: $(grep -c "$(jf tag kernel)" "$R"), first keel record on line $(line_of "$R" "$(jf tag keel)")"
fi

vm_run 'keelctl status chatter' 20
rc=$?
vm_note "keelctl status chatter (exit $rc):"
sed 's/^/#   /' "$VM_OUT"
check "keelctl status chatter: running" grep -qE '^chatter +running' "$VM_OUT"
check "keelctl status chatter: shows its last lines" \
	eval "grep -q 'chatter up, boot 1' '$VM_OUT' && grep -q 'chatter warning on stderr, boot 1' '$VM_OUT'"
vm_run 'keelctl log chatter -n 5' 20
rc=$?
check "keelctl log chatter: exit 0, both lines" \
	eval "[ $rc -eq 0 ] && grep -q 'chatter up, boot 1' '$VM_OUT' && grep -q 'chatter warning on stderr, boot 1' '$VM_OUT'"

# The marker, then at once the reboot: the 2 s flush has (almost surely) not written it.
check "boot 1: marker in the ring" vm_run \
	"touch /tmp/say-bye; $T/until 5 sh -c '/sbin/logread 2>/dev/null | grep -q \"last words $TOKEN\"'" 15
vm_mark
vm_send 'keelctl reboot'
check "reboot: QEMU exits (-no-reboot)" vm_wait_exit 40
check "reboot: keel's sequence" vm_in_order '^keel: stopping services' '^keel: unmounting file systems' '^keel: rebooting'
check "reboot: data disk clean" vm_fsck "$VM_DISK"
# The file as boot 1 left it, read on the host (debugfs) before boot 2 renames it.
if vm_disk_get "$VM_DISK" /log/keel.log "$VM_WORK/file1"; then
	vm_ok "file: /data/log/keel.log written in boot 1 ($(wc -l <"$VM_WORK/file1") lines)"
	check "file: holds the marker" grep -q "last words $TOKEN, boot 1" "$VM_WORK/file1"
	check "file: holds keel's stopping services" grep -q 'stopping services' "$VM_WORK/file1"
	check "file: holds chatter's SIGTERM line" grep -q "chatter stopping on SIGTERM, boot 1 $TOKEN" "$VM_WORK/file1"
else
	vm_not_ok "file: /data/log/keel.log written in boot 1" "$(debugfs -R 'ls -l /log' "$VM_DISK" 2>&1 | tail -n 5)"
fi

# ---------------- boot 2 ----------------
vm_boot
check "boot 2: data disk mounted by a service" vm_wait '^TEST: boot 2$' 40
check "boot 2: serial shell answers" vm_run true 20
# Boot 1's file becomes keel.log.prev at boot 2's first write to the file (the first
# flush after /data is mounted, so up to 2 s after it): before that, -P has nothing.
vm_run '/sbin/logread -P --file /data/log/keel.log >/dev/null' 20
vm_note "logread -P right after boot 2's start: exit $? ($(grep -v '^keel:' "$VM_OUT" | head -n 1))"
check "boot 2: current file written" vm_run \
	"$T/until 10 grep -qs 'mounted /data, boot 2' /data/log/keel.log" 15
vm_run 'ls -1 /data/log' 20
vm_note "ls /data/log: $(grep -v '^keel:' "$VM_OUT" | tr '\n' ' ')"
check "boot 2: keel.log.prev beside keel.log" eval "grep -qx keel.log.prev '$VM_OUT' && grep -qx keel.log '$VM_OUT'"
vm_run '/sbin/logread -P --file /data/log/keel.log' 30
rc=$?
save prev.txt
P=$VM_WORK/prev.txt
check "logread -P: exit 0 and output" eval "[ $rc -eq 0 ] && [ -s '$P' ]"
check "logread -P: boot 1's marker (daemon.info bye)" \
	grep -qE "$(human 'daemon\.info' bye "last words $TOKEN, boot 1")\$" "$P"
check "logread -P: chatter's SIGTERM line of boot 1" grep -q "chatter stopping on SIGTERM, boot 1 $TOKEN" "$P"
check "logread -P: boot 1's kernel lines" grep -qE "$(human 'kern\.[a-z]+' kernel 'Linux version ')" "$P"
check "logread -P: boot 1's data line" grep -q 'mounted /data, boot 1$' "$P"
check "logread -P: nothing of boot 2" eval "! grep -qE 'boot 2\$' '$P'"
vm_run '/sbin/logread -P --file /data/log/keel.log --json' 30
rc=$?
save prev.json
PJ=$VM_WORK/prev.json
check "logread -P --json: exit 0, keel's stopping services" eval \
	"[ $rc -eq 0 ] && has '$PJ' '$(jf tag keel)' 'stopping services'"
check "logread -P --json: marker, then stopping services, then chatter's SIGTERM line" eval \
	"before '$PJ' 'last words $TOKEN' '$(jf tag keel)|stopping services' &&
	 before '$PJ' '$(jf tag keel)|stopping services' 'chatter stopping on SIGTERM'"
check "boot 2: ring has boot 2's lines" vm_run "/sbin/logread | grep -q 'mounted /data, boot 2'" 20

vm_mark
vm_send 'keelctl poweroff'
check "poweroff: QEMU exits" vm_wait_exit 40
check "poweroff: keel powered off" vm_seen '^keel: powering off'
check "poweroff: data disk clean" vm_fsck "$VM_DISK"
if vm_disk_get "$VM_DISK" /log/keel.log "$VM_WORK/file2" &&
	vm_disk_get "$VM_DISK" /log/keel.log.prev "$VM_WORK/file2.prev"; then
	check "file: boot 2's file ends with its shutdown" eval \
		"grep -q 'mounted /data, boot 2' '$VM_WORK/file2' && grep -q 'chatter stopping on SIGTERM, boot 2 $TOKEN' '$VM_WORK/file2'"
	check "file: keel.log.prev is boot 1's file" eval \
		"grep -q 'last words $TOKEN, boot 1' '$VM_WORK/file2.prev' && ! grep -q 'boot 2' '$VM_WORK/file2.prev'"
else
	vm_not_ok "file: keel.log and keel.log.prev after boot 2" "$(debugfs -R 'ls -l /log' "$VM_DISK" 2>&1 | tail -n 5)"
fi
vm_finish
