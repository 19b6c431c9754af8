#!/bin/sh
# run: boots every cross architecture once (tests/vm/cross/test_arch.sh), one after another, with their wall times.
# SPDX-License-Identifier: MIT
# Usage: tests/vm/cross/run.sh [ARCH...]   (default: aarch64 armhf mipsel mips64el)
# Each needs build/musl-ARCH (make cross). Exit status: 0 if all passed.
set -u
dir=$(cd "$(dirname "$0")" && pwd)
export KEEL_SRC="${KEEL_SRC:-$(cd "$dir/../../.." && pwd)}"
[ $# -gt 0 ] || set -- aarch64 armhf mipsel mips64el
fail=0
for arch in "$@"; do
	start=$(date +%s%N)
	out=$(CROSS_ARCH=$arch KEEL_BUILD="$KEEL_SRC/build/musl-$arch" bash "$dir/test_arch.sh" 2>&1)
	rc=$?
	ms=$((($(date +%s%N) - start) / 1000000))
	printf '%s\n' "$out"
	if [ $rc -ne 0 ]; then
		fail=1
		printf '%s\n' "$out" | grep -q '^not ok' || echo "not ok - cross-$arch: exited with status $rc"
	fi
	printf '# cross-%s: %d.%d s\n' "$arch" $((ms / 1000)) $((ms % 1000 / 100))
done
exit $fail
