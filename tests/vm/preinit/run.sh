#!/bin/bash
# run: every preinit QEMU scenario in turn; prints their ok/not ok lines, exits 1 if any failed.
# SPDX-License-Identifier: MIT
dir=$(cd "$(dirname "$0")" && pwd)
rc=0
for t in "$dir"/test_*.sh; do
	"$t" || rc=1
done
exit $rc
