# procd.sh: procd's instance, trigger and validation API for OpenWrt init scripts, written as keel service files.
# SPDX-License-Identifier: MIT
#
# Loaded by /etc/rc.common for procd-style scripts (USE_PROCD=1) and by the
# ubus command for "ubus call service set". procd keeps instances in its memory;
# here each instance a script declares becomes the keel service file
# KEEL_RUNTIME_DIR/SERVICE.INSTANCE and "keelctl reload" makes keel start,
# restart (when the file changed) or stop them: keel is the supervisor.
# Triggers become trigger helpers: service files SERVICE..config (event-started
# by "trigger start" on the config files) and SERVICE..iface-DEV (waiting for
# "condition iface DEV up") that run the script's command as root.
#
# Paths: KEEL_RUNTIME_DIR (/run/keel/services), KEEL_SOCKET, KEELCTL (keelctl),
# INIT_D_DIR ($IPKG_INSTROOT/etc/init.d), UCI_CONFIG_DIR (/etc/config).

: "${KEEL_LIB_DIR:=$IPKG_INSTROOT/lib}"
# jshn.sh is ROOT/usr/share/libubox/jshn.sh for the library ROOT/lib
. "${KEEL_LIB_DIR%/lib}/usr/share/libubox/jshn.sh"
# sourced alone (". /lib/functions/procd.sh"): the list helpers it uses
command -v append >/dev/null 2>&1 || . "$KEEL_LIB_DIR/functions.sh"

: "${KEEL_RUNTIME_DIR:=/run/keel/services}"
: "${INIT_D_DIR:=$IPKG_INSTROOT/etc/init.d}"
_procd_tab=$(printf '\t')
# the field separator of .NAME.events (ASCII US: fields may be empty, and
# a tab in IFS would merge them)
_procd_fs=$(printf '\037')

# ---- procd emulation ----

_keel_ctl() {
	"${KEELCTL:-keelctl}" ${KEEL_SOCKET:+--socket "$KEEL_SOCKET"} "$@"
}

# _keel_reload: keel applies the runtime dir. Refused while shutting down:
# keel stops every service itself then, so there is nothing left to do.
_keel_reload() {
	local _r_out _r_rc
	[ -z "$IPKG_INSTROOT" ] || return 0
	_r_out=$(_keel_ctl reload 2>&1)
	_r_rc=$?
	[ "$_r_rc" = 0 ] && return 0
	case $_r_out in *"shutting down"*) return 0 ;; esac
	echo "${initscript:-procd}: keelctl reload failed ($_r_rc): $_r_out" >&2
	return "$_r_rc"
}

# _keel_quote STRING: STRING as one double-quoted argument of keel's lexer
# (C escapes; % doubled because keel expands %N inside quotes too).
_keel_quote() {
	local _q_s="$1" _q_out="" _q_c
	case $_q_s in
	*[\\\"%]* | *[![:print:]]*) ;;
	*)
		printf '"%s"' "$_q_s"
		return 0
		;;
	esac
	while [ -n "$_q_s" ]; do
		_q_c=${_q_s%"${_q_s#?}"}
		_q_s=${_q_s#?}
		case $_q_c in
		\\) _q_out="$_q_out\\\\" ;;
		\") _q_out="$_q_out\\\"" ;;
		%) _q_out="$_q_out%%" ;;
		"$N") _q_out="$_q_out\\n" ;;
		"$_procd_tab") _q_out="$_q_out\\t" ;;
		[[:cntrl:]]) _q_out="$_q_out\\$(printf '%03o' "'$_q_c")" ;;
		*) _q_out="$_q_out$_q_c" ;;
		esac
	done
	printf '"%s"' "$_q_out"
}

# _keel_name WORD: WORD usable in a keel service name (letters, digits, _ . -).
_keel_name() {
	printf '%s' "$1" | tr -c 'A-Za-z0-9_.-' '_'
}

# The first line of every file this emulation writes: files of other
# services whose names start the same way are never touched.
_procd_mark() {
	printf '# procd instance of %s, written by /etc/rc.common' "$1"
}

# _procd_files SERVICE [INSTANCE]: this service's instance files.
_procd_files() {
	local _pf_f _pf_first _pf_mark
	_pf_mark=$(_procd_mark "$1")
	# names are _keel_name'd: an INSTANCE holds no glob characters
	if [ -n "$2" ]; then
		set -- "$1" "$KEEL_RUNTIME_DIR/$1.$2"
	else
		set -- "$1" "$KEEL_RUNTIME_DIR/$1".*
	fi
	shift
	for _pf_f in "$@"; do
		[ -f "$_pf_f" ] || continue
		_pf_first=
		IFS= read -r _pf_first <"$_pf_f"
		[ "$_pf_first" = "$_pf_mark" ] && printf '%s\n' "$_pf_f"
	done
}

# keel serialises nothing here: two runs of one script write their files under
# names of their own ($$) and rename them into place.
procd_lock() { return 0; }

# procd_open_service NAME [SCRIPT]: starts collecting the instances of NAME.
procd_open_service() {
	_procd_svc=$(_keel_name "$1")
	_procd_svc_script=${2:-$initscript}
	_procd_data=
	_procd_insts=
	_procd_count=0
	_procd_triggers=
	_procd_cfgtrig=
	_procd_mnttrig=
	_procd_events=
	_procd_data=
	_procd_data_depth=0
	_procd_iftrig=
	_procd_sigs=
	_procd_inst=
}

procd_open_instance() {
	[ -n "$_procd_svc" ] || procd_open_service "${_rc_name:-${initscript##*/}}"
	_procd_count=$((_procd_count + 1))
	_procd_inst=$(_keel_name "${1:-instance$_procd_count}")
	_pi_cmd= _pi_env= _pi_respawn= _pi_user= _pi_group= _pi_pidfile=
	_pi_files= _pi_term= _pi_limits= _pi_nice= _pi_notes= _pi_rsig= _pi_log=
	_pi_netdev= _pi_data= _pi_nnp= _pi_caps=
	_pj_command= _pj_env= _pj_file= _pj_netdev= _pj_data= _pj_limits=
	[ -z "$TRACE_SYSCALLS" ] || _pi_notes="# procd trace 1 (no syscall tracer on keel)$N"
}

# procd_add_instance COMMAND...: an instance with only a command.
procd_add_instance() {
	procd_open_instance
	procd_set_param command "$@"
	procd_close_instance
}

# _procd_param set|append KEY VALUES...
_procd_param() {
	local _p_mode="$1" _p_key="$2" _p_v _p_n _p_rest
	shift 2
	if [ -z "$_procd_inst" ]; then
		echo "${initscript:-procd}: procd_${_p_mode}_param $_p_key outside an instance" >&2
		return 1
	fi
	# procd's JSON of the list and table params, for "service list"
	case $_p_key in
	command | file | netdev)
		[ "$_p_mode" = set ] && eval "_pj_$_p_key="
		for _p_v in "$@"; do
			eval "_pj_$_p_key=\"\${_pj_$_p_key:+\$_pj_$_p_key, }\$(json_quote \"\$_p_v\")\""
		done
		;;
	env | data | limits)
		[ "$_p_mode" = set ] && eval "_pj_$_p_key="
		for _p_v in "$@"; do
			_p_n=${_p_v%%=*}
			_p_rest=${_p_v#*=}
			[ "$_p_n" = "$_p_v" ] && _p_rest=
			eval "_pj_$_p_key=\"\${_pj_$_p_key:+\$_pj_$_p_key, }\$(json_quote \"\$_p_n\"): \$(json_quote \"\$_p_rest\")\""
		done
		;;
	esac
	case $_p_key in
	command)
		[ "$_p_mode" = set ] && _pi_cmd=
		for _p_v in "$@"; do
			_pi_cmd="${_pi_cmd:+$_pi_cmd }$(_keel_quote "$_p_v")"
		done
		;;
	env)
		[ "$_p_mode" = set ] && _pi_env=
		for _p_v in "$@"; do
			case ${_p_v%%=*} in
			'' | [0-9]* | *[!A-Za-z0-9_]*)
				echo "${initscript:-procd}: env \"$_p_v\": not KEY=VALUE, ignored" >&2
				continue
				;;
			esac
			case $_p_v in *=*) ;; *) _p_v="$_p_v=" ;; esac
			_pi_env="${_pi_env}env $(_keel_quote "$_p_v")$N"
		done
		;;
	respawn)
		# threshold (s a run must last), timeout (s before a restart),
		# retry (restarts before giving up, 0: never give up); procd takes
		# the defaults from system.@service[0] when none are given
		if [ $# = 0 ] && [ -z "$IPKG_INSTROOT" ] && command -v uci_get >/dev/null 2>&1; then
			set -- "$(uci_get system @service[0] respawn_threshold)" \
				"$(uci_get system @service[0] respawn_timeout)" \
				"$(uci_get system @service[0] respawn_retry)"
		fi
		set -- "${1:-3600}" "${2:-5}" "${3:-5}"
		# procd gives up after RETRY quick crashes; 0 or less: never
		case $3 in -*) set -- "$1" "$2" 0 ;; esac
		for _p_v in "$@"; do
			case $_p_v in '' | *[!0-9]*)
				echo "${initscript:-procd}: respawn \"$*\": numbers expected, procd's defaults used" >&2
				set -- 3600 5 5
				break
				;;
			esac
		done
		_pi_respawn="$1 $2 $3"
		;;
	user) _pi_user=$1 ;;
	group) _pi_group=$1 ;;
	pidfile) _pi_pidfile=$1 ;;
	term_timeout)
		case $1 in '' | *[!0-9]*) echo "${initscript:-procd}: term_timeout \"$1\": seconds expected" >&2 ;;
		*) _pi_term=$1 ;;
		esac
		;;
	nice)
		case $1 in '' | *[!0-9-]*) echo "${initscript:-procd}: nice \"$1\": a number expected" >&2 ;;
		*) _pi_nice=$1 ;;
		esac
		;;
	file)
		[ "$_p_mode" = set ] && _pi_files=
		for _p_v in "$@"; do
			# the config files are where uci reads them
			case $_p_v in /etc/config/*) [ -z "$UCI_CONFIG_DIR" ] || _p_v="$UCI_CONFIG_DIR/${_p_v#/etc/config/}" ;; esac
			_pi_files="$_pi_files$_p_v$N"
		done
		;;
	limits)
		[ "$_p_mode" = set ] && _pi_limits=
		for _p_v in "$@"; do
			_p_n=${_p_v%%=*}
			_p_rest=${_p_v#*=}
			case $_p_n in
			as | core | cpu | data | fsize | locks | memlock | msgqueue | nice | nofile | nproc | rss | rtprio | rttime | sigpending | stack)
				# "soft [hard]" becomes two words
				# shellcheck disable=SC2086
				_p_rest=$(printf '%s ' $_p_rest)
				_pi_limits="${_pi_limits}rlimit $_p_n ${_p_rest% }$N"
				;;
			*) echo "${initscript:-procd}: limits \"$_p_v\": unknown limit, ignored" >&2 ;;
			esac
		done
		;;
	stdout | stderr)
		# procd: output goes to the log only with "1", else to /dev/null.
		# keel's `log` is per service: either stream asked keeps both.
		[ "$1" = 1 ] && _pi_log=ring
		;;
	reload_signal)
		case $1 in
		'' | *[!A-Za-z0-9+]*) echo "${initscript:-procd}: reload_signal \"$1\": a signal name or number expected" >&2 ;;
		*) _pi_rsig=$1 ;;
		esac
		;;
	netdev)
		# procd restarts the instance when a device's ifindex changes: keel
		# waits for each device and restarts the instance when one goes away
		[ "$_p_mode" = set ] && _pi_netdev=
		for _p_v in "$@"; do
			case $_p_v in
			'' | */* | *' '* | ????????????????*) echo "${initscript:-procd}: netdev \"$_p_v\": not a device name, ignored" >&2 ;;
			*) _pi_netdev="$_pi_netdev$_p_v$N" ;;
			esac
		done
		;;
	data)
		# procd compares it to decide on a restart: it goes into the description
		[ "$_p_mode" = set ] && _pi_data=
		for _p_v in "$@"; do
			_pi_data="$_pi_data$_p_v$N"
		done
		;;
	no_new_privs)
		case $1 in 1 | true) _pi_nnp=1 ;; *) _pi_nnp= ;; esac
		;;
	capabilities) _pi_caps=$1 ;;
	*)
		# recorded for the reader, no effect on keel (watch, jail, seccomp, ...)
		_pi_notes="$_pi_notes# procd $_p_key $*$N"
		;;
	esac
}

procd_set_param() { _procd_param set "$@"; }
procd_append_param() { _procd_param append "$@"; }

# _procd_inst_json: the declared part of the instance in procd's "service list" shape.
_procd_inst_json() {
	local _ij="\"command\": [ $_pj_command ]" _ij_k
	[ -z "$_pi_respawn" ] || _ij="$_ij, \"respawn\": { $(set -- $_pi_respawn
		printf '"threshold": %s, "timeout": %s, "retry": %s' "$1" "$2" "$3") }"
	_ij="$_ij, \"term_timeout\": ${_pi_term:-5}"
	for _ij_k in env data limits; do
		eval "[ -z \"\$_pj_$_ij_k\" ] || _ij=\"\$_ij, \\\"$_ij_k\\\": { \$_pj_$_ij_k }\""
	done
	for _ij_k in file netdev; do
		eval "[ -z \"\$_pj_$_ij_k\" ] || _ij=\"\$_ij, \\\"$_ij_k\\\": [ \$_pj_$_ij_k ]\""
	done
	[ -z "$_pi_user" ] || _ij="$_ij, \"user\": $(json_quote "$_pi_user")"
	[ -z "$_pi_group" ] || _ij="$_ij, \"group\": $(json_quote "$_pi_group")"
	[ -z "$_pi_pidfile" ] || _ij="$_ij, \"pidfile\": $(json_quote "$_pi_pidfile")"
	[ -z "$_pi_rsig" ] || _ij="$_ij, \"reload_signal\": $(kill -l "$_pi_rsig" 2>/dev/null || echo 1)"
	[ -z "$_pi_log" ] || _ij="$_ij, \"stdout\": true, \"stderr\": true"
	[ -z "$_pi_nnp" ] || _ij="$_ij, \"no_new_privs\": true"
	printf '%s' "$_ij"
}

# _procd_privs: _c_exec (keel-quoted words) run through setpriv for
# no_new_privs and a capabilities file's bounding set, when setpriv exists (util-
# linux); keel has no keyword for them. Without setpriv they are recorded only.
_procd_privs() {
	local _pv_args= _pv_caps= _pv_c _pv_bin= _pv_d _pv_help
	[ -n "$_pi_nnp$_pi_caps" ] || return 0
	# util-linux's setpriv, by path (a shell may name a busybox applet instead)
	_pv_d=$PATH
	while [ -n "$_pv_d" ]; do
		[ -x "${_pv_d%%:*}/setpriv" ] && { _pv_bin="${_pv_d%%:*}/setpriv"; break; }
		case $_pv_d in *:*) _pv_d=${_pv_d#*:} ;; *) _pv_d= ;; esac
	done
	[ -z "$_pv_bin" ] || _pv_help=$("$_pv_bin" --help 2>&1)
	case $_pv_help in *--no-new-privs*) [ -z "$_pi_nnp" ] || _pv_args='"--no-new-privs"' ;; esac
	if [ -n "$_pi_caps" ] && [ -f "$_pi_caps" ] && [ -z "$_pi_user" ]; then
		case $_pv_help in *--bounding-set*)
			for _pv_c in $(jsonfilter -i "$_pi_caps" -e '@.bounding[*]' 2>/dev/null); do
				_pv_c=$(printf '%s' "${_pv_c#CAP_}" | tr 'A-Z' 'a-z')
				_pv_caps="$_pv_caps,+$_pv_c"
			done
			;;
		esac
		[ -z "$_pv_caps" ] || _pv_args="${_pv_args:+$_pv_args }\"--bounding-set\" \"-all$_pv_caps\""
	fi
	[ -z "$_pv_args" ] || _c_exec="$(_keel_quote "$_pv_bin") $_pv_args $_c_exec"
	case $_pv_args in *--no-new-privs*) ;; *)
		[ -z "$_pi_nnp" ] || _pi_notes="$_pi_notes# procd no_new_privs 1 (no setpriv: not applied)$N" ;;
	esac
	[ -n "$_pv_caps" ] || [ -z "$_pi_caps" ] || _pi_notes="$_pi_notes# procd capabilities $_pi_caps (not applied)$N"
}

# procd_close_instance: the instance becomes a hidden file, put in place by
# procd_close_service.
procd_close_instance() {
	local _c_text _c_desc _c_exec _c_sum _c_f _c_tmp
	[ -n "$_procd_inst" ] || return 0
	if [ -z "$_pi_cmd" ]; then
		echo "${initscript:-procd}: instance $_procd_inst has no command, ignored" >&2
		_procd_inst=
		return 1
	fi
	_c_desc="$_procd_svc $_procd_inst"
	if [ -n "$_pi_files" ]; then
		# a changed config file changes the description, so keel restarts it on reload
		# md5sum first: busybox builds often have it without cksum
		_c_sum=$(printf '%s' "$_pi_files" | while IFS= read -r _c_f; do
			[ -f "$_c_f" ] && cat "$_c_f"
		done | { md5sum 2>/dev/null || cksum; })
		# with reload_signal procd signals a changed instance instead of
		# restarting it: the sum stays out of the description (keel would
		# restart), procd_close_service compares it and has keel signal
		if [ -n "$_pi_rsig" ]; then
			_pi_notes="$_pi_notes# files ${_c_sum%% *}$N"
		else
			_c_desc="$_c_desc (config ${_c_sum%% *})"
		fi
	fi
	if [ -n "$_pi_data" ]; then
		_c_sum=$(printf '%s' "$_pi_data" | { md5sum 2>/dev/null || cksum; })
		_c_desc="$_c_desc (data ${_c_sum%% *})"
	fi
	_c_exec=$_pi_cmd
	_procd_privs
	[ -z "$_pi_nice" ] || _c_exec="\"nice\" \"-n\" $(_keel_quote "$_pi_nice") $_c_exec"
	if [ -n "$_pi_pidfile" ]; then
		# sh writes its pid, then execs the command: the pid stays the same
		_c_exec="\"/bin/sh\" \"-c\" $(_keel_quote 'echo $$ >"$0" && exec "$@"') $(_keel_quote "$_pi_pidfile") $_c_exec"
	fi
	_c_text="$(_procd_mark "$_procd_svc")$N"
	_c_text="$_c_text# from ${initscript:-procd}$N"
	_c_text="$_c_text# procd-json $(_procd_inst_json)$N"
	_c_text="${_c_text}description $(_keel_quote "$_c_desc")$N"
	if [ -n "$_pi_respawn" ]; then
		set -- $_pi_respawn
		_c_text="${_c_text}type respawn$N"
		# retry 0: procd never gives up, nor does keel without a limit;
		# max-delay = delay: procd waits the same time before every restart
		if [ "$3" = 0 ]; then
			_c_text="${_c_text}respawn window ${1}s delay ${2}s max-delay ${2}s$N"
		else
			_c_text="${_c_text}respawn limit $3 window ${1}s delay ${2}s max-delay ${2}s$N"
		fi
	else
		_c_text="${_c_text}type once$N"
	fi
	_c_text="${_c_text}log ${_pi_log:-null}$N"
	[ -z "$_pi_user" ] || _c_text="${_c_text}user $(_keel_quote "$_pi_user")$N"
	[ -z "$_pi_group" ] || _c_text="${_c_text}group $(_keel_quote "$_pi_group")$N"
	_c_text="$_c_text$_pi_env$_pi_limits$_pi_notes"
	[ -z "$_pi_pidfile" ] || _c_text="$_c_text# pidfile $_pi_pidfile$N"
	for _c_f in $_pi_netdev; do
		_c_text="${_c_text}condition iface $(_keel_quote "$_c_f") exists$N"
	done
	[ -z "$_pi_netdev" ] || _c_text="${_c_text}condition-lost restart$N"
	_c_text="${_c_text}stop TERM ${_pi_term:-5}s$N"
	if [ -n "$_pi_rsig" ]; then
		_c_text="${_c_text}reload signal $_pi_rsig$N"
		list_contains _procd_sigs "$_procd_inst" || append _procd_sigs "$_procd_inst"
	fi
	_c_text="${_c_text}exec $_c_exec$N"
	mkdir -p "$KEEL_RUNTIME_DIR" || return 1
	# $$: a trigger may run the same script twice at once
	_c_tmp="$KEEL_RUNTIME_DIR/.$_procd_svc.$_procd_inst.new.$$"
	printf '%s' "$_c_text" >"$_c_tmp" || return 1
	list_contains _procd_insts "$_procd_inst" || append _procd_insts "$_procd_inst"
	_procd_inst=
}

# procd_close_service: the declared instances replace the service's old ones;
# keel starts new ones, restarts changed ones, stops dropped ones.
# With "add" (start INSTANCE) the service's other instances stay.
procd_close_service() {
	local _s_f _s_inst _s_tmp _s_hup= _s_rc
	[ -n "$_procd_svc" ] || return 0
	[ -z "$_procd_inst" ] || procd_close_instance
	# as procd.sh does, the triggers and the data are asked for here
	procd_open_trigger
	command -v service_triggers >/dev/null 2>&1 && service_triggers
	procd_close_trigger
	if command -v service_data >/dev/null 2>&1; then
		procd_open_data
		service_data
		procd_close_data
	fi
	[ "$1" = add ] || for _s_f in $(_procd_files "$_procd_svc"); do
		_s_inst=${_s_f##*/}
		_s_inst=${_s_inst#"$_procd_svc."}
		list_contains _procd_insts "$_s_inst" || rm -f "$_s_f"
	done
	for _s_inst in $_procd_insts; do
		_s_tmp="$KEEL_RUNTIME_DIR/.$_procd_svc.$_s_inst.new.$$"
		_s_f="$KEEL_RUNTIME_DIR/$_procd_svc.$_s_inst"
		if cmp -s "$_s_tmp" "$_s_f"; then
			rm -f "$_s_tmp"
			continue
		fi
		# reload_signal: only the files changed (the script's path may too:
		# a trigger names it /etc/init.d/NAME), the process stays and gets the signal
		if list_contains _procd_sigs "$_s_inst" && [ -f "$_s_f" ] &&
			[ "$(grep '^# files ' "$_s_f")" != "$(grep '^# files ' "$_s_tmp")" ] &&
			[ "$(grep -v -e '^# files ' -e '^# from ' "$_s_f")" = "$(grep -v -e '^# files ' -e '^# from ' "$_s_tmp")" ]; then
			append _s_hup "$_s_inst"
		fi
		mv -f "$_s_tmp" "$_s_f" || return 1
	done
	if [ -n "$_procd_triggers" ]; then
		# a service may declare triggers and no instance
		mkdir -p "$KEEL_RUNTIME_DIR" || return 1
		printf '%s' "$_procd_triggers" >"$KEEL_RUNTIME_DIR/.$_procd_svc.triggers"
	else
		rm -f "$KEEL_RUNTIME_DIR/.$_procd_svc.triggers"
	fi
	_procd_put_hidden events "$_procd_events" || return 1
	case $_procd_data in '' | '{ }') _procd_data= ;; esac
	_procd_put_hidden data "$_procd_data" || return 1
	_procd_helpers_write || return 1
	_s_f=$_procd_svc
	_procd_svc=
	_keel_reload
	_s_rc=$?
	[ -z "$IPKG_INSTROOT" ] || return "$_s_rc"
	for _s_inst in $_s_hup; do
		_keel_ctl reload "$_s_f.$_s_inst" >/dev/null ||
			echo "${initscript:-procd}: keelctl reload $_s_f.$_s_inst failed" >&2
	done
	return "$_s_rc"
}

# _procd_put_hidden KIND TEXT: KEEL_RUNTIME_DIR/.SERVICE.KIND holds TEXT (none when empty).
_procd_put_hidden() {
	local _ph_f="$KEEL_RUNTIME_DIR/.$_procd_svc.$1"
	if [ -z "$2" ]; then
		rm -f "$_ph_f"
		return 0
	fi
	mkdir -p "$KEEL_RUNTIME_DIR" || return 1
	printf '%s\n' "$2" >"$_ph_f.new.$$" && mv -f "$_ph_f.new.$$" "$_ph_f"
}

# procd_kill NAME [INSTANCE]: removes the instances (one, or all) and lets keel stop them.
procd_kill() {
	local _k_svc _k_f _k_pid
	_k_svc=$(_keel_name "$1")
	for _k_f in $(_procd_files "$_k_svc" ${2:+"$(_keel_name "$2")"}); do
		rm -f "$_k_f"
	done
	# a trigger helper running "restart" must not have keel stop it midway
	if [ -z "$2" ] && [ "$KEEL_PROCD_TRIGGER" != "$_k_svc" ]; then
		rm -f "$KEEL_RUNTIME_DIR/.$_k_svc.triggers" "$KEEL_RUNTIME_DIR/.$_k_svc.events" \
			"$KEEL_RUNTIME_DIR/.$_k_svc.data"
		for _k_f in $(_procd_helper_files "$_k_svc"); do
			rm -f "$_k_f"
		done
	fi
	_keel_reload
}

# _procd_pid INSTANCE-FILE: the pid keel reports for an instance while it
# runs (empty when it does not).
_procd_pid() {
	_keel_ctl --json status "${1##*/}" 2>/dev/null |
		jsonfilter -e '@.services[@.state="running" || @.state="starting"].pid' 2>/dev/null |
		sed -n '/^[1-9][0-9]*$/{p;q;}'
}

# procd_running NAME [INSTANCE|*]: true when one of the instances runs.
procd_running() {
	local _pr_f _pr_i="$2"
	[ "$_pr_i" = '*' ] && _pr_i=
	for _pr_f in $(_procd_files "$(_keel_name "$1")" ${_pr_i:+"$(_keel_name "$_pr_i")"}); do
		[ -n "$(_procd_pid "$_pr_f")" ] && return 0
	done
	return 1
}

# _procd_status NAME [INSTANCE]: procd's words and exit codes: running (0),
# running (N/M) (0), not running (5), inactive (3: nothing declared),
# active with no instances (0: triggers only), unknown instance (4).
_procd_status() {
	local _ps_f _ps_n=0 _ps_up=0 _ps_svc
	_ps_svc=$(_keel_name "$1")
	for _ps_f in $(_procd_files "$_ps_svc" ${2:+"$(_keel_name "$2")"}); do
		_ps_n=$((_ps_n + 1))
		[ -n "$(_procd_pid "$_ps_f")" ] && _ps_up=$((_ps_up + 1))
	done
	if [ "$_ps_n" = 0 ]; then
		if [ -z "$(_procd_files "$_ps_svc")" ] && [ ! -f "$KEEL_RUNTIME_DIR/.$_ps_svc.triggers" ]; then
			echo "inactive"
			return 3
		fi
		if [ -z "$2" ]; then
			echo "active with no instances"
			return 0
		fi
		echo "unknown instance \"$2\""
		return 4
	elif [ "$_ps_up" = "$_ps_n" ]; then
		echo "running"
	elif [ "$_ps_up" = 0 ]; then
		echo "not running"
		return 5
	else
		echo "running ($_ps_up/$_ps_n)"
	fi
	return 0
}

# procd_send_signal NAME [INSTANCE|'*'] [SIGNAL]: signals the instances'
# processes (procd's default, with no SIGNAL: HUP).
procd_send_signal() {
	local _ss_svc _ss_inst="$2" _ss_sig="${3:-HUP}" _ss_f _ss_pid
	_ss_svc=$(_keel_name "$1")
	[ "$_ss_inst" = '*' ] && _ss_inst=
	for _ss_f in $(_procd_files "$_ss_svc" ${_ss_inst:+"$(_keel_name "$_ss_inst")"}); do
		_ss_pid=$(_procd_pid "$_ss_f")
		[ -n "$_ss_pid" ] && kill -s "${_ss_sig#SIG}" "$_ss_pid"
	done
	return 0
}

# Triggers. Every call is recorded in KEEL_RUNTIME_DIR/.NAME.triggers (hidden:
# keel ignores it) for the reader; those keel can watch become trigger helpers,
# written by procd_close_service. A helper is a service of its own, not lines
# in the instances: the command must run as root with keel's environment (an
# instance may have a user and an LD_PRELOAD), once per event however many
# instances there are, and even when no instance runs (procd starts them again).
_procd_trigger() {
	_procd_triggers="$_procd_triggers$*$N"
}

# _procd_shq WORD...: the words single-quoted for eval.
_procd_shq() {
	local _sq_w _sq_sep=
	for _sq_w in "$@"; do
		printf "%s'%s'" "$_sq_sep" "$(printf '%s' "$_sq_w" | sed "s/'/'\\\\''/g")"
		_sq_sep=' '
	done
}

# _procd_event EVENT KEY VALUE CMD...: procd's trigger rule "on EVENT whose
# data KEY is VALUE, run CMD", kept in KEEL_RUNTIME_DIR/.NAME.events for the
# ubus command: "ubus call service event" and "ubus send" run the matching ones.
_procd_event() {
	local _ev_e="$1" _ev_k="$2" _ev_v="$3"
	shift 3
	_procd_events="$_procd_events$_ev_e$_procd_fs$_ev_k$_procd_fs$_ev_v$_procd_fs$(_procd_shq "$@")$N"
}

# The script as procd's triggers name it (/etc/init.d/NAME).
_procd_script() {
	printf '%s/%s' "${INIT_D_DIR#"$IPKG_INSTROOT"}" "${_rc_name:-$_procd_svc}"
}

# _procd_cfg_trigger CONFIG CMD...: CMD runs whenever the UCI file CONFIG changes.
_procd_cfg_trigger() {
	local _ct_c="$1" _ct_cmd="" _ct_a
	shift
	case $_ct_c in '' | */* | .*)
		echo "${initscript:-procd}: config trigger \"$_ct_c\": not a config name, ignored" >&2
		return 0
		;;
	esac
	[ $# -gt 0 ] || return 0
	for _ct_a in "$@"; do
		_ct_cmd="${_ct_cmd:+$_ct_cmd }$(_keel_quote "$_ct_a")"
	done
	_procd_cfgtrig="$_procd_cfgtrig$_ct_cmd$_procd_tab${UCI_CONFIG_DIR:-/etc/config}/$_ct_c$N"
}

# _procd_iface_dev IFACE: the Linux device of the OpenWrt interface IFACE:
# IFACE itself when such a device exists, else network.IFACE.device (or the
# older ifname; br-IFACE for an old-style bridge), else IFACE unchanged.
_procd_iface_dev() {
	local _id_v=
	if [ ! -e "/sys/class/net/$1" ] && [ -z "$IPKG_INSTROOT" ] && command -v uci_get >/dev/null 2>&1; then
		if [ "$(uci_get network "$1" type 2>/dev/null)" = bridge ]; then
			_id_v="br-$1"
		else
			_id_v=$(uci_get network "$1" device 2>/dev/null)
			[ -n "$_id_v" ] || _id_v=$(uci_get network "$1" ifname 2>/dev/null)
			# a list gives its first item; "@wan" is an alias, not a device
			# shellcheck disable=SC2086
			set -- "$1" $_id_v
			_id_v=${2#\'}
			_id_v=${_id_v%\'}
			case $_id_v in @*) _id_v= ;; esac
		fi
	fi
	printf '%s' "${_id_v:-$1}"
}

# _procd_if_trigger IFACE CMD...: CMD runs whenever IFACE comes up.
_procd_if_trigger() {
	local _it_if="$1" _it_dev _it_cmd="" _it_a
	shift
	[ $# -gt 0 ] || return 0
	_it_dev=$(_procd_iface_dev "$_it_if")
	case $_it_dev in
	'' | */* | *:* | *' '* | *"$_procd_tab"* | ????????????????*)
		echo "${initscript:-procd}: interface trigger \"$_it_if\": no usable device name, ignored" >&2
		return 0
		;;
	esac
	for _it_a in "$@"; do
		_it_cmd="${_it_cmd:+$_it_cmd }$(_keel_quote "$_it_a")"
	done
	_procd_iftrig="$_procd_iftrig$_it_dev:$(_procd_iface_state "$_it_if")$_procd_tab$_it_if$_procd_tab$_it_cmd$N"
}

# _procd_iface_state IFACE: what of the device netifd's "ifup" waits for:
# an IPv4 address for an interface with one configured (static ipaddr, dhcp),
# a global IPv6 one for an IPv6-only one, else the device being up.
_procd_iface_state() {
	local _is_p _is_a
	[ -z "$IPKG_INSTROOT" ] && command -v uci_get >/dev/null 2>&1 || { echo up; return 0; }
	_is_p=$(uci_get network "$1" proto 2>/dev/null)
	case $_is_p in
	dhcp | pppoe | ppp | 3g | qmi | mbim) echo ipv4 ;;
	dhcpv6 | 6in4 | 6to4 | 6rd) echo ipv6 ;;
	static)
		_is_a=$(uci_get network "$1" ipaddr 2>/dev/null)
		if [ -n "$_is_a" ]; then
			echo ipv4
		elif [ -n "$(uci_get network "$1" ip6addr 2>/dev/null)" ]; then
			echo ipv6
		else
			echo up
		fi
		;;
	*) echo up ;;
	esac
}

procd_open_trigger() { return 0; }
procd_close_trigger() { return 0; }
procd_add_reload_trigger() {
	local _t_c
	for _t_c in "$@"; do
		_procd_trigger config "$_t_c"
		_procd_event config.change package "$_t_c" "$(_procd_script)" reload
		_procd_cfg_trigger "$_t_c" "$(_procd_script)" reload
	done
}
# procd_add_config_trigger EVENT CONFIG CMD...: only config.change names a file
procd_add_config_trigger() {
	_procd_trigger "$@"
	_procd_event "$1" package "$2" "$@"
	[ "$1" = config.change ] || return 0
	shift
	_procd_cfg_trigger "$@"
}
# procd_add_raw_trigger EVENT TIMEOUT CMD...: any event of that name
procd_add_raw_trigger() {
	local _rt_e="$1"
	_procd_trigger "$@"
	shift 2
	_procd_event "$_rt_e" "" "" "$@"
}
# procd_add_interface_trigger EVENT IFACE CMD...: netifd's interface.* events
procd_add_interface_trigger() {
	_procd_trigger interface "$@"
	_procd_event "$@"
	case $1 in interface.*) ;; *) return 0 ;; esac
	shift
	_procd_if_trigger "$@"
}
procd_add_reload_interface_trigger() {
	_procd_trigger interface "$1" reload
	_procd_event "interface.*" interface "$1" "$(_procd_script)" reload
	_procd_if_trigger "$1" "$(_procd_script)" reload
}
# procd_add_reload_data_trigger NAME...: another service's data changed
procd_add_reload_data_trigger() {
	local _dt_n
	for _dt_n in "$@"; do
		_procd_trigger data "$_dt_n"
		_procd_event service.data.update name "$_dt_n" "$(_procd_script)" reload
	done
}
# procd_add_action_mount_trigger ACTION PATH...: the fstab mount points
# holding PATH, each mounted (mount.add) runs the script's ACTION
procd_add_action_mount_trigger() {
	local _mt_a="$1" _mt_m
	shift
	for _mt_m in $(procd_get_mountpoints "$@"); do
		_procd_trigger mount "$_mt_m" "$_mt_a"
		_procd_event mount.add target "$_mt_m" "$(_procd_script)" "$_mt_a"
		_procd_mnttrig="$_procd_mnttrig$(_keel_quote "$(_procd_script)") $(_keel_quote "$_mt_a")$_procd_tab$_mt_m$N"
	done
}
procd_add_restart_mount_trigger() { procd_add_action_mount_trigger restart "$@"; }
procd_add_reload_mount_trigger() { procd_add_action_mount_trigger reload "$@"; }

# The first line of a trigger helper; not an instance's, so status and stop
# INSTANCE never see helpers.
_procd_helper_mark() {
	printf '# procd triggers of %s, written by /etc/rc.common' "$1"
}

# _procd_helper_files SERVICE: its trigger helpers (SERVICE..*).
_procd_helper_files() {
	local _hf_f _hf_first _hf_mark
	_hf_mark=$(_procd_helper_mark "$1")
	for _hf_f in "$KEEL_RUNTIME_DIR/$1.."*; do
		[ -f "$_hf_f" ] || continue
		_hf_first=
		IFS= read -r _hf_first <"$_hf_f"
		[ "$_hf_first" = "$_hf_mark" ] && printf '%s\n' "$_hf_f"
	done
}

# _procd_helper_put NAME TEXT: the helper file, rewritten only when it changed
# (keel leaves a helper alone, even one running this very script, if it did not).
_procd_helper_put() {
	local _hp_tmp="$KEEL_RUNTIME_DIR/.$1.new.$$" _hp_f="$KEEL_RUNTIME_DIR/$1"
	printf '%s' "$2" >"$_hp_tmp" || return 1
	if cmp -s "$_hp_tmp" "$_hp_f"; then
		rm -f "$_hp_tmp"
	else
		mv -f "$_hp_tmp" "$_hp_f" || return 1
	fi
	append _h_names "$1"
}

# _procd_event_helpers LIST SUFFIX DESCRIPTION EVENTS: for _procd_helpers_write,
# one "type once" helper SERVICE..SUFFIX (SUFFIX2...) per distinct command of
# LIST (lines "COMMAND<TAB>PATH"), started by keel on EVENTS of each PATH.
_procd_event_helpers() {
	local _eh_cmd _eh_f _eh_rest _eh_name _eh_text _eh_n=0
	while IFS= read -r _eh_cmd; do
		[ -n "$_eh_cmd" ] || continue
		_eh_n=$((_eh_n + 1))
		_eh_name="$_procd_svc..$2"
		[ "$_eh_n" = 1 ] || _eh_name="$_eh_name$_eh_n"
		_eh_text="${_h_head}description $(_keel_quote "$_procd_svc: $3")$N"
		_eh_text="${_eh_text}type once$N"
		_eh_text="${_eh_text}env $(_keel_quote "KEEL_PROCD_TRIGGER=$_procd_svc")$N"
		while IFS="$_procd_tab" read -r _eh_f _eh_rest; do
			[ "$_eh_f" = "$_eh_cmd" ] &&
				_eh_text="${_eh_text}trigger start $(_keel_quote "$_eh_rest") $4$N"
		done <<EOF
$(printf '%s' "$1" | LC_ALL=C sort -u)
EOF
		_eh_text="${_eh_text}exec $_eh_cmd$N"
		_procd_helper_put "$_eh_name" "$_eh_text" || return 1
	done <<EOF
$(printf '%s' "$1" | cut -f1 | LC_ALL=C sort -u)
EOF
	return 0
}

# _procd_helpers_write: the helpers of the triggers declared since
# procd_open_service replace the service's old ones.
_procd_helpers_write() {
	local _h_names= _h_cmd _h_text _h_name _h_n=0 _h_sfx _h_f _h_dev _h_if _h_head
	_h_head="$(_procd_helper_mark "$_procd_svc")$N# from ${initscript:-procd}$N"
	# one event-started helper per distinct command, watching its config
	# files; another one watching its mount points in the mount table
	_procd_event_helpers "$_procd_cfgtrig" config "configuration triggers" "created changed removed" || return 1
	_procd_event_helpers "$_procd_mnttrig" mount "mount triggers" mounted || return 1
	# one helper per interface and command, alive while the interface is up:
	# keel starts it each time the interface comes up, and it runs the command
	while IFS="$_procd_tab" read -r _h_dev _h_if _h_cmd; do
		[ -n "$_h_cmd" ] || continue
		_h_name="$_procd_svc..iface-$(_keel_name "${_h_dev%:*}")"
		_h_n=1 _h_sfx=
		while list_contains _h_names "$_h_name$_h_sfx"; do
			_h_n=$((_h_n + 1))
			_h_sfx=$_h_n
		done
		_h_name="$_h_name$_h_sfx"
		_h_text="${_h_head}description $(_keel_quote "$_procd_svc: trigger on interface $_h_if (${_h_dev%:*} ${_h_dev##*:})")$N"
		_h_text="${_h_text}type respawn$N"
		_h_text="${_h_text}env $(_keel_quote "KEEL_PROCD_TRIGGER=$_procd_svc")$N"
		_h_text="${_h_text}condition iface $(_keel_quote "${_h_dev%:*}") ${_h_dev##*:}$N"
		_h_text="${_h_text}condition-lost restart$N"
		_h_text="${_h_text}exec \"/bin/sh\" \"-c\" $(_keel_quote '"$@"; exec sleep 2147483647') $(_keel_quote "$_procd_svc") $_h_cmd$N"
		_procd_helper_put "$_h_name" "$_h_text" || return 1
	done <<EOF
$(printf '%s' "$_procd_iftrig" | LC_ALL=C sort -u)
EOF
	for _h_f in $(_procd_helper_files "$_procd_svc"); do
		list_contains _h_names "${_h_f##*/}" || rm -f "$_h_f"
	done
	return 0
}

# Validation declarations (procd shows them in "service list"): recorded.
procd_open_validate() { _procd_validating=1; }
procd_close_validate() { _procd_validating=; }
procd_add_validation() {
	procd_open_validate
	"$@"
	procd_close_validate
}

# ujail has no counterpart: the jail is recorded in the instance.
procd_add_jail() {
	[ -z "$_procd_inst" ] || _pi_notes="$_pi_notes# procd jail $*$N"
}
procd_add_jail_mount() {
	[ -z "$_procd_inst" ] || _pi_notes="$_pi_notes# procd jail_mount $*$N"
}
procd_add_jail_mount_rw() {
	[ -z "$_procd_inst" ] || _pi_notes="$_pi_notes# procd jail_mount_rw $*$N"
}

# Service data (procd_open_data ... json_add_* ... procd_close_data, as
# service_data and procd_add_mdns use it): a JSON object kept in
# KEEL_RUNTIME_DIR/.NAME.data, shown by "service list".
procd_open_data() {
	_procd_data_depth=$((${_procd_data_depth:-0} + 1))
	[ "$_procd_data_depth" = 1 ] || return 0
	json_set_namespace procd_data_ _procd_data_ns
	if [ -n "$_procd_data" ]; then
		json_load "$_procd_data"
	else
		json_init
	fi
}

procd_close_data() {
	_procd_data_depth=$((${_procd_data_depth:-1} - 1))
	[ "$_procd_data_depth" = 0 ] || return 0
	_procd_data=$(json_dump)
	json_cleanup
	json_set_namespace "$_procd_data_ns"
}

procd_add_mdns_service() {
	local _md_svc="$1" _md_proto="$2" _md_port="$3" _md_txt _md_n=0
	shift 3
	json_add_object "${_md_svc}_$_md_port"
	[ -z "$MDNS_INSTANCE_NAME" ] || json_add_string instance "$MDNS_INSTANCE_NAME"
	json_add_string service "_$_md_svc._$_md_proto.local"
	json_add_int port "$_md_port"
	for _md_txt in "$@"; do
		[ -n "$_md_txt" ] || continue
		_md_n=$((_md_n + 1))
		[ "$_md_n" = 1 ] && json_add_array txt
		json_add_string "" "$_md_txt"
	done
	[ "$_md_n" = 0 ] || json_close_array
	json_close_object
}

# procd_add_mdns SERVICE PROTO PORT [TXT...]: recorded in the service data,
# where an mDNS responder reading "service list" (umdns) finds it.
procd_add_mdns() {
	procd_open_data
	json_select mdns 2>/dev/null || json_add_object mdns
	procd_add_mdns_service "$@"
	json_close_object
	procd_close_data
}

# procd_get_mountpoints PATH...: the fstab mount targets (UCI fstab) that hold PATH.
procd_get_mountpoints() {
	(
		__procd_check_mount() {
			local _gm_t _gm_p="${2%/}/"
			config_get _gm_t "$1" target
			[ -n "$_gm_t" ] || return 0
			_gm_t="${_gm_t%/}/"
			case $_gm_p in "$_gm_t"*) echo "${_gm_t%/}" ;; esac
		}
		local _gm_path
		config_load fstab
		for _gm_path in "$@"; do
			config_foreach __procd_check_mount mount "$_gm_path"
		done
	) | sort -u
}

# procd_set_config_changed PACKAGE: procd's config.change event for PACKAGE,
# as reload_config sends it: the triggers on PACKAGE run.
procd_set_config_changed() {
	ubus call service event "{ \"type\": \"config.change\", \"data\": { \"package\": $(json_quote "$1") } }"
}

# uci_validate_section PACKAGE TYPE NAME SPEC...: the section's options into
# variables of their names, through /sbin/validate_data; 1 when one is invalid.
uci_validate_section() {
	local _vs_pkg="$1" _vs_type="$2" _vs_name="$3" _vs_out _vs_rc
	shift 3
	_vs_out=$("${VALIDATE_DATA:-/sbin/validate_data}" "$_vs_pkg" "$_vs_type" "$_vs_name" "$@" 2>/dev/null)
	_vs_rc=$?
	eval "$_vs_out"
	# run again for its messages on stderr
	[ "$_vs_rc" = 0 ] || "${VALIDATE_DATA:-/sbin/validate_data}" "$_vs_pkg" "$_vs_type" "$_vs_name" "$@" >/dev/null
	return $_vs_rc
}

# uci_load_validate PACKAGE TYPE NAME FUNCTION SPEC...: the options as local
# variables of FUNCTION, called as FUNCTION NAME RESULT.
uci_load_validate() {
	local _lv_pkg="$1" _lv_type="$2" _lv_name="$3" _lv_fn="$4" _lv_opt _lv_rc
	shift 4
	for _lv_opt in "$@"; do
		eval "local ${_lv_opt%%:*}"
	done
	uci_validate_section "$_lv_pkg" "$_lv_type" "$_lv_name" "$@"
	_lv_rc=$?
	[ -n "$_lv_fn" ] || return $_lv_rc
	"$_lv_fn" "$_lv_name" "$_lv_rc"
}


# _procd_services: the names of the services rc.common or "ubus call service
# set" declared (instance files, triggers, data), one a line.
_procd_services() {
	local _sv_f _sv_first _sv_n
	for _sv_f in "$KEEL_RUNTIME_DIR"/* "$KEEL_RUNTIME_DIR"/.*.triggers "$KEEL_RUNTIME_DIR"/.*.events \
		"$KEEL_RUNTIME_DIR"/.*.data; do
		[ -f "$_sv_f" ] || continue
		case ${_sv_f##*/} in
		.*)
			_sv_n=${_sv_f##*/.}
			printf '%s\n' "${_sv_n%.*}"
			;;
		*)
			_sv_first=
			IFS= read -r _sv_first <"$_sv_f"
			case $_sv_first in "# procd instance of "*", written by /etc/rc.common")
				_sv_n=${_sv_first#"# procd instance of "}
				printf '%s\n' "${_sv_n%", written by /etc/rc.common"}"
				;;
			esac
			;;
		esac
	done | LC_ALL=C sort -u
}

# _procd_triggers_json SERVICE: its trigger rules in procd's form
# [ EVENT, [ "if", [ "eq", KEY, VALUE ], [ "run_script", CMD... ] ], DELAY ].
_procd_triggers_json() {
	local _tj_e _tj_k _tj_v _tj_cmd _tj_out= _tj_run _tj_w
	[ -f "$KEEL_RUNTIME_DIR/.$1.events" ] || return 0
	while IFS="$_procd_fs" read -r _tj_e _tj_k _tj_v _tj_cmd; do
		[ -n "$_tj_e" ] || continue
		eval "set -- $_tj_cmd"
		_tj_run="[ \"run_script\""
		for _tj_w in "$@"; do
			_tj_run="$_tj_run, $(json_quote "$_tj_w")"
		done
		_tj_run="$_tj_run ]"
		if [ -n "$_tj_k" ]; then
			_tj_run="[ \"if\", [ \"eq\", $(json_quote "$_tj_k"), $(json_quote "$_tj_v") ], $_tj_run ]"
		else
			_tj_run="[ $_tj_run ]"
		fi
		_tj_out="${_tj_out:+$_tj_out, }[ $(json_quote "$_tj_e"), $_tj_run, 1000 ]"
	done <"$KEEL_RUNTIME_DIR/.$1.events"
	printf '%s' "$_tj_out"
}

# procd_service_list [NAME] [VERBOSE]: procd's answer to "ubus call service
# list" (one line of JSON): each service's instances with running, pid and
# what was declared; with VERBOSE its triggers too; its data.
procd_service_list() {
	local _sl_st _sl_svc _sl_f _sl_inst _sl_j _sl_line _sl_out= _sl_insts _sl_pid _sl_exit _sl_t _sl_d
	_sl_st=$(_keel_ctl --json status 2>/dev/null)
	for _sl_svc in $(_procd_services); do
		[ -z "$1" ] || [ "$1" = "$_sl_svc" ] || continue
		_sl_insts=
		for _sl_f in $(_procd_files "$_sl_svc"); do
			_sl_inst=${_sl_f##*/}
			_sl_inst=${_sl_inst#"$_sl_svc."}
			_sl_j=$(sed -n 's/^# procd-json //p' "$_sl_f")
			_sl_pid=$(printf '%s' "$_sl_st" | jsonfilter -e "@.services[@.name='$_sl_svc.$_sl_inst' && (@.state='running' || @.state='starting')].pid" 2>/dev/null)
			if [ -n "$_sl_pid" ] && [ "$_sl_pid" != 0 ]; then
				_sl_line="\"running\": true, \"pid\": $_sl_pid, $_sl_j"
			else
				_sl_line="\"running\": false, $_sl_j"
				_sl_exit=$(printf '%s' "$_sl_st" | jsonfilter -e "@.services[@.name='$_sl_svc.$_sl_inst'].last_exit" 2>/dev/null)
				case $_sl_exit in '' | *[!0-9]*) ;; *) _sl_line="$_sl_line, \"exit_code\": $_sl_exit" ;; esac
			fi
			_sl_insts="${_sl_insts:+$_sl_insts, }$(json_quote "$_sl_inst"): { $_sl_line }"
		done
		_sl_line="\"instances\": { $_sl_insts }"
		[ -n "$_sl_insts" ] || _sl_line="\"instances\": { }"
		if [ -n "$2" ] && [ "$2" != 0 ] && [ "$2" != false ]; then
			_sl_t=$(_procd_triggers_json "$_sl_svc")
			[ -z "$_sl_t" ] || _sl_line="$_sl_line, \"triggers\": [ $_sl_t ]"
		fi
		if [ -f "$KEEL_RUNTIME_DIR/.$_sl_svc.data" ]; then
			_sl_d=$(cat "$KEEL_RUNTIME_DIR/.$_sl_svc.data")
			_sl_line="$_sl_line, \"data\": $_sl_d"
		fi
		_sl_out="${_sl_out:+$_sl_out, }$(json_quote "$_sl_svc"): { $_sl_line }"
	done
	if [ -n "$_sl_out" ]; then
		printf '{ %s }\n' "$_sl_out"
	else
		printf '{ }\n'
	fi
}
