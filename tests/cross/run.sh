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
	# The parser and the graph on this ABI: the same report as the host's
	# musl build gives for the examples.
	if [ -x build/musl/keel ]; then
		diff <(build/musl/keel check examples/more 2>&1) \
			<("$q" build/musl-"$arch"/keel check examples/more 2>&1) >/dev/null
		say $? "$arch: keel check examples/more reports as on the host"
	fi
	# The kernel's asm/ headers of the target, never the host's x86 ones.
	asm=$(readlink build/musl-"$arch"/kernel-headers/asm)
	case $asm in *x86_64*|'') r=1 ;; *) r=0 ;; esac
	say $r "$arch: built with the target's asm headers (${asm:-none})"
	# The layout the Makefile asks for: code and read-only data in one
	# segment, no RELRO, so the file holds no page-alignment padding (the
	# default layout padded aarch64's keel by 60 KiB and more).
	k=build/musl-$arch/keel
	gap= end=
	while read -r _ off _ _ fsz _; do
		[ -z "$end" ] || gap=$((off - end))
		end=$((off + fsz))
	done < <(readelf -lW "$k" | grep ' LOAD ')
	loads=$(readelf -lW "$k" | grep -c ' LOAD ')
	relro=$(readelf -lW "$k" | grep -c 'GNU_RELRO')
	[ "$loads" = 2 ] && [ "$relro" = 0 ] && [ -n "$gap" ] && [ "$gap" -lt 4096 ]
	say $? "$arch: keel has 2 LOAD segments ($loads), no RELRO ($relro), ${gap:-?} bytes of padding (< 4096)"
	echo "# $arch sizes (bytes, static, stripped):$(for p in keel keelctl logread uci preinit; do printf ' %s %s' $p "$(stat -c %s build/musl-"$arch"/$p 2>/dev/null)"; done)"
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
	if [ -x build/musl/keel ]; then
		diff <(build/musl/keel check examples/more 2>&1) <($q $g/keel check examples/more 2>&1) >/dev/null
		say $? "$arch glibc: keel check examples/more reports as on the host"
	fi
done
rm -rf "$d"
exit $fail
