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
	uci -c "$TMP/c" -t "$TMP/s" "$@"
	echo "rc=$?"
}

fails=0
check() {
	name=$1
	shift
	rm -rf "$TMP/c" "$TMP/s"
	mkdir -p "$TMP/c" "$TMP/s"
	cp "$HERE"/config/* "$TMP/c/"
	( cd "$TMP" && "$@" ) >"$TMP/out" 2>&1
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
