#!/bin/bash
# run: the per-ABI tests under qemu-user: the cross builds' unit tests, and a 32-bit glibc keel reading a service directory.
# SPDX-License-Identifier: MIT
# Usage: tests/cross/run.sh   (after `make cross`; builds the 32-bit glibc keels itself)
# Prints ok / not ok lines; exit status 0 if all passed.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
fail=0
say() { # say RESULT NAME
	if [ "$1" = 0 ]; then echo "ok - $2"; else echo "not ok - $2"; fail=1; fi
}
# tap ARCH CMD...: a test program's TAP lines, named by architecture.
tap() {
	local arch=$1 out rc
	shift
	out=$("$@" 2>&1)
	rc=$?
	printf '%s\n' "$out" | sed -n -e "s/^\(not \)\{0,1\}ok [0-9]* - /&$arch: /p" -e '/^#/p'
	if [ $rc -ne 0 ] && ! printf '%s\n' "$out" | grep -q '^not ok'; then
		echo "not ok - $arch: $* exited with status $rc"
	fi
	[ $rc -eq 0 ] || fail=1
}

for a in aarch64:aarch64 armhf:arm mipsel:mipsel mips64el:mips64el; do
	arch=${a%%:*} q=qemu-${a#*:}-static
	command -v "$q" >/dev/null || { say 1 "$arch: $q (scripts/deps.sh)"; continue; }
	set -- build/musl-"$arch"/cross-tests/test_*
	[ -x "$1" ] || { say 1 "$arch: no cross tests in build/musl-$arch (make cross)"; continue; }
	for t in "$@"; do
		tap "$arch musl $(basename "$t")" "$q" "$t"
	done
done

# 32-bit glibc, armhf and big-endian mips (Debian 12 has no musl, kernel or
# busybox for the latter, but its cross glibc and qemu-user): the flags give
# it 64-bit off_t, ino_t and time_t. Without large-file support its readdir
# fails with EOVERFLOW on ext4 (64-bit directory hashes; under qemu-user the
# host's file system is read), and keel loaded no service.
d=$top/build/cross-svcdir
rm -rf "$d"; mkdir -p "$d"
# enough entries that ext4 keeps the directory hashed
for i in $(seq 1 40); do printf 'type once\nexec /bin/true\n' >"$d/s$i"; done
for a in armhf:arm-linux-gnueabihf:arm mips:mips-linux-gnu:mips; do
	IFS=: read -r arch triplet qarch <<<"$a"
	g=build/glibc-$arch q="qemu-$qarch-static -L /usr/$triplet"
	if ! make -s -j"${JOBS:-$(nproc)}" CROSS_COMPILE=$triplet- BUILDDIR=$g WERROR=1 $g/keel cross-tests >$g.log 2>&1; then
		say 1 "$arch glibc: built with -Werror"
		tail -n 20 $g.log | sed 's/^/# /'
		continue
	fi
	say 0 "$arch glibc: built with -Werror"
	tap "$arch glibc test_futex" $q $g/cross-tests/test_futex
	out=$($q $g/keel check "$d" 2>&1)
	echo "$out" | grep -q '^40 services, 0 errors'
	r=$?
	say $r "$arch glibc: keel check reads a 40-entry directory ($(stat -f -c %T "$d"))"
	[ $r = 0 ] || printf '%s\n' "$out" | tail -n 3 | sed 's/^/# /'
done
rm -rf "$d"
exit $fail
