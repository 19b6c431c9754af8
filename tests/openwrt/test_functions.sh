#!/bin/sh
# test_functions: /lib/functions.sh and /lib/config/uci.sh against a temp config dir, under dash and busybox sh.
# SPDX-License-Identifier: MIT
. "$(dirname "$0")/lib.sh"
if [ -z "$TEST_SHELL" ]; then
	in_shells "$0"
	finish
	exit
fi

R=$T/root
owrt_root "$R" || { not_ok "install"; finish; exit 1; }
cat >"$UCI_CONFIG_DIR/test" <<'CONF'
config system
	option hostname 'It'\''s a "box" $HOME `id` \n'
	option multi 'one
two'
	list ntp 'a b'
	list ntp 'c'

config iface 'lan'
	option ipaddr '10.0.0.1'
	option enabled 'yes'
	list dns '1.1.1.1'

config iface 'wan'
	option enabled 'off'

config other 'x'
	option v '1'
CONF
cat >"$UCI_CONFIG_DIR/second" <<'CONF'
config thing 'only'
	option a 'b'
CONF
anon=$("$UCI_BIN" -c "$UCI_CONFIG_DIR" -X show test.@system[0] | sed -n '1s/^test\.\(.*\)=system$/\1/p')

. "$KEEL_LIB_DIR/functions.sh"

# ---- variables ----
eq "N is a newline" "$N" "
"
eq "_C starts at 0" "$_C" 0
eq "NO_EXPORT=1" "$NO_EXPORT" 1
eq "LOAD_STATE=1" "$LOAD_STATE" 1
eq "debug is : without DEBUG" "$debug" ":"
check "uci.sh included (IPKG_INSTROOT unset, file exists)" command -v uci_get >/dev/null
eq "CONFIG_APPEND empty" "$CONFIG_APPEND" ""
got=$(DEBUG=echo; . "$KEEL_LIB_DIR/functions.sh"; $debug hello)
eq "\$debug runs DEBUG" "$got" hello
got=$(IPKG_INSTROOT=/nonexistent; unset -f uci_load; . "$KEEL_LIB_DIR/functions.sh"; command -v uci_load >/dev/null && echo yes || echo no)
eq "IPKG_INSTROOT set: uci.sh not included" "$got" no

# ---- config_load ----
cb_log=
config_cb() { cb_log="$cb_log|c:$1:$2"; }
option_cb() { cb_log="$cb_log|o:$1=$2"; }
list_cb() { cb_log="$cb_log|l:$1=$2"; }
config_load test
eq "config_load exit status" "$?" 0
eq "CONFIG_SECTIONS in file order, anonymous one named as uci names it" "$CONFIG_SECTIONS" "$anon lan wan x"
eq "CONFIG_NUM_SECTIONS" "$CONFIG_NUM_SECTIONS" 4
eq "CONFIG_SECTION is the last section" "$CONFIG_SECTION" x
eq "CONFIG_<sec>_TYPE" "$CONFIG_lan_TYPE" iface
eq "anonymous section's type" "$(config_get "$anon" TYPE)" system
config_get v "$anon" hostname
eq "quotes, \$, backquotes, backslashes kept literally" "$v" "It's a \"box\" \$HOME \`id\` \\n"
config_get v "$anon" multi
eq "a value spanning lines" "$v" "one
two"
config_get v lan ipaddr
eq "config_get VAR SECTION OPTION" "$v" 10.0.0.1
eq "config_get SECTION OPTION prints" "$(config_get lan ipaddr)" 10.0.0.1
config_get v lan missing fallback
eq "config_get default for a missing option" "$v" fallback
v=keep
config_get v nosuch opt
eq "config_get of a missing section empties VAR" "$v" ""
eq "list: items joined by blanks" "$(config_get "$anon" ntp)" "a b c"
eq "list: _LENGTH" "$(config_get "$anon" ntp_LENGTH)" 2
eq "list: _ITEM1 keeps its blank" "$(config_get "$anon" ntp_ITEM1)" "a b"
eq "list: _ITEM2" "$(config_get "$anon" ntp_ITEM2)" c
eq "callbacks in order, config_cb closes the last section" "$cb_log" \
	"|c:system:$anon|o:hostname=It's a \"box\" \$HOME \`id\` \\n|o:multi=one
two|l:ntp=a b|l:ntp=c|c:iface:lan|o:ipaddr=10.0.0.1|o:enabled=yes|l:dns=1.1.1.1|c:iface:wan|o:enabled=off|c:other:x|o:v=1|c::"
reset_cb
cb_log=
config_load test
eq "reset_cb: callbacks do nothing" "$cb_log" ""
eq "loading again does not repeat list items" "$(config_get "$anon" ntp)" "a b c"
eq "loading again: _LENGTH" "$(config_get "$anon" ntp_LENGTH)" 2
(env | grep -q '^CONFIG_lan_ipaddr=') && exported=yes || exported=no
eq "NO_EXPORT=1: values not in children's environment" "$exported" no
exported=$(NO_EXPORT= ; config_load test; env | grep -c '^CONFIG_lan_ipaddr=')
eq "NO_EXPORT empty: values exported" "$exported" 1
config_load nonexistent
check "config_load of a missing package fails" [ $? -ne 0 ]
eq "missing package: no sections" "$CONFIG_SECTIONS" ""
config_load test
CONFIG_APPEND=1 config_load second
eq "CONFIG_APPEND=1 adds a package's sections" "$CONFIG_SECTIONS" "$anon lan wan x only"
config_load second
eq "without CONFIG_APPEND a load starts afresh" "$CONFIG_SECTIONS" "only"

# ---- config_foreach / config_list_foreach ----
config_load test
seen=
each() { seen="$seen[$*]"; }
config_foreach each iface a1 "a 2"
eq "config_foreach TYPE ARGS" "$seen" "[lan a1 a 2][wan a1 a 2]"
seen=
config_foreach each
eq "config_foreach without a type: every section" "$seen" "[$anon][lan][wan][x]"
seen=
config_foreach each "" extra
eq "config_foreach with an empty type and args" "$seen" "[$anon extra][lan extra][wan extra][x extra]"
seen=
config_list_foreach "$anon" ntp each arg
eq "config_list_foreach" "$seen" "[a b arg][c arg]"
seen=
config_list_foreach lan ipaddr each
eq "config_list_foreach on a plain option" "$seen" "[10.0.0.1]"
seen=
config_list_foreach lan nothing each
eq "config_list_foreach on a missing option" "$seen" ""

# ---- config_get_bool ----
bools=
for w in 1 on true yes enabled 0 off false no disabled maybe ""; do
	config_set t b "$w"
	config_get_bool r t b X
	bools="$bools $w=$r"
done
eq "config_get_bool words" "$bools" " 1=1 on=1 true=1 yes=1 enabled=1 0=0 off=0 false=0 no=0 disabled=0 maybe=X =X"
config_get_bool r lan enabled 0
eq "config_get_bool from the file (yes)" "$r" 1
config_get_bool r wan enabled 1
eq "config_get_bool from the file (off)" "$r" 0
config_get_bool r lan missing
eq "config_get_bool without value or default is empty" "$r" ""

# ---- config_set / unset / clear / rename ----
config_set lan ipaddr 10.9.9.9
eq "config_set" "$(config_get lan ipaddr)" 10.9.9.9
config_unset lan ipaddr
eq "config_unset" "$(config_get lan ipaddr)" ""
config_rename lan inside
eq "config_rename: CONFIG_SECTIONS" "$CONFIG_SECTIONS" "$anon inside wan x"
eq "config_rename: values follow" "$(config_get inside enabled)" yes
eq "config_rename: type follows" "$(config_get inside TYPE)" iface
eq "config_rename: old name is gone" "$(config_get lan enabled)" ""
config_clear wan
eq "config_clear SECTION: out of CONFIG_SECTIONS" "$CONFIG_SECTIONS" "$anon inside x"
eq "config_clear SECTION: values gone" "$(config_get wan enabled)" ""
eq "config_clear SECTION: others kept" "$(config_get x v)" 1
config_clear
eq "config_clear: no sections" "$CONFIG_SECTIONS" ""
eq "config_clear: no values" "$(config_get x v)$(config_get inside enabled)" ""

# ---- config/option/list called directly (scripts generating config) ----
NO_CALLBACK=1
config_load second
config mytype
option key 'v 1'
list items one
list items two
NO_CALLBACK=
eq "config without a name: cfg<_C>" "$CONFIG_SECTION" cfg1
eq "option" "$(config_get cfg1 key)" "v 1"
eq "list" "$(config_get cfg1 items_LENGTH):$(config_get cfg1 items)" "2:one two"
check "package returns 0" package foo

# ---- append / list_contains / list_remove / strtok ----
unset L
append L a
append L b
append L c ","
eq "append with default and custom separators" "$L" "a b,c"
L="x"
append L ""
eq "append of an empty value adds no separator" "$L" "x"
L="eth0 eth1 br-lan"
check "list_contains finds a word" list_contains L eth1
check "list_contains misses a part of a word" not list_contains L eth
check "list_contains: WORD is a pattern, as on OpenWrt" list_contains L "br-*"
check "list_contains: a pattern matches whole words only" not list_contains L "lan*"
P="b c"
prepend P a
eq "prepend" "$P" "a b c"
P=
prepend P a ,
eq "prepend to nothing adds no separator" "$P" "a"
prepend P z ,
eq "prepend with a separator" "$P" "z,a"
L="a b a c a"
list_remove L a
eq "list_remove drops every occurrence" "$L" "b c"
L="x* y"
list_remove L "x*"
eq "list_remove with a glob character" "$L" "y"
strtok "a:b:c" A : B : C
eq "strtok returns the count" "$?" 3
eq "strtok values" "$A/$B/$C" "a/b/c"
unset A B C
strtok "1.2.3.4" A . B
eq "strtok: the rest goes to the last variable" "$?:$A/$B" "2:1/2.3.4"
strtok "x*y*z" A "*" B "*" C
eq "strtok separators are literal" "$?:$A/$B/$C" "3:x/y/z"
strtok "nosep" A : B
eq "strtok without a separator" "$?:$A" "1:nosep"

# ---- include / find_mtd_part / jffs2_mark_erase / load_modules ----
mkdir -p "$R/lib/inc"
echo 'INC_A=1' >"$R/lib/inc/a.sh"
echo 'INC_B=$INC_A' >"$R/lib/inc/b.sh"
echo 'INC_C=1' >"$R/lib/inc/c.txt"
IPKG_INSTROOT=$R include /lib/inc
eq "include sources DIR/*.sh in order" "$INC_A$INC_B${INC_C:-none}" 11none
cat >"$T/mtd" <<'MTD'
dev:    size   erasesize  name
mtd0: 00040000 00010000 "u-boot"
mtd3: 00700000 00010000 "rootfs_data"
MTD
eq "find_mtd_part" "$(PROC_MTD=$T/mtd find_mtd_part rootfs_data)" /dev/mtdblock3
eq "find_mtd_part of a missing partition" "$(PROC_MTD=$T/mtd find_mtd_part nope)" ""
cat >"$T/fake-mtd" <<FAKE
#!/bin/sh
echo "\$*" >"$T/mtd.args"
od -An -tx1 | tr -d ' \n' >"$T/mtd.data"
FAKE
chmod 755 "$T/fake-mtd"
PROC_MTD=$T/mtd MTD=$T/fake-mtd jffs2_mark_erase rootfs_data
eq "jffs2_mark_erase writes the marker" "$(cat "$T/mtd.args") $(cat "$T/mtd.data")" "-qq write - rootfs_data deadc0de"
PROC_MTD=$T/mtd MTD=$T/fake-mtd jffs2_mark_erase nope 2>/dev/null
check "jffs2_mark_erase of a missing partition fails" [ $? -ne 0 ]
mkdir -p "$MODULES_D_DIR"
printf '# comment\nnf_conntrack hashsize=4096\n\nppp_generic\n' >"$MODULES_D_DIR/30-net"
printf 'usbcore' >"$MODULES_D_DIR/20-usb"
printf '#!/bin/sh\necho "$*" >>"%s"\n' "$T/insmod.log" >"$T/fake-insmod"
chmod 755 "$T/fake-insmod"
INSMOD=$T/fake-insmod load_modules 20-usb 30-net
eq "load_modules: each line to insmod, comments skipped" "$(cat "$T/insmod.log")" "usbcore
nf_conntrack hashsize=4096
ppp_generic"

# ---- uci.sh ----
eq "uci_get" "$(uci_get test lan ipaddr)" 10.0.0.1
eq "uci_get of a section: its type" "$(uci_get test lan)" iface
eq "uci_get default" "$(uci_get test lan nope dflt)" dflt
uci_get test lan nope >/dev/null
check "uci_get of a missing option fails" [ $? -ne 0 ]
eq "uci_get of a list" "$(uci_get test @system[0] ntp)" "'a b' c"
uci_set test lan ipaddr 10.1.1.1
eq "uci_set is staged (uci_get sees it)" "$(uci_get test lan ipaddr)" 10.1.1.1
check "uci_set did not touch the file yet" grep -q "10.0.0.1" "$UCI_CONFIG_DIR/test"
uci_commit test
check "uci_commit writes the file" grep -q "10.1.1.1" "$UCI_CONFIG_DIR/test"
uci_add test iface guest
eq "uci_add with a name sets CONFIG_SECTION" "$CONFIG_SECTION:$(uci_get test guest)" guest:iface
uci_add test host
case $CONFIG_SECTION in cfg[0-9a-f]*) ok "uci_add anonymous: CONFIG_SECTION is uci's name" ;;
*) not_ok "uci_add anonymous: CONFIG_SECTION is uci's name" "got $CONFIG_SECTION" ;; esac
eq "uci_add anonymous: the section exists" "$(uci_get test "$CONFIG_SECTION")" host
uci_add_list test guest dns 1.1.1.1
uci_add_list test guest dns "9.9.9.9"
eq "uci_add_list" "$(uci_get test guest dns)" "1.1.1.1 9.9.9.9"
uci_remove_list test guest dns 1.1.1.1
eq "uci_remove_list" "$(uci_get test guest dns)" "9.9.9.9"
uci_rename test guest visitors
eq "uci_rename section" "$(uci_get test visitors)" iface
uci_rename test visitors dns resolvers
eq "uci_rename option" "$(uci_get test visitors resolvers)" "9.9.9.9"
uci_remove test visitors resolvers
eq "uci_remove option" "$(uci_get test visitors resolvers)" ""
uci_remove test visitors
eq "uci_remove section" "$(uci_get test visitors)" ""
uci_commit
check "uci_commit without a package commits everything" not grep -q visitors "$UCI_CONFIG_DIR/test"

uci_set_state test lan up 1
eq "uci_set_state / uci_get_state" "$(uci_get_state test lan up)" 1
eq "state is not config (uci_get)" "$(uci_get test lan up)" ""
check "state stays out of the config file" not grep -q "option up" "$UCI_CONFIG_DIR/test"
config_load test
eq "config_load reads state (LOAD_STATE)" "$(config_get lan up)" 1
(LOAD_STATE=; config_clear; config_load test; [ -z "$(config_get lan up)" ])
check "LOAD_STATE empty: state not read" [ $? -eq 0 ]
uci_toggle_state test lan up 0
eq "uci_toggle_state" "$(uci_get_state test lan up)" 0
check "uci_toggle_state leaves one state line" [ "$(grep -c "up=" "$UCI_STATE_DIR/test")" = 1 ]
uci_revert_state test lan up
eq "uci_revert_state" "$(uci_get_state test lan up)" ""
uci_set_state test lan up
check "uci_set_state needs 4 arguments" [ -z "$(uci_get_state test lan up)" ]

printf "config thing 'one'\n\toption a 'default'\n" | uci_set_default fresh
eq "uci_set_default creates a missing package" "$(uci_get fresh one a)" default
printf "config thing 'one'\n\toption a 'other'\n" | uci_set_default fresh
eq "uci_set_default leaves an existing one" "$(uci_get fresh one a)" default

mkdir -p "$UCI_DEFAULTS_DIR"
printf 'uci_set test lan proto static\n' >"$UCI_DEFAULTS_DIR/10-ok"
printf 'exit 1\n' >"$UCI_DEFAULTS_DIR/20-fails"
uci_apply_defaults
check "uci_apply_defaults: a successful script is deleted" [ ! -e "$UCI_DEFAULTS_DIR/10-ok" ]
check "uci_apply_defaults: a failing script stays for the next boot" [ -e "$UCI_DEFAULTS_DIR/20-fails" ]
check "uci_apply_defaults: changes committed" grep -q "option proto 'static'" "$UCI_CONFIG_DIR/test"

# ---- default_postinst / default_prerm, below an image root (what a firmware build runs) ----
IMG=$T/img
"$KEEL_SRC/openwrt/install.sh" "$IMG" >/dev/null
mkdir -p "$IMG/usr/lib/opkg/info"
printf '#!/bin/sh /etc/rc.common\nSTART=40\nSTOP=60\n' >"$IMG/etc/init.d/foo"
chmod 755 "$IMG/etc/init.d/foo"
printf '/etc/init.d/foo\n/usr/sbin/food\n' >"$IMG/usr/lib/opkg/info/foo.list"
printf 'Package: foo\nRequire-User: food=500:foo=501:dialout=20\n' >"$IMG/usr/lib/opkg/info/foo.control"
printf 'root:x:0:0:root:/root:/bin/ash\n' >"$IMG/etc/passwd"
printf 'root:x:0:\ndialout:x:20:\n' >"$IMG/etc/group"
: >"$IMG/etc/shadow"
(unset RC_D_DIR INIT_D_DIR KEEL_LIB_DIR; IPKG_INSTROOT=$IMG default_postinst foo)
eq "default_postinst: the package's script enabled (S and K links)" "$(ls "$IMG/etc/rc.d" | tr '\n' ' ')" "K60foo S40foo "
eq "default_postinst: Require-User: the user" "$(grep '^food:' "$IMG/etc/passwd")" "food:x:500:501:food:/var/run/food:/bin/false"
eq "default_postinst: its group and an extra group" "$(grep -E '^(foo|dialout):' "$IMG/etc/group" | tr '\n' ' ')" "dialout:x:20:food foo:x:501:food "
(unset RC_D_DIR INIT_D_DIR KEEL_LIB_DIR; IPKG_INSTROOT=$IMG default_prerm foo)
eq "default_prerm: links removed" "$(ls "$IMG/etc/rc.d")" ""

finish
