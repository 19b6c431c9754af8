#!/bin/bash
# test_upgrade: keel refuses every bad upgrade request before stopping anything — corrupt, truncated, other board, not on a tmpfs, not enough RAM, vendor check, bad config.
# SPDX-License-Identifier: MIT
. "$(dirname "$0")/lib.sh"

MKIMAGE=$KEEL_BUILD/keel-mkimage
SYSUPGRADE=$KEEL_BUILD/sysupgrade
# Images must be on a tmpfs the hand-over can move (/tmp or /dev/shm): the
# host's /dev/shm is one, and keel's namespace sees it.
SHM=$(mktemp -d /dev/shm/keel-upgrade-test.XXXXXX) || { echo "not ok - upgrade: mktemp in /dev/shm"; exit 1; }
trap 'rm -rf "$SHM"; cleanup' EXIT

sys_new refusals
svc worker <<EOF
type respawn
exec $BIN/daemon worker
EOF
head -c 300000 /dev/urandom >"$SHM/rootfs"
"$MKIMAGE" -b qemu-test -V "v2" -o "$SHM/good.img" rootfs="$SHM/rootfs" || { echo "not ok - upgrade: keel-mkimage"; exit 1; }
"$MKIMAGE" -b other-board -V "v2" -o "$SHM/other.img" rootfs="$SHM/rootfs"
size=$(stat -c %s "$SHM/good.img")
head -c $((size - 1000)) "$SHM/good.img" >"$SHM/truncated.img"
cp "$SHM/good.img" "$SHM/corrupt.img"
# One byte of the payload, far from the header, made different.
old=$(od -An -tu1 -j $((size - 5000)) -N1 "$SHM/corrupt.img" | tr -d ' ')
printf "\\$(printf '%03o' $(((old + 1) % 256)))" |
	dd of="$SHM/corrupt.img" bs=1 seek=$((size - 5000)) conv=notrunc status=none
cp "$SHM/good.img" "$T/on-disk.img"
# A device node stands in for the partition: nothing is ever written there.
# The stage must exist for a request to pass (it is never run here).
STAGE="stage $KEEL_BUILD/preinit"
cat >"$SYS/upgrade.conf" <<EOF
board qemu-test
part rootfs /dev/null
data none
$STAGE
EOF

check "keel-mkimage -i shows a good image" sh -c "'$MKIMAGE' -i '$SHM/good.img' | grep -qx 'part rootfs 300000'"
check "keel-mkimage -i names the corruption" sh -c "'$MKIMAGE' -i '$SHM/corrupt.img' 2>&1 | grep -q 'payload checksum mismatch'"

# has TEXT REGEX: TEXT holds a line matching REGEX (for check).
has() { printf '%s\n' "$1" | grep -qE -- "$2"; }
worker_pid() { svc_field worker pid 2>/dev/null; }
upgrade_state() { ctl upgrade 2>&1; }
unchanged() { state_is worker running && [ "$(worker_pid)" = "$PID0" ] && has "$(upgrade_state)" '^idle'; }

if keel_start --upgrade-conf "$SYS/upgrade.conf"; then
	wait_state worker running
	PID0=$(worker_pid)
	out=$(ctl sysupgrade "$SHM/truncated.img" - 2>&1)
	check "truncated image refused at once" has "$out" 'truncated image: the file has'
	out=$(ctl sysupgrade "$SHM/other.img" - 2>&1)
	check "other board refused at once" has "$out" 'image is for board "other-board", this is "qemu-test"'
	out=$(ctl sysupgrade "$T/on-disk.img" - 2>&1)
	check "image in /tmp but not on a tmpfs refused" has "$out" 'not on a tmpfs'
	out=$(ctl sysupgrade /etc/hostname - 2>&1)
	check "image outside /tmp and /dev/shm refused" has "$out" 'must be a file in /tmp or /dev/shm'
	out=$(ctl sysupgrade "$SHM" 2>&1)
	check "a directory refused" has "$out" 'not a regular file'
	out=$(ctl sysupgrade "$SHM/corrupt.img" - 2>&1)
	check "corrupt payload: header accepted, the checker runs" has "$out" 'checking .*corrupt.img'
	check "corrupt payload refused by the checker" \
		wait_for 'upgrade: refused .*corrupt.img: payload checksum mismatch .*nothing was changed' 20
	check "status says refused" has "$(upgrade_state)" 'idle: refused .*payload checksum mismatch'
	check "nothing stopped after the refusals" unchanged

	# Not enough RAM for the RAM root.
	printf 'board qemu-test\npart rootfs /dev/null\nreserve 999999999M\n%s\n' "$STAGE" >"$SYS/upgrade.conf"
	out=$(ctl sysupgrade "$SHM/good.img" - 2>&1)
	check "not enough RAM refused at once" has "$out" 'not enough RAM for the RAM root: [0-9]+ KiB available, [0-9]+ KiB needed'
	out=$(ctl firstboot 2>&1)
	check "factory reset refused too without the RAM" has "$out" 'factory reset: not enough RAM'

	# A vendor check that takes a moment and refuses; a second request meanwhile.
	printf '#!/bin/sh\nsleep 2\necho "vendor: signature missing"\nexit 3\n' >"$BIN/vendor-check"
	chmod 755 "$BIN/vendor-check"
	printf 'board qemu-test\npart rootfs /dev/null\ncheck %s\n%s\n' "$BIN/vendor-check" "$STAGE" >"$SYS/upgrade.conf"
	out=$(ctl sysupgrade "$SHM/good.img" - 2>&1)
	check "good image: checking" has "$out" 'checking .*version v2'
	out=$(ctl sysupgrade "$SHM/good.img" - 2>&1)
	check "a second request while checking is refused" has "$out" "already in progress"
	check "the vendor check's refusal said" \
		wait_for 'upgrade: refused .*vendor-check refused the image \(exit 3\): vendor: signature missing' 20

	# A missing stage, a configuration with an error.
	printf 'board qemu-test\npart rootfs /dev/null\nstage /nonexistent/stage\n' >"$SYS/upgrade.conf"
	out=$(ctl firstboot 2>&1)
	check "missing stage refused" has "$out" 'the stage /nonexistent/stage is missing'
	printf 'board qemu-test\npart rootfs /dev/null\nbogus word\n' >"$SYS/upgrade.conf"
	out=$(ctl sysupgrade "$SHM/good.img" - 2>&1)
	check "bad upgrade.conf refused with file:line" has "$out" 'upgrade.conf:3: unknown keyword "bogus"'
	check "still nothing stopped" unchanged

	# sysupgrade itself: -T, -F, and a corrupt image never reaches keel.
	printf 'board qemu-test\npart rootfs /dev/null\n' >"$SYS/upgrade.conf"
	check "sysupgrade -T: corrupt image exit 1 with the reason" \
		sh -c "! '$SYSUPGRADE' --conf '$SYS/upgrade.conf' -T '$SHM/corrupt.img' 2>'$T/t1' && grep -q 'payload checksum mismatch' '$T/t1'"
	check "sysupgrade -T: other board exit 1" \
		sh -c "! '$SYSUPGRADE' --conf '$SYS/upgrade.conf' -T '$SHM/other.img' 2>/dev/null"
	printf 'board qemu-test\npart rootfs %s\n' "$SHM/bigdev" >"$SYS/upgrade.conf"
	check "sysupgrade -T: part too big for its device" \
		sh -c "! '$SYSUPGRADE' --conf '$SYS/upgrade.conf' -T '$SHM/good.img' 2>'$T/t2' && grep -q 'bigdev' '$T/t2'"
	check "sysupgrade -n corrupt: refused, keel not asked" \
		sh -c "! '$SYSUPGRADE' --conf '$SYS/upgrade.conf' --socket '$SOCK' -n '$SHM/corrupt.img' 2>/dev/null"
	check "still nothing stopped after sysupgrade" unchanged
	keel_stop
fi
finish
