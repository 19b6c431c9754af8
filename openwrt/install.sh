#!/bin/sh
# install.sh: installs the OpenWrt compatibility scripts (rc.common, the shell library, reload_config) into a root file system: install.sh DESTDIR.
# SPDX-License-Identifier: MIT
set -e
if [ $# -ne 1 ] || [ -z "$1" ]; then
	echo "usage: $0 DESTDIR" >&2
	exit 2
fi
dest=$1
src=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$dest/etc" "$dest/etc/init.d" "$dest/etc/rc.d" "$dest/etc/config" "$dest/lib/config" "$dest/sbin"
# rc.common is an interpreter argument, not a program: 0644 as on OpenWrt
cp "$src/etc/rc.common" "$dest/etc/rc.common"
cp "$src/lib/functions.sh" "$dest/lib/functions.sh"
cp "$src/lib/config/uci.sh" "$dest/lib/config/uci.sh"
chmod 644 "$dest/etc/rc.common" "$dest/lib/functions.sh" "$dest/lib/config/uci.sh"
# a command, as on OpenWrt
cp "$src/sbin/reload_config" "$dest/sbin/reload_config"
chmod 755 "$dest/sbin/reload_config"
