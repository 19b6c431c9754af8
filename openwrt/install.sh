#!/bin/sh
# install.sh: installs the OpenWrt compatibility layer (rc.common, the shell libraries, jshn.sh, reload_config, validate_data, ubus) into a root file system: install.sh DESTDIR.
# SPDX-License-Identifier: MIT
# jsonfilter and jshn are C programs: "make install" puts them in BINDIR; keel-ubusd
# too (in SBINDIR): its service file is enabled when DESTDIR/sbin/keel-ubusd exists.
set -e
if [ $# -ne 1 ] || [ -z "$1" ]; then
	echo "usage: $0 DESTDIR" >&2
	exit 2
fi
dest=$1
src=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$dest/etc" "$dest/etc/init.d" "$dest/etc/rc.d" "$dest/etc/config" "$dest/lib/config" \
	"$dest/lib/functions" "$dest/usr/share/libubox" "$dest/sbin" "$dest/bin"
# sourced, not run: 0644 as on OpenWrt (rc.common is an interpreter argument)
for f in etc/rc.common lib/functions.sh lib/config/uci.sh lib/functions/procd.sh \
	lib/functions/service.sh lib/functions/network.sh usr/share/libubox/jshn.sh; do
	cp "$src/$f" "$dest/$f"
	chmod 644 "$dest/$f"
done
# commands, as on OpenWrt
for f in sbin/reload_config sbin/validate_data sbin/service bin/ubus; do
	cp "$src/$f" "$dest/$f"
	chmod 755 "$dest/$f"
done
# keel-ubusd as a keel service (the file in /usr/share/init, the link enabling it)
mkdir -p "$dest/usr/share/init"
cp "$src/usr/share/init/ubusd" "$dest/usr/share/init/ubusd"
chmod 644 "$dest/usr/share/init/ubusd"
if [ -x "$dest/sbin/keel-ubusd" ]; then
	ln -sfn /usr/share/init/ubusd "$dest/etc/init.d/ubusd"
fi
