#!/bin/sh
# test_cli: expected-output tests of the `uci` command against tests/uci/expected/*.
# SPDX-License-Identifier: MIT
# Each case runs commands on a fresh copy of tests/uci/config; its stdout,
# stderr and exit codes must equal tests/uci/expected/NAME byte for byte.
# UCI_REGEN=1 rewrites the expected files (review the diff before committing).
KEEL_SRC=${KEEL_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
KEEL_BUILD=${KEEL_BUILD:-build}
case $KEEL_BUILD in /*) ;; *) KEEL_BUILD=$KEEL_SRC/$KEEL_BUILD ;; esac
BIN=$KEEL_BUILD/uci
HERE=$KEEL_SRC/tests/uci
EXP=$HERE/expected
# libuci always reads the default save dir (/tmp/.uci) too: as root, run in
# a mount namespace with a private /tmp so the host's staged changes cannot
# leak in.
if [ -z "$UCI_TEST_NS" ] && [ "$(id -u)" = 0 ] &&
	unshare -m sh -c 'mount --make-rprivate / && mount -t tmpfs tmpfs /tmp' 2>/dev/null; then
	exec env UCI_TEST_NS=1 unshare -m sh -c 'mount --make-rprivate / && mount -t tmpfs tmpfs /tmp &&
		{ [ ! -d /var/run/uci ] || mount -t tmpfs tmpfs /var/run/uci; } && exec "$@"' sh bash "$0" "$@"
fi
TMP=$(mktemp -d) || exit 1
trap 'rm -rf "$TMP"' EXIT INT TERM

if [ ! -x "$BIN" ]; then
	echo "not ok - uci binary present ($BIN)"
	exit 1
fi
# called as plain "uci", as on a device: messages start with argv[0]
mkdir "$TMP/bin" && ln -s "$BIN" "$TMP/bin/uci" || exit 1
PATH=$TMP/bin:$PATH

# u ARGS: the command under test, with the case's config and save dirs;
# prints the exit code after the output so it is checked too.
u() {
	uci -c c -t s "$@"
	echo "rc=$?"
}

fails=0
check() {
	name=$1
	shift
	rm -rf "$TMP/w"
	mkdir -p "$TMP/w/c" "$TMP/w/s"
	cp "$HERE"/config/* "$TMP/w/c/"
	( cd "$TMP/w" && "$@" ) >"$TMP/out" 2>&1
	if [ -n "$UCI_REGEN" ]; then
		cp "$TMP/out" "$EXP/$name"
	fi
	if cmp -s "$TMP/out" "$EXP/$name"; then
		echo "ok - $name"
	else
		echo "not ok - $name"
		diff -u "$EXP/$name" "$TMP/out" | sed 's/^/# /'
		fails=$((fails + 1))
	fi
}

# ---- grammar ----
c_show_network() { u show network; }
c_show_quoting() { u show quoting; }
c_show_odd() { u show odd; }
c_export_quoting() { u export quoting; }
c_export_odd() { u export odd; }
c_export_named() { u -n export odd; u -N export odd; }
c_show_noext() { u -X show network; }
c_show_all() { u show; }
# ---- get ----
c_get() {
	u get network.lan.ipaddr
	u get network.lan
	u get network.lan.dns
	u -d , get network.lan.dns
	u get quoting.q.l
	u get quoting.q.squote
	u get network.@switch_vlan[1].vlan
	u get network.@switch_vlan[-1].vlan
	u get network.@switch_vlan[5].vlan
	u get network.@[0]
	u get network.lan.nope
	u get network.nope
	u get nope.x.y
	u get 'network.@bad'
	u get 'network.a.b.c'
	u -q get network.lan.nope
	u get network.lan.ipaddr=x
	u get network
}
c_show_parts() {
	u show network.lan
	u show network.lan.dns
	u -d , show network.lan.dns
	u show network.@switch[0]
	u show network.nope
}
# ---- set / add / lists / delete / rename / reorder ----
c_set() {
	u set network.lan.ipaddr=10.0.0.1
	u set network.lan.newopt="it's here"
	u set network.wan=interface
	u set network.wan.proto=dhcp
	u set network.lan=bridge_if
	u set network.lan.type=
	u set network.nope.x=1
	u set network.lan
	u set 'network.lan.ctl=a\001b'
	u changes network
	cat s/network
	u show network.lan
	u get network.wan.proto
}
c_add() {
	u add network rule
	u add network rule
	u add network 'bad type'
	u add nope rule
	u set network.@rule[-1].name=last
	u show network
	u changes
}
c_lists() {
	u add_list network.lan.dns=9.9.9.9
	u add_list network.lan.proto=second
	u add_list network.lan.fresh='a b'
	u del_list network.lan.dns=1.1.1.1
	u del_list network.lan.ipaddr=x
	u changes network
	u show network.lan
	u delete network.lan.dns=0
	u delete network.lan.dns=x
	u get network.lan.dns
}
c_delete() {
	u delete network.lan.ipaddr
	u delete network.@switch_vlan[0]
	u delete network.lan.nope
	u delete network.nope
	u delete network
	u changes network
	u show network
}
c_rename_reorder() {
	u rename network.lan=home
	u rename network.home.ipaddr=addr
	u rename network.@switch[0]=sw
	u rename network.home='bad name'
	u reorder network.home=0
	u reorder network.sw=99
	u reorder network.nope=1
	u changes network
	u show network
}
# ---- staging: changes / revert / commit / -P / -p ----
c_revert() {
	u set network.lan.ipaddr=1.2.3.4
	u set network.lan.proto=dhcp
	u set network.globals.x=1
	u revert network.lan.ipaddr
	u changes network
	u revert network.lan
	u changes network
	u revert network
	u changes network
	u get network.globals.x
}
c_commit() {
	u set network.lan.ipaddr=10.1.1.1
	u add network rule
	u set network.@rule[-1].target=ACCEPT
	u add_list network.lan.dns=4.4.4.4
	u commit network
	cat c/network
	u changes network
	wc -c <s/network
	ls -a c
	u commit
	u commit nope
}
c_savedir_P() {
	u set network.lan.ipaddr=1.1.1.1
	mkdir -p p
	uci -c c -t s -P p set network.lan.proto=pppoe; echo "rc=$?"
	uci -c c -t s -P p changes network; echo "rc=$?"
	uci -c c -t s -P p commit network; echo "rc=$?"
	cat p/network
	u changes network
	uci -c c -t s -p p commit network; echo "rc=$?"
	cat c/network
}
# ---- import / export / batch ----
c_import() {
	printf 'package first\nconfig a x\n\toption k v\npackage second\nconfig b\n' | u import
	cat c/first c/second
	printf 'config t\n\toption o 1\n' | u import third
	u export third
	printf 'config a x\n\toption k2 v2\nconfig n\n' | u -m import first
	u changes first
	printf 'config a x\n' | u -m import
	printf 'package p\npackage p\n' | u import
	printf 'config a\n' | u import
	printf 'bogus\n' >in.txt
	u -f in.txt import four
	u -f nonexistent import
	u -f in.txt -f in.txt import
}
c_batch() {
	printf '%s\n' \
		'set network.lan.ipaddr=5.5.5.5' \
		'get network.lan.ipaddr' \
		"set network.lan.desc='quoted value'  # comment" \
		'get network.lan.desc' \
		'add network rule' \
		'frobnicate x' \
		'get network.lan.nope' \
		'a b c d e' \
		'show network.lan' \
		'exit' \
		'get network.lan.ipaddr' | u batch
	u changes network
}
c_usage() {
	u
	u help
	u frobnicate
	u -Z show network
	u show network network
}
# ---- OpenWrt's behaviours pinned one by one ----
c_set_keeps_place() {
	u set network.lan.type=bridgeX          # other length: re-created in place
	u set network.lan.proto=dhcp_           # other length
	u set network.lan.ifname=eth0.2         # same length: overwritten in place
	u set network.lan.dns=9.9.9.9           # a list becomes a string, in place
	u show network.lan
	u add_list network.lan.proto=second     # a string becomes a list: at the end
	u show network.lan
	u set network.globals=globalz           # same length type: stays named
	u set network.@switch[0]=sw             # other length: an anonymous section gets named
	u set network.@switch_vlan[0]=switch_vlaN
	u show network
	u commit network
	cat c/network
}
c_commit_noop() {
	printf '# keep me\nconfig a x\n\toption k v # and me\n' >c/commented
	chmod 0604 c/commented
	u commit commented
	u commit
	cat c/commented
	ls -A s
	u set commented.x.k=v                   # same value: no change, no delta
	ls -A s
	u revert commented                      # libuci's revert creates the delta file
	ls -A s; wc -c <s/commented
	u commit commented
	cat c/commented
	u set commented.x.k=w
	u commit commented
	cat c/commented
	stat -c '%a %n' c/commented s/commented
}
c_modes() {
	umask 022
	rm -rf s
	chmod 0750 c
	chmod 0604 c/network
	u set network.lan.x=1
	stat -c '%a %n' s s/network
	u commit network
	stat -c '%a %n' c/network
	printf 'config t\n' | u import fresh
	chmod 0644 c/odd
	printf 'config t\n' | u import odd
	stat -c '%a %n' c/fresh c/odd
	chmod 0700 c
	u -t s2 set network.lan.y=1
	stat -c '%a %n' s2 s2/network
}
c_getopt() {
	u show -X network.lan
	u -L show network.lan
	u -- show network.lan.ifname
	u -qX show network.nope
	u -d, get network.lan.dns
	u -Z
	uci -c
	echo "rc=$?"
	u get network.lan.dns -d,
}
c_empty_confdir() {
	mkdir e
	uci -c e -t s show; echo "rc=$?"
	uci -c e -t s export; echo "rc=$?"
	uci -c e -t s changes; echo "rc=$?"
	uci -c e -t s commit; echo "rc=$?"
	mkdir d d/sub
	: >d/.hidden; : >d/with.dot; : >d/'bad name'
	uci -c d -t s show; echo "rc=$?"
	uci -c missing -t s show; echo "rc=$?"
	echo "config a" >d/ok
	uci -c d -t s show; echo "rc=$?"
}
c_no_validation() {
	u rename network.lan='bad name'         # accepted, staged, skipped on load
	u add network 'bad type'
	u set 'network.@nosuch[3]=x'
	u changes network
	cat s/network
	u show network.lan
	u add 'bad name' x
	u add nope x
	u delete network.lan.dns=
	u delete network.lan.ifname=x
	u delete network.lan.proto=1
	u changes network
}
c_parser() {
	printf 'config\n' >c/p1
	printf "'config' a\n" >c/p2
	printf 'config a b # c\n\toption x y#z\n\toption w "a#b"\n' >c/p3
	printf 'config a b\n\toption x 1;option y 2\n\toption p 3 ;option q 4\n' >c/p4
	printf 'config a b c d\n\toption k v w\nbogus\n\toption z 1\n' >c/p5
	printf 'config a\\\n b\n\toption v "1\\\n2" x\n' >c/p6
	printf 'config a b\n\toption v "x' >c/p7
	printf 'config a b\noption' >c/p8
	for f in p1 p2 p3 p4 p5 p6 p7 p8; do
		u show $f
		u -S show $f
	done
}
c_import_merge() {
	printf 'config interface lan\n\toption proto static\n\toption mtu 1500\nconfig rule\nconfig interface wan\n' |
		u -m import network
	u changes network
	cat s/network
	printf 'config t x\n' | u -m import brandnew
	cat c/brandnew
	stat -c '%a' c/brandnew
	printf 'config t x\n' | u -m import
	printf 'bogus\n' | u -m import network
	u changes network
}
c_interleave() {
	# stdout is buffered as musl does (first line at once, then 1024-byte
	# blocks): the error for zz_broken lands where it does on a device
	i=1
	while [ $i -le 40 ]; do printf 'config s s%d\n\toption o %s\n' $i "value_$i"; i=$((i + 1)); done >c/big
	cp c/broken_cmd c/zz_broken
	u show
	u -q show
}
c_conf2dir() {
	mkdir o
	sed 's/static/dhcp/' c/network >o/network
	chmod 0640 o/network
	u -C o get network.lan.proto           # the override wins
	u -C o get odd.named.k1                # else the config dir
	u get network.lan.proto
	u -C o set network.lan.mtu=1400
	u -C o commit network                  # written back to the override
	grep -c mtu o/network c/network
	stat -c '%a %n' o/network s/network
	mkdir o/quoting
	u -C o show quoting                    # any entry of that name counts
}
c_batch_lines() {
	# a command that loads a package starts the batch's line count afresh
	printf 'get network.lan.proto\nget "open\n' | u batch
	printf 'bogus "x\nbogus "y\nget network.lan.proto\n' | u batch
	printf 'set network.lan.proto=a\ncommit network\nget network.lan.proto\nrevert network\n' | u batch
	cat c/network | grep proto
}
c_delta_paths() {
	u set network.lan.a=1
	mkdir p
	printf "network.lan.b='2'\n-network.lan.ifname\n" >p/network
	uci -c c -t s -p p show network.lan; echo "rc=$?"
	uci -c c -t s -p p changes network; echo "rc=$?"
	uci -c c -t s -p p commit network; echo "rc=$?"
	wc -c <s/network
	cat p/network
	uci -c c -t s -p p changes network; echo "rc=$?"
	u reorder network.lan=-1
	u reorder network.globals=99
	u delete network.lan.dns=7
	u changes network
	u export network
}

# ---- malformed files: error names line and byte, never a crash ----
c_broken() {
	for f in broken_cmd broken_quote broken_order broken_args broken_type broken_name broken_dup; do
		u show $f
		u get $f.a
	done
	u -S show broken_cmd
	u -S show broken_args
	u -S export broken_dup
	u -s show broken_args
	u show
}

for f in $(sed -n 's/^c_\([a-zA-Z0-9_]*\)() {.*/\1/p' "$0"); do
	check "$f" "c_$f"
done
[ $fails -eq 0 ]
