#!/bin/sh
# run: runs every QEMU boot scenario (tests/vm/test_*.sh) one after another, with their wall times.
# SPDX-License-Identifier: MIT
# Sequential on purpose: each VM is a TCG emulation that keeps a host core busy.
# Exit status: 0 if all passed. Output: the scenarios' ok / not ok lines, then a summary.
set -u
dir=$(cd "$(dirname "$0")" && pwd)
export KEEL_SRC="${KEEL_SRC:-$(cd "$dir/../.." && pwd)}"
export KEEL_BUILD="${KEEL_BUILD:-build/musl}"
fail=0
for t in "$dir"/test_*.sh; do
	[ -f "$t" ] || continue
	name=$(basename "$t" .sh)
	start=$(date +%s%N)
	out=$(bash "$t" 2>&1)
	rc=$?
	ms=$((($(date +%s%N) - start) / 1000000))
	printf '%s\n' "$out"
	# A script that died without saying not ok still counts as a failure.
	if [ $rc -ne 0 ]; then
		fail=1
		printf '%s\n' "$out" | grep -q '^not ok' || echo "not ok - $name: exited with status $rc"
	fi
	printf '# %s: %d.%d s\n' "$name" $((ms / 1000)) $((ms % 1000 / 100))
done
exit $fail
