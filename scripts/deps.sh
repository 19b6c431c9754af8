#!/bin/sh
# deps: installs, from Debian's packages, whatever building, testing and the demo need.
# SPDX-License-Identifier: MIT
# Idempotent and quiet when everything is present. Run as root on Debian 12.
set -eu
pkgs="make gcc clang libclang-rt-14-dev musl-tools libcmocka-dev qemu-system-x86 qemu-utils
busybox-static cpio e2fsprogs squashfs-tools util-linux kmod xz-utils zstd gnuplot-nox
mtd-utils dosfstools python3 time iproute2 libsystemd-dev systemd mandoc gcc-arm-linux-gnueabihf libc6-dev-armhf-cross
gcc-aarch64-linux-gnu gcc-mipsel-linux-gnu gcc-mips64el-linux-gnuabi64 musl-dev:arm64 musl-dev:armhf
musl-dev:mipsel musl-dev:mips64el linux-libc-dev-arm64-cross linux-libc-dev-armhf-cross
linux-libc-dev-mipsel-cross linux-libc-dev-mips64el-cross qemu-system-arm qemu-system-mips qemu-user-static
gcc-mips-linux-gnu libc6-dev-mips-cross librsvg2-bin
dropbear-bin dnsmasq-base"
# The cross builds take each architecture's musl from Debian (musl-dev:<arch>),
# and tests/vm/cross fetches its kernel and busybox-static with apt-get download.
for a in arm64 armhf mipsel mips64el; do
	dpkg --print-foreign-architectures | grep -qx "$a" || dpkg --add-architecture "$a"
done
missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' || missing="$missing $p"
done
if [ -n "$missing" ]; then
	echo "deps: installing$missing" >&2
	export DEBIAN_FRONTEND=noninteractive
	# An index that fails (a foreign architecture's, mid-sync) is not fatal:
	# apt uses the others, and the install below says what is really missing.
	apt-get update -qq >/dev/null 2>&1 || echo "deps: apt-get update had errors; installing anyway" >&2
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
