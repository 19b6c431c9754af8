#!/bin/sh
# v3_init.sh: wz_mini's first step after switch_root, with keel: tmpfs for /tmp and /run, keel as a guest for the early binds, then the stock init.
# SPDX-License-Identifier: MIT
# initramfs: exec switch_root /v3 /opt/wz_mini/etc/init.d/v3_init.sh
# Everything else that wz_mini scripted here is a keel service in /opt/wz_mini/etc/keel/services.
[ -e /proc/mounts ] || mount -t proc proc /proc
grep -q " /tmp " /proc/mounts || mount -t tmpfs -o mode=1777 tmpfs /tmp
grep -q " /run " /proc/mounts || mount -t tmpfs -o mode=0755 tmpfs /run
/opt/wz_mini/bin/keel --guest --service-dir /opt/wz_mini/etc/keel/services \
	</dev/null >/dev/console 2>&1 &
# The stock init reads /etc/inittab at once: wait (at most 10 s) until keel has bound
# ours, hooked the stock rcS and mounted /system (the service "early" says so).
i=0
while ! [ -e /run/wz_mini.early ] && [ $i -lt 200 ]; do
	usleep 50000
	i=$((i + 1))
done
exec /linuxrc
