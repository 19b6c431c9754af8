#!/bin/sh
# install.sh: installs the OpenWrt compatibility layer (rc.common, the shell libraries, jshn.sh, reload_config, validate_data, ubus) into a root file system: install.sh DESTDIR.
# SPDX-License-Identifier: MIT
# jsonfilter and jshn are C programs: "make install" puts them in BINDIR; keel-ubusd
# too (in SBINDIR): its service file is enabled when DESTDIR/SBINDIR/keel-ubusd exists.
# Environment: SHARE_DIR (/usr/share/init), SERVICE_DIR (/etc/init.d), SBINDIR (/sbin),
# keel's build settings of the same names.
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
# keel-ubusd as a keel service: the file in SHARE_DIR, the link enabling it in
# SERVICE_DIR, the program in SBINDIR ("make install" passes its own settings)
share_dir=${SHARE_DIR:-/usr/share/init}
service_dir=${SERVICE_DIR:-/etc/init.d}
sbin_dir=${SBINDIR:-/sbin}
mkdir -p "$dest$share_dir"
sed "s|^exec /sbin/keel-ubusd |exec $sbin_dir/keel-ubusd |" "$src/usr/share/init/ubusd" >"$dest$share_dir/ubusd"
chmod 644 "$dest$share_dir/ubusd"
if [ -x "$dest$sbin_dir/keel-ubusd" ]; then
	mkdir -p "$dest$service_dir"
	ln -sfn "$share_dir/ubusd" "$dest$service_dir/ubusd"
fi
