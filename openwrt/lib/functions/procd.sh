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

. "${KEEL_LIB_DIR:-$IPKG_INSTROOT/lib}/functions/jshn.sh"

: "${KEEL_RUNTIME_DIR:=/run/keel/services}"
: "${INIT_D_DIR:=$IPKG_INSTROOT/etc/init.d}"
_procd_tab=$(printf '\t')

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

# _procd_privs: _c_exec (keel-quoted words) run through setpriv for
# no_new_privs and a capabilities file's bounding set, when setpriv exists (util-
# linux); keel has no keyword for them. Without setpriv they are recorded only.
_procd_privs() {
	local _pv_args= _pv_caps= _pv_c
	[ -z "$_pi_nnp" ] || _pv_args='"--no-new-privs"'
	if [ -n "$_pi_caps" ] && [ -f "$_pi_caps" ] && [ -z "$_pi_user" ]; then
		for _pv_c in $(jsonfilter -i "$_pi_caps" -e '@.bounding[*]' 2>/dev/null); do
			_pv_c=$(printf '%s' "${_pv_c#CAP_}" | tr 'A-Z' 'a-z')
			_pv_caps="$_pv_caps,+$_pv_c"
		done
		[ -z "$_pv_caps" ] || _pv_args="${_pv_args:+$_pv_args }\"--bounding-set\" \"-all$_pv_caps\""
	fi
	if [ -n "$_pv_args" ] && command -v setpriv >/dev/null 2>&1; then
		_c_exec="\"$(command -v setpriv)\" $_pv_args $_c_exec"
		return 0
	fi
	[ -z "$_pi_nnp" ] || _pi_notes="$_pi_notes# procd no_new_privs 1 (no setpriv: not applied)$N"
	[ -z "$_pi_caps" ] || _pi_notes="$_pi_notes# procd capabilities $_pi_caps (not applied)$N"
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
procd_close_service() {
	local _s_f _s_inst _s_tmp _s_hup= _s_rc
	[ -n "$_procd_svc" ] || return 0
	[ -z "$_procd_inst" ] || procd_close_instance
	for _s_f in $(_procd_files "$_procd_svc"); do
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

# procd_kill NAME [INSTANCE]: removes the instances (one, or all) and lets keel stop them.
procd_kill() {
	local _k_svc _k_f _k_pid
	_k_svc=$(_keel_name "$1")
	for _k_f in $(_procd_files "$_k_svc" ${2:+"$(_keel_name "$2")"}); do
		rm -f "$_k_f"
	done
	# a trigger helper running "restart" must not have keel stop it midway
	if [ -z "$2" ] && [ "$KEEL_PROCD_TRIGGER" != "$_k_svc" ]; then
		rm -f "$KEEL_RUNTIME_DIR/.$_k_svc.triggers"
		for _k_f in $(_procd_helper_files "$_k_svc"); do
			rm -f "$_k_f"
		done
	fi
	_keel_reload
}

# _procd_state FILE: keelctl's status exit code for the instance of FILE
# (0 running or done, 1 failed, 3 not running, 111 keel unreachable).
_procd_state() {
	_keel_ctl status "${1##*/}" >/dev/null 2>&1
}

# procd_running NAME [INSTANCE]: true when one of the instances runs.
procd_running() {
	local _pr_f
	for _pr_f in $(_procd_files "$(_keel_name "$1")" ${2:+"$(_keel_name "$2")"}); do
		_procd_state "$_pr_f" && return 0
	done
	return 1
}

# _procd_status NAME [INSTANCE]: prints running / running (N/M) / not running / inactive.
_procd_status() {
	local _ps_f _ps_n=0 _ps_up=0
	for _ps_f in $(_procd_files "$(_keel_name "$1")" ${2:+"$(_keel_name "$2")"}); do
		_ps_n=$((_ps_n + 1))
		_procd_state "$_ps_f" && _ps_up=$((_ps_up + 1))
	done
	if [ "$_ps_n" = 0 ]; then
		echo "inactive"
		return 3
	elif [ "$_ps_up" = "$_ps_n" ]; then
		echo "running"
	elif [ "$_ps_up" = 0 ]; then
		echo "not running"
		return 3
	else
		echo "running ($_ps_up/$_ps_n)"
	fi
	return 0
}

# procd_send_signal NAME [INSTANCE|'*'] [SIGNAL]: signals the instances' processes (default HUP).
procd_send_signal() {
	local _ss_svc _ss_inst="$2" _ss_sig="${3:-HUP}" _ss_f _ss_pid
	_ss_svc=$(_keel_name "$1")
	[ "$_ss_inst" = '*' ] && _ss_inst=
	for _ss_f in $(_procd_files "$_ss_svc" ${_ss_inst:+"$(_keel_name "$_ss_inst")"}); do
		_ss_pid=$(_keel_ctl --json status "${_ss_f##*/}" 2>/dev/null |
			sed -n 's/.*"pid":\([0-9][0-9]*\).*/\1/p')
		[ -n "$_ss_pid" ] && [ "$_ss_pid" != 0 ] && kill -s "$_ss_sig" "$_ss_pid"
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

# The script as procd's triggers name it (/etc/init.d/NAME).
_procd_script() {
	printf '%s/%s' "${INIT_D_DIR#"$IPKG_INSTROOT"}" "$_rc_name"
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
	_procd_iftrig="$_procd_iftrig$_it_dev$_procd_tab$_it_if$_procd_tab$_it_cmd$N"
}

procd_open_trigger() { return 0; }
procd_close_trigger() { return 0; }
procd_add_reload_trigger() {
	local _t_c
	for _t_c in "$@"; do
		_procd_trigger config "$_t_c"
		_procd_cfg_trigger "$_t_c" "$(_procd_script)" reload
	done
}
# procd_add_config_trigger EVENT CONFIG CMD...: only config.change names a file
procd_add_config_trigger() {
	_procd_trigger "$@"
	[ "$1" = config.change ] || return 0
	shift
	_procd_cfg_trigger "$@"
}
procd_add_raw_trigger() { _procd_trigger "$@"; }
# procd_add_interface_trigger EVENT IFACE CMD...: netifd's interface.* events
procd_add_interface_trigger() {
	_procd_trigger interface "$@"
	case $1 in interface.*) ;; *) return 0 ;; esac
	shift
	_procd_if_trigger "$@"
}
procd_add_reload_interface_trigger() {
	_procd_trigger interface "$1" reload
	_procd_if_trigger "$1" "$(_procd_script)" reload
}
procd_add_restart_mount_trigger() { _procd_trigger mount "$@"; }
procd_add_reload_mount_trigger() { _procd_trigger mount "$@"; }

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

# _procd_helpers_write: the helpers of the triggers declared since
# procd_open_service replace the service's old ones.
_procd_helpers_write() {
	local _h_names= _h_cmd _h_rest _h_text _h_name _h_n=0 _h_sfx _h_f _h_dev _h_if _h_head
	_h_head="$(_procd_helper_mark "$_procd_svc")$N# from ${initscript:-procd}$N"
	# one event-started helper per distinct command, watching its config files
	while IFS= read -r _h_cmd; do
		[ -n "$_h_cmd" ] || continue
		_h_n=$((_h_n + 1))
		_h_name="$_procd_svc..config"
		[ "$_h_n" = 1 ] || _h_name="$_h_name$_h_n"
		_h_text="${_h_head}description $(_keel_quote "$_procd_svc: configuration triggers")$N"
		_h_text="${_h_text}type once$N"
		_h_text="${_h_text}env $(_keel_quote "KEEL_PROCD_TRIGGER=$_procd_svc")$N"
		while IFS="$_procd_tab" read -r _h_f _h_rest; do
			[ "$_h_f" = "$_h_cmd" ] &&
				_h_text="${_h_text}trigger start $(_keel_quote "$_h_rest") created changed removed$N"
		done <<EOF
$(printf '%s' "$_procd_cfgtrig" | LC_ALL=C sort -u)
EOF
		_h_text="${_h_text}exec $_h_cmd$N"
		_procd_helper_put "$_h_name" "$_h_text" || return 1
	done <<EOF
$(printf '%s' "$_procd_cfgtrig" | cut -f1 | LC_ALL=C sort -u)
EOF
	# one helper per interface and command, alive while the interface is up:
	# keel starts it each time the interface comes up, and it runs the command
	while IFS="$_procd_tab" read -r _h_dev _h_if _h_cmd; do
		[ -n "$_h_cmd" ] || continue
		_h_name="$_procd_svc..iface-$(_keel_name "$_h_dev")"
		_h_n=1 _h_sfx=
		while list_contains _h_names "$_h_name$_h_sfx"; do
			_h_n=$((_h_n + 1))
			_h_sfx=$_h_n
		done
		_h_name="$_h_name$_h_sfx"
		_h_text="${_h_head}description $(_keel_quote "$_procd_svc: trigger on interface $_h_if ($_h_dev) up")$N"
		_h_text="${_h_text}type respawn$N"
		_h_text="${_h_text}env $(_keel_quote "KEEL_PROCD_TRIGGER=$_procd_svc")$N"
		_h_text="${_h_text}condition iface $(_keel_quote "$_h_dev") up$N"
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

procd_open_validate() { return 0; }
procd_close_validate() { return 0; }
procd_add_validation() { return 0; }
procd_open_data() { return 0; }
procd_close_data() { return 0; }
procd_add_jail() { return 0; }
procd_add_jail_mount() { return 0; }
procd_add_jail_mount_rw() { return 0; }

