#!/bin/sh
# fetch: Debian's kernel and busybox-static of one foreign architecture, unpacked into build/vm/kernel-cross-ARCH.
# SPDX-License-Identifier: MIT
# Usage: tests/vm/cross/fetch.sh ARCH...   (aarch64 armhf mipsel mips64el)
# Layout after it: build/vm/kernel-cross-ARCH/{vmlinuz,busybox,version}. Idempotent: an
# architecture already unpacked is skipped (the packages are ~50 MB each: cached).
# Needs `dpkg --add-architecture` of the Debian architecture (scripts/deps.sh does it).
set -eu
top=$(cd "$(dirname "$0")/../../.." && pwd)
out="$top/build/vm"
mkdir -p "$out"
for arch in "$@"; do
	case $arch in
	aarch64) deb=arm64 meta=linux-image-arm64 ;;
	armhf) deb=armhf meta=linux-image-armmp ;;
	mipsel) deb=mipsel meta=linux-image-4kc-malta ;;
	mips64el) deb=mips64el meta=linux-image-5kc-malta ;;
	*) echo "fetch: unknown architecture $arch" >&2; exit 2 ;;
	esac
	dir="$out/kernel-cross-$arch"
	if [ -f "$dir/vmlinuz" ] && [ -x "$dir/busybox" ]; then
		echo "$dir"; continue
	fi
	# The meta package depends on the versioned image package: find its name.
	pkg=$(apt-cache depends "$meta:$deb" 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-[0-9][^:]*\).*$/\1/p' | head -n1)
	if [ -z "$pkg" ]; then
		apt-get update -qq >/dev/null 2>&1 || true
		pkg=$(apt-cache depends "$meta:$deb" | sed -n 's/^ *Depends: \(linux-image-[0-9][^:]*\).*$/\1/p' | head -n1)
	fi
	[ -n "$pkg" ] || { echo "fetch: cannot resolve $meta:$deb (dpkg --add-architecture $deb; apt-get update)" >&2; exit 1; }
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	(cd "$tmp" && apt-get download "$pkg:$deb" "busybox-static:$deb" >/dev/null 2>&1) ||
		{ echo "fetch: apt-get download $pkg:$deb busybox-static:$deb failed" >&2; exit 1; }
	rm -rf "$dir.new"; mkdir -p "$dir.new"
	# Only the kernel image: the guests boot from an initramfs and load no module.
	dpkg-deb --fsys-tarfile "$tmp"/linux-image-*.deb | tar -x -C "$tmp" --wildcards './boot/vmlinu*'
	dpkg-deb --fsys-tarfile "$tmp"/busybox-static_*.deb | tar -x -C "$tmp" ./bin/busybox
	k=$(ls "$tmp"/boot/vmlinu* | head -n1)
	cp "$k" "$dir.new/vmlinuz"
	cp "$tmp/bin/busybox" "$dir.new/busybox"
	basename "$k" | sed 's/^vmlinu[xz]-//' >"$dir.new/version"
	rm -rf "$dir"; mv "$dir.new" "$dir"
	rm -rf "$tmp"; trap - EXIT
	echo "$dir"
done
