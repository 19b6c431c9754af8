#!/bin/sh
# test_capi: a libuci-style C program built against keel's libuci (and its uci.pc), its output and files checked.
# SPDX-License-Identifier: MIT
# UCI_REGEN=1 rewrites tests/uci/expected/capi (review the diff before committing).
KEEL_SRC=${KEEL_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
KEEL_BUILD=${KEEL_BUILD:-build}
case $KEEL_BUILD in /*) ;; *) KEEL_BUILD=$KEEL_SRC/$KEEL_BUILD ;; esac
HERE=$KEEL_SRC/tests/uci
# libuci always reads /tmp/.uci and /var/run/uci too: as root, run with
# private ones so the host's cannot leak in
if [ -z "$UCI_TEST_NS" ] && [ "$(id -u)" = 0 ] &&
	unshare -m sh -c 'mount --make-rprivate / && mount -t tmpfs tmpfs /tmp' 2>/dev/null; then
	exec env UCI_TEST_NS=1 unshare -m sh -c 'mount --make-rprivate / && mount -t tmpfs tmpfs /tmp &&
		{ [ ! -d /var/run/uci ] || mount -t tmpfs tmpfs /var/run/uci; } && exec "$@"' sh sh "$0" "$@"
fi
TMP=$(mktemp -d) || exit 1
trap 'rm -rf "$TMP"' EXIT INT TERM
CC=${CC:-cc}
fails=0
ok() { echo "ok - $1"; }
nok() { echo "not ok - $1"; fails=$((fails + 1)); }

if [ ! -f "$KEEL_BUILD/libuci.a" ] || [ ! -x "$KEEL_BUILD/uci" ]; then
	nok "libuci.a and uci built in $KEEL_BUILD"
	exit 1
fi
san=
case $KEEL_BUILD in *asan*) san="-fsanitize=address,undefined" ;; esac

# the header installed by `make install-libuci`, found through uci.pc
if [ -z "$san" ] && make -s -C "$KEEL_SRC" BUILDDIR="$KEEL_BUILD" DESTDIR="$TMP/root" PREFIX=/usr \
	install-libuci >"$TMP/make.log" 2>&1; then
	flags=$(PKG_CONFIG_PATH="$TMP/root/usr/lib/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$TMP/root" \
		pkg-config --cflags --libs --static uci)
	if $CC -o "$TMP/prog" "$HERE/capi/rpcd_like.c" $flags -static 2>"$TMP/cc.log" ||
	   $CC -o "$TMP/prog" "$HERE/capi/rpcd_like.c" $flags 2>"$TMP/cc.log"; then
		ok "rpcd-style program builds with pkg-config uci"
	else
		nok "rpcd-style program builds with pkg-config uci"; sed 's/^/# /' "$TMP/cc.log"
	fi
elif [ -n "$san" ]; then
	$CC $san -I"$KEEL_SRC/src/uci" -o "$TMP/prog" "$HERE/capi/rpcd_like.c" "$KEEL_BUILD/libuci.a" 2>"$TMP/cc.log" &&
		ok "rpcd-style program builds against libuci.a (sanitizers)" ||
		{ nok "rpcd-style program builds against libuci.a"; sed 's/^/# /' "$TMP/cc.log"; }
else
	nok "make install-libuci"; sed 's/^/# /' "$TMP/make.log"
fi
[ -x "$TMP/prog" ] || exit 1

# the library makes the save dir with the config dir's mode, the delta
# file with the config file's
mkdir -p "$TMP/c"
cp "$HERE/config/network" "$HERE/config/odd" "$TMP/c/"
chmod 0750 "$TMP/c"
chmod 0640 "$TMP/c/network"
( cd "$TMP" && ./prog c s ) >"$TMP/out" 2>&1
echo "rc=$?" >>"$TMP/out"
{ echo "--- c/network"; cat "$TMP/c/network"; echo "--- s/network"; cat "$TMP/s/network"
  echo "--- modes"; cd "$TMP" && stat -c '%a %n' c c/network s s/network; } >>"$TMP/out"
# the uci command reads what the library wrote
( cd "$TMP" && PATH="$KEEL_BUILD:$PATH" uci -c c -t s show network ) >>"$TMP/out" 2>&1
[ -n "$UCI_REGEN" ] && cp "$TMP/out" "$HERE/expected/capi"
if cmp -s "$TMP/out" "$HERE/expected/capi"; then
	ok "rpcd-style program: output, committed file, delta file, modes"
else
	nok "rpcd-style program: output, committed file, delta file, modes"
	diff -u "$HERE/expected/capi" "$TMP/out" | sed 's/^/# /'
fi
[ $fails -eq 0 ]
