# functions.sh: OpenWrt's shell helpers (UCI config as shell variables, lists, includes, modules, mtd) for keel systems.
# SPDX-License-Identifier: MIT
#
# Sourced by /etc/rc.common and by scripts (". /lib/functions.sh"). Written for
# POSIX sh as found on the devices: busybox ash and dash ("local" is the only
# extension used). Reference: openwrt/README.md.
#
# Loaded configuration lives in shell variables, as OpenWrt scripts expect:
#   CONFIG_SECTIONS              section names in file order
#   CONFIG_NUM_SECTIONS          how many sections were loaded
#   CONFIG_SECTION               the section being read (the last one afterwards)
#   CONFIG_<sec>_TYPE            a section's type
#   CONFIG_<sec>_<opt>           an option's value; a list's items joined by $LIST_SEP
#   CONFIG_<sec>_<opt>_ITEM<n>   list item n (from 1), CONFIG_<sec>_<opt>_LENGTH items
#   CONFIG_LIST_STATE            <sec>_<opt> of every list, so the next load can reset it

# Newline, for scripts that build multi-line text ("a${N}b").
N="
"
# Internal counter of sections declared without a name since the last config_load.
_C=0
# Set: helper variables stay in this shell; empty: they are exported to children.
NO_EXPORT=1
# Set: config_load also reads the runtime state (uci -P $UCI_STATE_DIR).
LOAD_STATE=1
# Separator of a list's items in CONFIG_<sec>_<opt>.
LIST_SEP=" "
# "$debug echo text" prints only when DEBUG names a command (DEBUG=echo).
debug=${DEBUG:-:}
alias debug="${DEBUG:-:}"

# _fn_setvar NAME VALUE: assigns, and exports unless NO_EXPORT is set.
_fn_setvar() {
	eval "$1=\$2"
	[ -n "$NO_EXPORT" ] || export "$1"
}

# _fn_name_ok WORD...: every word is usable inside a variable name.
_fn_name_ok() {
	while [ $# -gt 0 ]; do
		case $1 in
		'' | *[!A-Za-z0-9_]*) return 1 ;;
		esac
		shift
	done
	return 0
}

# append VAR VALUE [SEP]: adds VALUE to VAR, with SEP (default a blank) between
# them only when both are non-empty.
append() {
	local _a_var="$1" _a_val="$2" _a_sep="${3- }" _a_old
	_fn_name_ok "$_a_var" || return 1
	eval "_a_old=\${$_a_var}"
	if [ -n "$_a_old" ] && [ -n "$_a_val" ]; then
		_fn_setvar "$_a_var" "$_a_old$_a_sep$_a_val"
	else
		_fn_setvar "$_a_var" "$_a_old$_a_val"
	fi
}

# prepend VAR VALUE [SEP]: puts VALUE in front of VAR, with SEP (default a
# blank) between them only when both are non-empty.
prepend() {
	local _p_var="$1" _p_val="$2" _p_sep="${3- }" _p_old
	_fn_name_ok "$_p_var" || return 1
	eval "_p_old=\${$_p_var}"
	if [ -n "$_p_old" ] && [ -n "$_p_val" ]; then
		_fn_setvar "$_p_var" "$_p_val$_p_sep$_p_old"
	else
		_fn_setvar "$_p_var" "$_p_val$_p_old"
	fi
}

# list_contains VAR WORD: true when a blank-separated word of VAR matches
# WORD, a shell pattern as on OpenWrt ("list_contains ifs 'eth*'").
list_contains() {
	local _l_val
	_fn_name_ok "$1" || return 1
	eval "_l_val=\${$1}"
	# shellcheck disable=SC2254
	case " $_l_val " in
	*" "$2" "*) return 0 ;;
	esac
	return 1
}

# list_remove VAR WORD: drops every occurrence of WORD from the word list VAR.
list_remove() {
	local _l_val _l_out="" _l_w _l_noglob=""
	_fn_name_ok "$1" || return 1
	eval "_l_val=\${$1}"
	case $- in *f*) _l_noglob=1 ;; esac
	set -f
	for _l_w in $_l_val; do
		[ "$_l_w" = "$2" ] || _l_out="${_l_out:+$_l_out }$_l_w"
	done
	[ -n "$_l_noglob" ] || set +f
	_fn_setvar "$1" "$_l_out"
}

# strtok STRING VAR1 SEP1 VAR2 SEP2 ... VARn: splits STRING at the first SEP1
# into VAR1, the rest at SEP2 into VAR2..., what is left into VARn. The exit
# status is the number of variables set (the separators are literal text).
strtok() {
	local _s_rest="$1" _s_head _s_count=0
	shift
	while [ $# -gt 1 ]; do
		_s_head=${_s_rest%%"$2"*}
		[ "$_s_head" = "$_s_rest" ] && break
		_s_rest=${_s_rest#"$_s_head$2"}
		_fn_setvar "$1" "$_s_head"
		_s_count=$((_s_count + 1))
		shift 2
	done
	if [ $# -gt 0 ] && [ -n "$_s_rest" ]; then
		_fn_setvar "$1" "$_s_rest"
		_s_count=$((_s_count + 1))
	fi
	return $_s_count
}

# The callbacks config_load calls; scripts redefine them to see each section,
# option and list item as it is read. config_cb is called once more without
# arguments after the last section, to close it.
reset_cb() {
	config_cb() { return 0; }
	option_cb() { return 0; }
	list_cb() { return 0; }
}
reset_cb

# package NAME: the first line of uci export; nothing to record.
package() {
	return 0
}

# config TYPE [NAME]: starts a section (called by the export text config_load evaluates).
config() {
	local _c_type="$1" _c_name="$2"
	if [ -z "$_c_name" ]; then
		_C=$((_C + 1))
		_c_name="cfg$_C"
	fi
	_fn_name_ok "$_c_name" || return 1
	_fn_setvar CONFIG_NUM_SECTIONS $((${CONFIG_NUM_SECTIONS:-0} + 1))
	# a section merged from two places (file and state) is listed once
	list_contains CONFIG_SECTIONS "$_c_name" || append CONFIG_SECTIONS "$_c_name"
	_fn_setvar CONFIG_SECTION "$_c_name"
	config_set "$_c_name" TYPE "$_c_type"
	[ -n "$NO_CALLBACK" ] || config_cb "$_c_type" "$_c_name"
}

# option NAME VALUE: an option of the current section.
option() {
	local _o_name="$1"
	shift
	config_set "$CONFIG_SECTION" "$_o_name" "$*"
	[ -n "$NO_CALLBACK" ] || option_cb "$_o_name" "$*"
}

# list NAME VALUE: one more item of a list option of the current section.
list() {
	local _li_name="$1" _li_len _li_joined
	shift
	_fn_name_ok "$CONFIG_SECTION" "$_li_name" || return 1
	config_get _li_len "$CONFIG_SECTION" "${_li_name}_LENGTH" 0
	[ "$_li_len" = 0 ] && append CONFIG_LIST_STATE "${CONFIG_SECTION}_$_li_name"
	_li_len=$((_li_len + 1))
	config_set "$CONFIG_SECTION" "${_li_name}_ITEM$_li_len" "$*"
	config_set "$CONFIG_SECTION" "${_li_name}_LENGTH" "$_li_len"
	append "CONFIG_${CONFIG_SECTION}_$_li_name" "$*" "$LIST_SEP"
	[ -n "$NO_CALLBACK" ] || list_cb "$_li_name" "$*"
}

# config_set SECTION OPTION VALUE: sets a loaded value (not the file: see uci_set).
config_set() {
	_fn_name_ok "$1" "$2" || return 1
	_fn_setvar "CONFIG_$1_$2" "$3"
}

# config_unset SECTION OPTION: empties a loaded value.
config_unset() {
	config_set "$1" "$2" ""
}

# config_get VAR SECTION OPTION [DEFAULT]: VAR=value (DEFAULT when empty or
# unset). config_get SECTION OPTION: prints the value.
config_get() {
	local _g_val
	case $# in
	0 | 1) return 1 ;;
	2)
		_fn_name_ok "$1" "$2" || return 1
		eval "_g_val=\${CONFIG_$1_$2}"
		printf '%s\n' "$_g_val"
		;;
	*)
		_fn_name_ok "$1" "$2" "$3" || return 1
		eval "_g_val=\${CONFIG_$2_$3:-\$4}"
		_fn_setvar "$1" "$_g_val"
		;;
	esac
}

# get_bool VALUE [DEFAULT]: prints 1 or 0 for the words UCI uses for
# booleans, DEFAULT for anything else.
get_bool() {
	case $1 in
	1 | on | On | ON | true | True | TRUE | yes | Yes | YES | enabled | Enabled) printf '1' ;;
	0 | off | Off | OFF | false | False | FALSE | no | No | NO | disabled | Disabled) printf '0' ;;
	*) printf '%s' "$2" ;;
	esac
}

# config_get_bool VAR SECTION OPTION [DEFAULT]: VAR=1 or 0 (DEFAULT when the
# value is missing or not a boolean word).
config_get_bool() {
	local _b_val
	config_get _b_val "$2" "$3" "$4" || return 1
	_fn_setvar "$1" "$(get_bool "$_b_val" "$4")"
}

# config_foreach FUNCTION [TYPE] [ARGS...]: FUNCTION SECTION ARGS... for every
# loaded section (of TYPE when given and non-empty), in file order.
config_foreach() {
	local _f_fn="$1" _f_type _f_sec _f_t
	[ $# -ge 1 ] && shift
	_f_type="$1"
	[ $# -ge 1 ] && shift
	for _f_sec in $CONFIG_SECTIONS; do
		config_get _f_t "$_f_sec" TYPE
		[ -z "$_f_type" ] || [ "$_f_t" = "$_f_type" ] || continue
		"$_f_fn" "$_f_sec" "$@"
	done
	return 0
}

# config_list_foreach SECTION OPTION FUNCTION [ARGS...]: FUNCTION ITEM ARGS...
# for every item of a list option (a plain option counts as one item).
config_list_foreach() {
	local _lf_sec="$1" _lf_opt="$2" _lf_fn="$3" _lf_len _lf_i=1 _lf_val
	[ $# -ge 3 ] || return 1
	shift 3
	config_get _lf_len "$_lf_sec" "${_lf_opt}_LENGTH"
	if [ -z "$_lf_len" ]; then
		config_get _lf_val "$_lf_sec" "$_lf_opt"
		[ -z "$_lf_val" ] || "$_lf_fn" "$_lf_val" "$@"
		return 0
	fi
	while [ "$_lf_i" -le "$_lf_len" ]; do
		config_get _lf_val "$_lf_sec" "${_lf_opt}_ITEM$_lf_i"
		"$_lf_fn" "$_lf_val" "$@"
		_lf_i=$((_lf_i + 1))
	done
}

# _fn_config_vars [SECTION]: names of the CONFIG_ variables of SECTION (all of
# them without one). `set` lists values that span lines as several lines; only
# lines shaped like an assignment of a valid name are taken.
_fn_config_vars() {
	set | sed -n "s/^\(CONFIG_${1:+${1}_}[A-Za-z0-9_]*\)=.*/\1/p"
}

# config_clear [SECTION]: forgets a loaded section, or everything loaded.
config_clear() {
	local _cc_var
	[ -z "$1" ] || _fn_name_ok "$1" || return 1
	if [ -n "$1" ]; then
		list_remove CONFIG_SECTIONS "$1"
	else
		_fn_setvar CONFIG_SECTIONS ""
	fi
	for _cc_var in $(_fn_config_vars "$1"); do
		case $_cc_var in CONFIG_SECTIONS) continue ;; esac
		unset "$_cc_var"
	done
}

# config_rename OLD NEW: a loaded section gets a new name, with its values.
config_rename() {
	local _r_old="$1" _r_new="$2" _r_var _r_val _r_list="" _r_s
	_fn_name_ok "$_r_old" "$_r_new" || return 1
	for _r_var in $(_fn_config_vars "$_r_old"); do
		eval "_r_val=\${$_r_var}"
		unset "$_r_var"
		_fn_setvar "CONFIG_${_r_new}_${_r_var#CONFIG_${_r_old}_}" "$_r_val"
	done
	for _r_s in $CONFIG_SECTIONS; do
		[ "$_r_s" = "$_r_old" ] && _r_s=$_r_new
		_r_list="${_r_list:+$_r_list }$_r_s"
	done
	_fn_setvar CONFIG_SECTIONS "$_r_list"
	[ "$CONFIG_SECTION" = "$_r_old" ] && _fn_setvar CONFIG_SECTION "$_r_new"
	return 0
}

# config_load PACKAGE: reads /etc/config/PACKAGE (UCI_CONFIG_DIR) with its
# staged and runtime-state changes into CONFIG_ variables, through the callbacks.
config_load() {
	[ -n "$IPKG_INSTROOT" ] && return 0
	uci_load "$@"
}

# include DIR: sources every DIR/*.sh (below IPKG_INSTROOT), in name order.
include() {
	local _i_file
	for _i_file in "$IPKG_INSTROOT$1"/*.sh; do
		[ -f "$_i_file" ] && . "$_i_file"
	done
	return 0
}

# find_mtd_part NAME: prints the block device of the mtd partition named NAME
# in /proc/mtd (/dev/mtdblockN, or /dev/mtdblock/N on devfs-style systems).
find_mtd_part() {
	local _m_part _m_prefix=/dev/mtdblock
	_m_part=$(grep "\"$1\"" "${PROC_MTD:-/proc/mtd}" 2>/dev/null | sed -n '1s/^mtd\([0-9]*\):.*/\1/p')
	[ -d /dev/mtdblock ] && _m_prefix=/dev/mtdblock/
	[ -n "$_m_part" ] && printf '%s%s\n' "$_m_prefix" "$_m_part"
}

# find_mtd_index NAME: the number of the mtd partition named NAME.
find_mtd_index() {
	sed -n "s/^mtd\([0-9]*\):.*\"$1\"\$/\1/p" "${PROC_MTD:-/proc/mtd}" 2>/dev/null | sed -n 1p
}

# find_mmc_part NAME [DISK]: /dev/mmcblkXpY whose partition name is NAME.
find_mmc_part() {
	local _mm_d _mm_n
	grep -q "\"$1\"" "${PROC_MTD:-/proc/mtd}" 2>/dev/null && { echo; return 0; }
	for _mm_d in "${SYSFS_BLOCK:-/sys/block}"/${2:-mmcblk*}/mmcblk*p*; do
		[ -f "$_mm_d/uevent" ] || continue
		_mm_n=$(sed -n 's/^PARTNAME=//p' "$_mm_d/uevent")
		[ "$_mm_n" = "$1" ] && { echo "/dev/${_mm_d##*/}"; return 0; }
	done
}

# board_name: the board's name as preinit recorded it, else "generic".
board_name() {
	if [ -e "${SYSINFO_DIR:-/tmp/sysinfo}/board_name" ]; then
		cat "${SYSINFO_DIR:-/tmp/sysinfo}/board_name"
	else
		echo generic
	fi
}

# cmdline_get_var NAME: the value of each NAME=VALUE on the kernel command line.
cmdline_get_var() {
	local _cv_w
	# word splitting wanted: the command line is blank-separated
	# shellcheck disable=SC2013
	for _cv_w in $(cat "${PROC_CMDLINE:-/proc/cmdline}"); do
		case $_cv_w in "$1="*) echo "${_cv_w#"$1="}" ;; esac
	done
}

# xor HEX...: the bitwise xor of hex numbers of one length, as many digits.
xor() {
	local _x_r="0x$1" _x_len=${#1}
	shift
	while [ -n "$1" ]; do
		_x_r=$((_x_r ^ 0x$1))
		shift
	done
	printf "%0${_x_len}x" "$_x_r"
}

# group_exists NAME / user_exists NAME: a line for NAME in /etc/group or /etc/passwd.
group_exists() { grep -qs "^$1:" "$IPKG_INSTROOT/etc/group"; }
user_exists() { grep -qs "^$1:" "$IPKG_INSTROOT/etc/passwd"; }

# group_add NAME GID: a new line in /etc/group.
group_add() {
	[ -f "$IPKG_INSTROOT/etc/group" ] || return 1
	echo "$1:x:$2:" >>"$IPKG_INSTROOT/etc/group"
}

# group_add_next NAME: the group's gid, after adding it with the first free gid from 32768.
group_add_next() {
	local _gn_gid
	_gn_gid=$(grep -s "^$1:" "$IPKG_INSTROOT/etc/group" | cut -d: -f3)
	if [ -n "$_gn_gid" ]; then
		echo "$_gn_gid"
		return 0
	fi
	_gn_gid=32768
	while cut -d: -f3 "$IPKG_INSTROOT/etc/group" | grep -qx "$_gn_gid"; do
		_gn_gid=$((_gn_gid + 1))
	done
	group_add "$1" "$_gn_gid"
	echo "$_gn_gid"
}

# group_add_user GROUP USER: USER becomes a member of GROUP.
group_add_user() {
	local _gu_line _gu_new
	_gu_line=$(grep -s "^$1:" "$IPKG_INSTROOT/etc/group") || return 1
	case ",$(echo "$_gu_line" | cut -d: -f4)," in *",$2,"*) return 0 ;; esac
	case $_gu_line in *:) _gu_new="$_gu_line$2" ;; *) _gu_new="$_gu_line,$2" ;; esac
	sed -i "s/^$1:.*/$_gu_new/" "$IPKG_INSTROOT/etc/group"
}

# user_add NAME [UID [GID [DESC [HOME [SHELL]]]]]: new lines in /etc/passwd and /etc/shadow.
user_add() {
	local _ua_uid="$2" _ua_gid="$3"
	[ -f "$IPKG_INSTROOT/etc/passwd" ] || return 1
	if [ -z "$_ua_uid" ]; then
		_ua_uid=32768
		while cut -d: -f3 "$IPKG_INSTROOT/etc/passwd" | grep -qx "$_ua_uid"; do
			_ua_uid=$((_ua_uid + 1))
		done
	fi
	echo "$1:x:$_ua_uid:${_ua_gid:-$_ua_uid}:${4:-$1}:${5:-/var/run/$1}:${6:-/bin/false}" >>"$IPKG_INSTROOT/etc/passwd"
	echo "$1:x:0:0:99999:7:::" >>"$IPKG_INSTROOT/etc/shadow"
}

# _fn_pkg_file PKG EXT: the package database file of PKG (opkg's, else apk's).
_fn_pkg_file() {
	if [ -f "$IPKG_INSTROOT/lib/apk/packages/$1.$2" ]; then
		echo "$IPKG_INSTROOT/lib/apk/packages/$1.$2"
	else
		echo "$IPKG_INSTROOT/usr/lib/opkg/info/$1.$2"
	fi
}

# add_group_and_user PKG: the users and groups of the package's
# "Require-User: user[=uid]:group[=gid][:extra[=gid],...]" words.
add_group_and_user() {
	local _au_pkg="${pkgname:-${1##*/}}" _au_req _au_t _au_u _au_g _au_x _au_uid _au_gid _au_e
	_au_pkg=${_au_pkg%.*}
	_au_req=$(sed -n 's/^Require-User: *//p' "$IPKG_INSTROOT/usr/lib/opkg/info/$_au_pkg.control" 2>/dev/null)
	[ -f "$IPKG_INSTROOT/lib/apk/packages/$_au_pkg.rusers" ] && _au_req=$(cat "$IPKG_INSTROOT/lib/apk/packages/$_au_pkg.rusers")
	for _au_t in $_au_req; do
		_au_u=${_au_t%%:*}
		_au_g=${_au_t#"$_au_u"}
		_au_g=${_au_g#:}
		_au_x=${_au_g#*:}
		[ "$_au_x" = "$_au_g" ] && _au_x=
		_au_g=${_au_g%%:*}
		_au_uid=${_au_u#*=}; [ "$_au_uid" = "$_au_u" ] && _au_uid=
		_au_u=${_au_u%%=*}
		_au_gid=${_au_g#*=}; [ "$_au_gid" = "$_au_g" ] && _au_gid=
		_au_g=${_au_g%%=*}
		if [ -n "$_au_g" ] && [ -n "$_au_gid" ]; then
			group_exists "$_au_g" || group_add "$_au_g" "$_au_gid"
		elif [ -n "$_au_g" ]; then
			_au_gid=$(group_add_next "$_au_g")
		fi
		[ -z "$_au_u" ] || user_exists "$_au_u" || user_add "$_au_u" "$_au_uid" "$_au_gid"
		[ -z "$_au_u" ] || [ -z "$_au_g" ] || group_add_user "$_au_g" "$_au_u"
		for _au_e in $(echo "$_au_x" | tr ',' ' '); do
			if [ "${_au_e#*=}" != "$_au_e" ]; then
				group_exists "${_au_e%%=*}" || group_add "${_au_e%%=*}" "${_au_e#*=}"
			else
				group_add_next "$_au_e" >/dev/null
			fi
			group_add_user "${_au_e%%=*}" "$_au_u"
		done
	done
}

# _fn_pkg_scripts LIST ACTION...: runs the package's init scripts: below an
# image root, "enable"/"disable" only; on the device, ACTION in turn.
_fn_pkg_scripts() {
	local _ps_list="$1" _ps_i _ps_a
	shift
	for _ps_i in $(grep -s '^/etc/init.d/' "$_ps_list"); do
		if [ -n "$IPKG_INSTROOT" ]; then
			${SHELL_RC:-sh} "$IPKG_INSTROOT/etc/rc.common" "$IPKG_INSTROOT$_ps_i" "$1"
			continue
		fi
		for _ps_a in "$@"; do
			case $_ps_a in enable | disable) [ "$PKG_UPGRADE" = 1 ] && continue ;; esac
			"$_ps_i" "$_ps_a"
		done
	done
}

# default_postinst PKG: what a package's postinst does by default: its users
# and groups, its uci-defaults (on the device), then enable and start its scripts.
default_postinst() {
	local _dp_pkg="${pkgname:-${1##*/}}" _dp_list _dp_rc=0 _dp_f
	_dp_pkg=${_dp_pkg%.*}
	_dp_list=$(_fn_pkg_file "$_dp_pkg" list)
	add_group_and_user "$_dp_pkg"
	if [ -z "$IPKG_INSTROOT" ] && grep -qs '^/etc/uci-defaults/' "$_dp_list"; then
		for _dp_f in $(grep -s '^/etc/uci-defaults/' "$_dp_list"); do
			([ -f "$_dp_f" ] && cd "${_dp_f%/*}" && . "$_dp_f") && rm -f "$_dp_f"
		done
		command -v uci_commit >/dev/null 2>&1 && uci_commit
	fi
	if [ -f "$IPKG_INSTROOT/usr/lib/opkg/info/$_dp_pkg.postinst-pkg" ]; then
		(. "$IPKG_INSTROOT/usr/lib/opkg/info/$_dp_pkg.postinst-pkg")
		_dp_rc=$?
	fi
	_fn_pkg_scripts "$_dp_list" enable start
	return $_dp_rc
}

# default_prerm PKG: before removal: stop and disable the package's scripts.
default_prerm() {
	local _dr_pkg="${pkgname:-${1##*/}}" _dr_rc=0
	_dr_pkg=${_dr_pkg%.*}
	if [ -f "$IPKG_INSTROOT/usr/lib/opkg/info/$_dr_pkg.prerm-pkg" ]; then
		(. "$IPKG_INSTROOT/usr/lib/opkg/info/$_dr_pkg.prerm-pkg")
		_dr_rc=$?
	fi
	_fn_pkg_scripts "$(_fn_pkg_file "$_dr_pkg" list)" disable stop
	return $_dr_rc
}

# jffs2_mark_erase NAME: writes the JFFS2 end-of-filesystem marker at the
# start of partition NAME, so the overlay is formatted again on next boot.
jffs2_mark_erase() {
	local _j_part
	_j_part=$(find_mtd_part "$1")
	if [ -z "$_j_part" ]; then
		echo "Partition not found." >&2
		return 1
	fi
	printf '\336\255\300\336' | ${MTD:-mtd} -qq write - "$1"
}

# hotplug_dev ACTION INTERFACE: runs the net hotplug handlers for INTERFACE
# with a clean environment, as the kernel's hotplug would.
hotplug_dev() {
	env -i ACTION="$1" INTERFACE="$2" /sbin/hotplug-call net
}

# load_modules FILE...: every "module [arguments]" line of the named files of
# /etc/modules.d goes to insmod (missing modules are not an error: one kernel
# image serves many boards).
load_modules() {
	local _lm_dir="${MODULES_D_DIR:-$IPKG_INSTROOT/etc/modules.d}" _lm_file _lm_line
	[ -d "$_lm_dir" ] || return 0
	for _lm_file in "$@"; do
		case $_lm_file in /*) ;; *) _lm_file="$_lm_dir/$_lm_file" ;; esac
		[ -f "$_lm_file" ] || continue
		while IFS= read -r _lm_line || [ -n "$_lm_line" ]; do
			case $_lm_line in '' | '#'*) continue ;; esac
			# word splitting wanted: module name, then its arguments
			# shellcheck disable=SC2086
			${INSMOD:-insmod} $_lm_line 2>/dev/null
		done <"$_lm_file"
	done
	return 0
}

# uci_apply_defaults: runs each first-boot script of /etc/uci-defaults in name
# order, deletes the ones that succeed, then commits what they staged.
uci_apply_defaults() {
	local _d_dir="${UCI_DEFAULTS_DIR:-$IPKG_INSTROOT/etc/uci-defaults}" _d_file
	[ -d "$_d_dir" ] || return 0
	for _d_file in "$_d_dir"/*; do
		[ -f "$_d_file" ] || continue
		(cd "$_d_dir" && . "$_d_file") && rm -f "$_d_file"
	done
	command -v uci_commit >/dev/null 2>&1 && uci_commit
	return 0
}

# The UCI helpers, unless building an image (IPKG_INSTROOT) where they would
# act on the build host.
if [ -z "$IPKG_INSTROOT" ] && [ -f "${KEEL_LIB_DIR:-/lib}/config/uci.sh" ]; then
	. "${KEEL_LIB_DIR:-/lib}/config/uci.sh"
fi
