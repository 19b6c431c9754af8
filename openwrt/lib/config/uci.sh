# uci.sh: shell wrappers around the uci command (read, change, commit, runtime state) for OpenWrt scripts on keel.
# SPDX-License-Identifier: MIT
#
# Sourced by /lib/functions.sh. Every call goes through _uci, so one set of
# variables points scripts and tests at another configuration:
#   UCI_BIN         the uci command (default: uci from PATH)
#   UCI_CONFIG_DIR  config files (uci -c; default /etc/config)
#   UCI_SAVE_DIR    staged changes (uci -t; default /tmp/.uci)
#   UCI_STATE_DIR   runtime state (uci -P; default /var/state)
#   CONFIG_APPEND   set: config_load/uci_load add to what is loaded instead of
#                   starting afresh

CONFIG_APPEND=

_uci() {
	"${UCI_BIN:-uci}" ${UCI_CONFIG_DIR:+-c "$UCI_CONFIG_DIR"} ${UCI_SAVE_DIR:+-t "$UCI_SAVE_DIR"} "$@"
}

# _uci_state ARGS...: uci with changes going to (and read from) the state dir.
_uci_state() {
	_uci -P "${UCI_STATE_DIR:-/var/state}" "$@"
}

# uci_load PACKAGE: evaluates `uci export PACKAGE` through config/option/list
# (see functions.sh), with anonymous sections named as uci names them.
uci_load() {
	local _ul_pkg="$1" _ul_data _ul_rc _ul_var
	_C=0
	if [ -z "$CONFIG_APPEND" ]; then
		# list items are appended to, so a new load must start them empty
		for _ul_var in $CONFIG_LIST_STATE; do
			unset "CONFIG_$_ul_var" "CONFIG_${_ul_var}_LENGTH"
		done
		_fn_setvar CONFIG_LIST_STATE ""
		_fn_setvar CONFIG_SECTIONS ""
		_fn_setvar CONFIG_NUM_SECTIONS 0
		_fn_setvar CONFIG_SECTION ""
	fi
	if [ -n "$LOAD_STATE" ]; then
		_ul_data=$(_uci_state -S -n export "$_ul_pkg" 2>/dev/null)
	else
		_ul_data=$(_uci -S -n export "$_ul_pkg" 2>/dev/null)
	fi
	_ul_rc=$?
	[ "$_ul_rc" != 0 ] || [ -z "$_ul_data" ] || eval "$_ul_data"
	# close the last section for callbacks that collect a section's options
	[ -z "$CONFIG_SECTION" ] || [ -n "$NO_CALLBACK" ] || config_cb
	return "$_ul_rc"
}

# _uci_ref PACKAGE [SECTION [OPTION]]: prints package.section.option.
_uci_ref() {
	printf '%s%s%s' "$1" "${2:+.$2}" "${3:+.$3}"
}

# uci_get PACKAGE [SECTION [OPTION [DEFAULT [STATEDIR]]]]: prints the value,
# or DEFAULT when there is none (the exit status is uci's).
uci_get() {
	local _g_val _g_rc
	_g_val=$(_uci ${5:+-P "$5"} -q get "$(_uci_ref "$1" "$2" "$3")")
	_g_rc=$?
	[ "$_g_rc" = 0 ] || _g_val=$4
	[ -z "$_g_val" ] || printf '%s\n' "$_g_val"
	return "$_g_rc"
}

# uci_get_state PACKAGE [SECTION [OPTION [DEFAULT]]]: uci_get including runtime state.
uci_get_state() {
	uci_get "$1" "$2" "$3" "$4" "${UCI_STATE_DIR:-/var/state}"
}

# uci_set PACKAGE SECTION OPTION VALUE: stages a change (uci_commit applies it).
uci_set() {
	_uci set "$1.$2.$3=$4"
}

# uci_add_list PACKAGE SECTION OPTION VALUE: stages one more list item.
uci_add_list() {
	_uci add_list "$1.$2.$3=$4"
}

# uci_remove_list PACKAGE SECTION OPTION VALUE: stages removing a list item.
uci_remove_list() {
	_uci del_list "$1.$2.$3=$4"
}

# uci_add PACKAGE TYPE [NAME]: stages a new section; CONFIG_SECTION is its name
# (uci's cfgXXXXXX for an anonymous one).
uci_add() {
	local _a_name="$3"
	if [ -z "$_a_name" ]; then
		_a_name=$(_uci add "$1" "$2") || return 1
	else
		_uci set "$1.$_a_name=$2" || return 1
	fi
	_fn_setvar CONFIG_SECTION "$_a_name"
}

# uci_rename PACKAGE SECTION NEWNAME, or PACKAGE SECTION OPTION NEWNAME.
uci_rename() {
	if [ -n "$4" ]; then
		_uci rename "$1.$2.$3=$4"
	else
		_uci rename "$1.$2=$3"
	fi
}

# uci_remove PACKAGE SECTION [OPTION]: stages deleting a section or an option.
uci_remove() {
	_uci -q delete "$(_uci_ref "$1" "$2" "$3")"
}

# uci_commit [PACKAGE]: applies the staged changes (all packages without one).
uci_commit() {
	_uci commit ${1:+"$1"}
}

# uci_revert PACKAGE [SECTION [OPTION]]: drops the staged changes (all of
# the package's, a section's or an option's).
uci_revert() {
	_uci revert "$(_uci_ref "$1" "$2" "$3")"
}

# uci_set_default PACKAGE: standard input becomes the package's config, only
# when the package does not exist yet (first boot defaults).
uci_set_default() {
	_uci -q show "$1" >/dev/null 2>&1 && return 0
	_uci import "$1" && _uci commit "$1"
}

# uci_set_state PACKAGE SECTION OPTION VALUE: records runtime state (kept
# outside the config file, lost on reboot). An empty OPTION sets the section's type.
uci_set_state() {
	[ "$#" = 4 ] || return 0
	_uci_state set "$(_uci_ref "$1" "$2" "$3")=$4"
}

# uci_revert_state PACKAGE [SECTION [OPTION]]: forgets runtime state.
uci_revert_state() {
	_uci_state revert "$(_uci_ref "$1" "$2" "$3")"
}

# uci_toggle_state PACKAGE SECTION OPTION VALUE: replaces runtime state.
uci_toggle_state() {
	uci_revert_state "$1" "$2" "$3"
	uci_set_state "$1" "$2" "$3" "$4"
}
