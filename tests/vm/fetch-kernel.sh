#!/bin/sh
# fetch-kernel: unpacks Debian's kernel packages (cloud and generic) into build/vm/kernel-FLAVOUR.
# SPDX-License-Identifier: MIT
# Usage: tests/vm/fetch-kernel.sh [cloud|generic]...   (default: cloud generic)
# Prints nothing on success but the paths; idempotent (skips a flavour already unpacked).
# Layout after it: build/vm/kernel-FLAVOUR/vmlinuz, .../modules/ (lib/modules/VERSION), .../version
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
out="$top/build/vm"
mkdir -p "$out"
[ $# -gt 0 ] || set -- cloud generic
for flavour in "$@"; do
	case $flavour in
	cloud) meta=linux-image-cloud-amd64 ;;
	generic) meta=linux-image-amd64 ;;
	*) echo "fetch-kernel: unknown flavour $flavour" >&2; exit 2 ;;
	esac
	dir="$out/kernel-$flavour"
	if [ -f "$dir/vmlinuz" ] && [ -d "$dir/modules" ]; then
		echo "$dir"; continue
	fi
	# The meta package depends on the versioned image package: find its name.
	pkg=$(apt-cache depends "$meta" 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-[0-9].*\)$/\1/p' | head -n1)
	if [ -z "$pkg" ]; then
		apt-get update -qq >/dev/null
		pkg=$(apt-cache depends "$meta" | sed -n 's/^ *Depends: \(linux-image-[0-9].*\)$/\1/p' | head -n1)
	fi
	[ -n "$pkg" ] || { echo "fetch-kernel: cannot resolve $meta" >&2; exit 1; }
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	(cd "$tmp" && apt-get download "$pkg" >/dev/null 2>&1) || { echo "fetch-kernel: apt-get download $pkg failed" >&2; exit 1; }
	rm -rf "$dir.new"; mkdir -p "$dir.new"
	dpkg-deb -x "$tmp"/*.deb "$tmp/x"
	ver=$(ls "$tmp/x/lib/modules")
	cp "$tmp/x/boot/vmlinuz-$ver" "$dir.new/vmlinuz"
	mv "$tmp/x/lib/modules/$ver" "$dir.new/modules"
	echo "$ver" > "$dir.new/version"
	rm -rf "$dir"; mv "$dir.new" "$dir"
	rm -rf "$tmp"; trap - EXIT
	echo "$dir"
done
