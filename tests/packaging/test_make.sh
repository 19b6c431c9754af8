#!/bin/bash
# test_make: the Makefile contract the recipes in packaging/ rely on, with the real cross
# SPDX-License-Identifier: MIT
# compiler (gcc-arm-linux-gnueabihf): CROSS_COMPILE and CC, CFLAGS appended, WERROR=1 only
# when asked, the DESTDIR install tree file by file, install-strip, `make static CFLAGS=-O2`,
# WITH_UCI=0 and the other switches, the /sbin/init link, make dist and the version.
# Each case builds out of tree (BUILDDIR) in its own folder under /tmp.
set -u
src=${KEEL_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$src" || exit 1
T=$(mktemp -d /tmp/keel-pkg.XXXXXX)
trap 'rm -rf "$T"' EXIT
J=-j2
CROSS=arm-linux-gnueabihf-
pass() { echo "ok - $1"; }
fail() { echo "not ok - $1"; }
check() { local name=$1; shift; if "$@"; then pass "$name"; else fail "$name"; fi; }

command -v ${CROSS}gcc >/dev/null ||
	{ fail "${CROSS}gcc is installed (apt-get install gcc-arm-linux-gnueabihf)"; exit 1; }
PROGS="keel keelctl logread uci preinit"

# ---- flags: WERROR only when asked; the user's flags after the project's
make -n -s BUILDDIR="$T/n" all >"$T/n.log" 2>&1
check "no -Werror unless asked" bash -c "! grep -q -- -Werror '$T/n.log'"
make -n -s BUILDDIR="$T/n" WERROR=1 all >"$T/nw.log" 2>&1
check "WERROR=1 adds -Werror" grep -q -- '-Werror' "$T/nw.log"

# ---- cross build with CROSS_COMPILE, CFLAGS and CPPFLAGS appended
if make $J BUILDDIR="$T/x" CROSS_COMPILE=$CROSS CFLAGS=-DKEEL_PKG_TEST CPPFLAGS=-DKEEL_PKG_CPP \
	all >"$T/x.log" 2>&1; then
	pass "make CROSS_COMPILE=$CROSS builds"
else
	fail "make CROSS_COMPILE=$CROSS builds"; grep -E 'error|Error' "$T/x.log" | head
fi
line=$(grep -E "^${CROSS}gcc .* -c src/lib/lex.c " "$T/x.log")
check "compile line uses ${CROSS}gcc" test -n "$line"
check "CFLAGS=-DKEEL_PKG_TEST is on the compile line" grep -q -- ' -DKEEL_PKG_TEST ' <<<"$line"
check "CPPFLAGS=-DKEEL_PKG_CPP is on the compile line" grep -q -- ' -DKEEL_PKG_CPP ' <<<"$line"
check "-std=c11 and the warnings stay with CFLAGS given" grep -qE -- '-std=c11 .*-Wall .*-DKEEL_PKG_TEST' <<<"$line"
check "-DKEEL_SERVICE_DIR stays with CPPFLAGS given" grep -q -- "-DKEEL_SERVICE_DIR=" <<<"$line"
for p in $PROGS; do
	check "cross $p is an ARM executable, dynamically linked" \
		bash -c "file -L '$T/x/$p' | grep 'ARM' | grep -q 'dynamically linked'"
done

# ---- the README's line: CC=arm-linux-gnueabihf-gcc
if make $J BUILDDIR="$T/cc" CC=${CROSS}gcc all >"$T/cc.log" 2>&1; then
	pass "make CC=${CROSS}gcc builds"
else
	fail "make CC=${CROSS}gcc builds"; grep -E 'error|Error' "$T/cc.log" | head
fi
for p in $PROGS; do
	check "CC= $p is an ARM executable" bash -c "file -L '$T/cc/$p' | grep -q ARM"
done

# ---- install: the exact tree
expected() { # the files and links of a default install with PREFIX=/usr, plus "$@"
	{
		printf '%s\n' sbin/keel sbin/keelctl sbin/logread sbin/uci sbin/preinit sbin/sysupgrade \
			usr/libexec/preinit-format \
			usr/share/init/preinit-format usr/share/init/preinit-sync \
			'etc/init.d/preinit-format -> /usr/share/init/preinit-format' \
			'etc/init.d/preinit-sync -> /usr/share/init/preinit-sync' \
			etc/rc.common lib/functions.sh lib/config/uci.sh sbin/reload_config \
			lib/functions/procd.sh lib/functions/service.sh lib/functions/network.sh \
			usr/share/libubox/jshn.sh sbin/validate_data sbin/service bin/ubus \
			usr/bin/jsonfilter 'usr/bin/jshn -> jsonfilter' \
			usr/share/man/man1/jsonfilter.1 usr/share/man/man1/ubus.1 \
			sbin/keel-ubusd usr/share/init/ubusd 'etc/init.d/ubusd -> /usr/share/init/ubusd' \
			usr/share/man/man8/keel-ubusd.8 \
			usr/share/man/man8/keel.8 usr/share/man/man8/keel-check.8 usr/share/man/man8/keelctl.8 \
			usr/share/man/man5/keel-service.5 usr/share/man/man8/logread.8 \
			usr/share/man/man8/preinit.8 usr/share/man/man5/preinit.conf.5 \
			usr/share/man/man8/sysupgrade.8 \
			usr/share/man/man1/uci.1 usr/share/doc/keel/README.md \
			usr/share/man/man3/libuci.3 usr/include/uci.h usr/lib/libuci.a usr/lib/libuci.so \
			usr/lib/pkgconfig/uci.pc usr/share/bash-completion/completions/keelctl
		for d in docs/*.md; do echo "usr/share/doc/keel/${d#docs/}"; done
		printf '%s\n' "$@"
	} | sort
}
tree() { # files and links under $1, as "path" or "path -> target"
	(cd "$1" && find . \( -type f -o -type l \) -printf '%P\t%y\t%l\n' |
		awk -F '\t' '{ print ($2 == "l") ? $1 " -> " $3 : $1 }' | sort)
}
make -s BUILDDIR="$T/x" CROSS_COMPILE=$CROSS install DESTDIR="$T/root" PREFIX=/usr \
	WITH_INIT_LINK=1 >"$T/inst.log" 2>&1 || { fail "make install"; cat "$T/inst.log"; }
if diff -u <(expected 'sbin/init -> keel') <(tree "$T/root") >"$T/tree.diff"; then
	pass "make install DESTDIR PREFIX=/usr WITH_INIT_LINK=1: the expected files"
else
	fail "make install DESTDIR PREFIX=/usr WITH_INIT_LINK=1: the expected files"; cat "$T/tree.diff"
fi
check "installed keel is the cross build" cmp -s "$T/x/keel" "$T/root/sbin/keel"
check "install does not strip" bash -c "file -L '$T/root/sbin/keel' | grep -q 'not stripped'"
check "services point at LIBEXECDIR" grep -q '^exec /usr/libexec/preinit-format boot' "$T/root/usr/share/init/preinit-format"
make -s BUILDDIR="$T/x" CROSS_COMPILE=$CROSS install DESTDIR="$T/paths" PREFIX=/usr SBINDIR=/usr/sbin \
	SHARE_DIR=/lib/keel/share SERVICE_DIR=/etc/keel/enabled >"$T/paths.log" 2>&1 ||
	{ fail "make install SHARE_DIR SERVICE_DIR"; cat "$T/paths.log"; }
check "SHARE_DIR, SERVICE_DIR, SBINDIR: every service file, link and exec follows them (ubusd's too)" bash -c "
	[ \"\$(readlink '$T/paths/etc/keel/enabled/ubusd')\" = /lib/keel/share/ubusd ] &&
	[ \"\$(readlink '$T/paths/etc/keel/enabled/preinit-sync')\" = /lib/keel/share/preinit-sync ] &&
	grep -q '^exec /usr/sbin/keel-ubusd ' '$T/paths/lib/keel/share/ubusd' &&
	[ ! -e '$T/paths/usr/share/init' ] && [ ! -e '$T/paths/etc/init.d/ubusd' ]"
check "installed dirs: /etc/rc.d, /etc/config" test -d "$T/root/etc/rc.d" -a -d "$T/root/etc/config"
check "man page mode 0644" test "$(stat -c %a "$T/root/usr/share/man/man8/keel.8")" = 644

# ---- install-strip strips with the cross strip (host strip cannot read ARM)
make -s BUILDDIR="$T/x" CROSS_COMPILE=$CROSS install-strip DESTDIR="$T/strip" PREFIX=/usr \
	>"$T/strip.log" 2>&1 || { fail "make install-strip"; cat "$T/strip.log"; }
for p in $PROGS; do
	check "install-strip: $p stripped" bash -c "file -L '$T/strip/sbin/$p' | grep -q ', stripped'"
done

# ---- component switches and other directories
make -s BUILDDIR="$T/x" CROSS_COMPILE=$CROSS install DESTDIR="$T/min" PREFIX=/usr \
	WITH_UCI=0 WITH_PREINIT=0 WITH_OPENWRT=0 SBINDIR=/usr/sbin LOGREAD_DIR=/usr/bin \
	MANDIR=/usr/man >"$T/min.log" 2>&1 || { fail "make install WITH_*=0"; cat "$T/min.log"; }
min_expected() {
	{
		printf '%s\n' usr/sbin/keel usr/sbin/keelctl usr/bin/logread \
			usr/man/man8/keel.8 usr/man/man8/keel-check.8 usr/man/man8/keelctl.8 usr/man/man5/keel-service.5 \
			usr/man/man8/logread.8 usr/share/doc/keel/README.md \
			usr/share/bash-completion/completions/keelctl
		for d in docs/*.md; do echo "usr/share/doc/keel/${d#docs/}"; done
	} | sort
}
if diff -u <(min_expected) <(tree "$T/min") >"$T/min.diff"; then
	pass "WITH_UCI=0 WITH_PREINIT=0 WITH_OPENWRT=0 SBINDIR LOGREAD_DIR MANDIR: the expected files"
else
	fail "WITH_UCI=0 WITH_PREINIT=0 WITH_OPENWRT=0 SBINDIR LOGREAD_DIR MANDIR: the expected files"
	cat "$T/min.diff"
fi
make -s BUILDDIR="$T/x" CROSS_COMPILE=$CROSS install DESTDIR="$T/nouci" PREFIX=/usr \
	WITH_UCI=0 >"$T/nouci.log" 2>&1 || { fail "make install WITH_UCI=0"; cat "$T/nouci.log"; }
check "WITH_UCI=0: no uci, no uci(1), the rest there" bash -c \
	"[ ! -e '$T/nouci/sbin/uci' ] && [ ! -e '$T/nouci/usr/share/man/man1/uci.1' ] && [ ! -e '$T/nouci/usr/include/uci.h' ] && [ -x '$T/nouci/sbin/preinit' ] && [ -f '$T/nouci/etc/rc.common' ]"
check "no /sbin/init link unless WITH_INIT_LINK=1" test ! -e "$T/nouci/sbin/init" -a ! -L "$T/nouci/sbin/init"
check "WITH_UCI=0: uci is not built" bash -c "make -n -s BUILDDIR='$T/u0' WITH_UCI=0 all | grep -q 'o $T/u0/uci ' && exit 1 || exit 0"

# ---- make static CFLAGS=-O2: still static (musl)
if command -v musl-gcc >/dev/null; then
	if make $J -s static BUILDDIR="$T/s" CFLAGS=-O2 >"$T/s.log" 2>&1; then
		pass "make static CFLAGS=-O2 builds"
	else
		fail "make static CFLAGS=-O2 builds"; tail "$T/s.log"
	fi
	for p in keel keelctl; do
		check "static CFLAGS=-O2: $p statically linked" bash -c "file -L '$T/s/$p' | grep -q 'statically linked'"
	done
	make -s static BUILDDIR="$T/s" CFLAGS=-O2 install DESTDIR="$T/sroot" WITH_OPENWRT=0 >"$T/si.log" 2>&1
	check "make static install installs the static keel" bash -c "file -L '$T/sroot/sbin/keel' | grep -q 'statically linked'"
else
	fail "musl-gcc is installed (apt-get install musl-tools)"
fi

# ---- version and make dist
v=$(make -s version)
check "make version prints a version ($v)" test -n "$v"
check "VERSION= on the command line wins" test "$(make -s version VERSION=9.8.7)" = 9.8.7
# outside a git checkout the version comes from VERSION, else it is 0.1
mkdir -p "$T/nogit"
cp Makefile "$T/nogit/"
check "no git, no VERSION file: version 0.1" test "$(make -s -C "$T/nogit" version)" = 0.1
echo 7.7.7 >"$T/nogit/VERSION"
check "no git: version from the VERSION file" test "$(make -s -C "$T/nogit" version)" = 7.7.7
if make -s dist DISTDIR="$T/dist" BUILDDIR="$T/d" >"$T/dist.log" 2>&1; then
	tgz=$(ls "$T"/dist/keel-*.tar.gz 2>/dev/null | head -1)
	check "make dist makes keel-VERSION.tar.gz" test -f "$tgz"
	dv=$(basename "$tgz" .tar.gz); dv=${dv#keel-}
	check "dist version is the version without -dirty ($dv)" test "$dv" = "${v%-dirty}"
	tar -tzf "$tgz" | sed "s|^keel-$dv/||; /\/$/d; /^$/d" | sort >"$T/dist.list"
	{ git ls-tree -r --name-only HEAD; echo VERSION; } | sort >"$T/head.list"
	check "the tarball is the last commit plus VERSION" cmp -s "$T/dist.list" "$T/head.list"
	tar -xzf "$tgz" -C "$T/dist" "keel-$dv/VERSION"
	check "the tarball's VERSION says $dv" test "$(cat "$T/dist/keel-$dv/VERSION")" = "$dv"
else
	fail "make dist"; cat "$T/dist.log"
fi
exit 0
