# lib.sh: helpers for the OpenWrt compatibility tests (sourced, POSIX sh): results, temp dir, per-shell runs, isolated paths.
# SPDX-License-Identifier: MIT
#
#   ok NAME / not_ok NAME [WHY] / check NAME CMD... / eq NAME GOT WANT / not CMD...
#   in_shells FILE       runs FILE once under dash and once under busybox sh
#                        (each run prints its own ok/not ok lines); $TEST_SHELL
#                        names the shell inside
#   owrt_root DIR        installs openwrt/ into DIR and exports every path
#                        variable so nothing reaches the host's /etc, /run, /tmp/.uci
#   finish               summary line; exit status 1 when something failed

KEEL_SRC=${KEEL_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
KEEL_BUILD=${KEEL_BUILD:-$KEEL_SRC/build}
case $KEEL_BUILD in /*) ;; *) KEEL_BUILD=$KEEL_SRC/$KEEL_BUILD ;; esac
export KEEL_SRC KEEL_BUILD

TEST_NAME=$(basename "$0" .sh)
TEST_NAME=${TEST_NAME#test_}
PASS=0
FAIL=0

_lib_label() {
	printf '%s' "$TEST_NAME${TEST_SHELL:+ ($TEST_SHELL)}"
}
ok() {
	PASS=$((PASS + 1))
	echo "ok - $(_lib_label): $1"
}
not_ok() {
	FAIL=$((FAIL + 1))
	echo "not ok - $(_lib_label): $1"
	[ -z "$2" ] || printf '# %s\n' "$2"
	return 0
}
check() {
	_c_name=$1
	shift
	if "$@"; then ok "$_c_name"; else not_ok "$_c_name"; fi
}
not() { ! "$@"; }
eq() {
	if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1" "got [$2], want [$3]"; fi
}

T=$(mktemp -d /tmp/keel-openwrt."$TEST_NAME".XXXXXX) || { echo "not ok - $TEST_NAME: mktemp"; exit 1; }
chmod 755 "$T"
_lib_cleanup() {
	if [ "$FAIL" -eq 0 ] && [ -z "$KEEL_KEEP" ]; then rm -rf "$T"; else echo "# work dir kept: $T"; fi
}
trap _lib_cleanup EXIT
trap 'exit 1' INT TERM HUP

# in_shells FILE: FILE (a POSIX sh test body sourcing this lib) under each shell.
in_shells() {
	for _s in dash busybox; do
		if ! command -v "$_s" >/dev/null 2>&1; then
			not_ok "$_s is installed" "apt-get install -y dash busybox-static"
			continue
		fi
		if [ "$_s" = busybox ]; then
			TEST_SHELL="busybox sh" busybox sh "$1" || FAIL=$((FAIL + 1))
		else
			TEST_SHELL=$_s "$_s" "$1" || FAIL=$((FAIL + 1))
		fi
	done
}

# owrt_root DIR: an installed tree at DIR and every path pointed into it.
owrt_root() {
	"$KEEL_SRC/openwrt/install.sh" "$1" || return 1
	export IPKG_INSTROOT=
	export UCI_BIN="$KEEL_BUILD/uci"
	export UCI_CONFIG_DIR="$1/etc/config"
	export UCI_SAVE_DIR="$1/tmp/.uci"
	export UCI_STATE_DIR="$1/var/state"
	export UCI_DEFAULTS_DIR="$1/etc/uci-defaults"
	export MODULES_D_DIR="$1/etc/modules.d"
	export RC_D_DIR="$1/etc/rc.d"
	export INIT_D_DIR="$1/etc/init.d"
	export KEEL_LIB_DIR="$1/lib"
	export KEEL_RUNTIME_DIR="$1/run/keel/services"
	export KEEL_SOCKET="$1/keel.sock"
	# jsonfilter and jshn: C programs, in BINDIR on a device
	export PATH="$KEEL_BUILD:$PATH"
	mkdir -p "$UCI_SAVE_DIR" "$UCI_STATE_DIR"
}

# owrt_ovl DIR: DIR/ovl/{etc,lib,sbin,share} hold the installed layer (DIR is an
# owrt_root), to be mounted over /etc, /lib, /usr/sbin and /usr/share in a
# namespace so scripts find it at OpenWrt's paths.
owrt_ovl() {
	mkdir -p "$1/ovl/etc" "$1/ovl/lib" "$1/ovl/sbin" "$1/ovl/share" || return 1
	cp "$1/etc/rc.common" "$1/ovl/etc/" &&
		cp -R "$1/lib/." "$1/ovl/lib/" &&
		cp -R "$1/usr/share/." "$1/ovl/share/" &&
		cp "$1/bin/ubus" "$1/sbin/validate_data" "$1/sbin/reload_config" "$1/sbin/service" "$1/ovl/sbin/"
}

finish() {
	echo "# $(_lib_label): $PASS passed, $FAIL failed"
	[ "$FAIL" -eq 0 ]
}
