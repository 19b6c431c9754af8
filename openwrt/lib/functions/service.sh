# service.sh: OpenWrt's service_* helpers for old-style init scripts (start, stop, signal, check a daemon through start-stop-daemon).
# SPDX-License-Identifier: MIT
#
#   service_start EXEC ARGS...   service_stop EXEC   service_reload EXEC
#   service_check EXEC           service_signal EXEC
# tuned by the variables OpenWrt's scripts set before the call:
#   SERVICE_DAEMONIZE    run EXEC in the background (-b)
#   SERVICE_WRITE_PID    write its pid file (-m); the pid file then identifies it
#   SERVICE_USE_PID      EXEC writes its own pid file: identify it by that file
#   SERVICE_PID_FILE     that file (default /var/run/NAME.pid)
#   SERVICE_MATCH_EXEC   identify it by its executable (the default)
#   SERVICE_MATCH_NAME   identify it by its process name
#   SERVICE_NAME         that name (default: EXEC's file name)
#   SERVICE_SIG          the signal of service_stop/service_signal/service_reload
#   SERVICE_SIG_RELOAD (HUP), SERVICE_SIG_STOP (TERM), SERVICE_STOP_TIME (5 s before KILL)
#   SERVICE_UID, SERVICE_GID  the user and group EXEC runs as
#   SERVICE_DEBUG        print the start-stop-daemon command instead of running it
#   SERVICE_QUIET        no messages from start-stop-daemon (set by default)
# start-stop-daemon is busybox's (or Debian's): SSD names another one.

SERVICE_QUIET=1
SERVICE_SIG_RELOAD=HUP
SERVICE_SIG_STOP=TERM
SERVICE_STOP_TIME=5
SERVICE_MATCH_EXEC=1

# service -C|-S|-K EXEC [ARGS...]: check, start or signal EXEC.
service() {
	local _sv_a="$1"
	[ $# -gt 0 ] && shift
	_service_call "$_sv_a" "$@"
}

# _service_run ACTION: start-stop-daemon for _service_exec and _service_argv.
_service_run() {
	local _sv_act="$1" _sv_exec _sv_name _sv_start=
	case $_sv_act in
	-C) set -- -K -t ;;
	-S)
		_sv_start=1
		set -- -S
		[ -z "$SERVICE_DAEMONIZE" ] || set -- "$@" -b
		[ -z "$SERVICE_WRITE_PID" ] || set -- "$@" -m
		;;
	-K)
		set -- -K
		[ -z "$SERVICE_SIG" ] || set -- "$@" -s "$SERVICE_SIG"
		;;
	*)
		echo "service: unknown ACTION '$_sv_act'" >&2
		return 1
		;;
	esac
	_sv_exec=$_service_exec
	if [ -z "$_sv_exec" ]; then
		echo "service: missing argument" >&2
		return 1
	fi
	if [ ! -x "$_sv_exec" ]; then
		echo "service: file '$_sv_exec' is not executable" >&2
		return 1
	fi
	_sv_name=${SERVICE_NAME:-${_sv_exec##*/}}
	[ -z "$SERVICE_QUIET" ] || set -- -q "$@"
	[ -z "$SERVICE_USE_PID$SERVICE_WRITE_PID$SERVICE_PID_FILE" ] ||
		set -- "$@" -p "${SERVICE_PID_FILE:-/var/run/$_sv_name.pid}"
	[ -z "$SERVICE_MATCH_NAME" ] || set -- "$@" -n "$_sv_name"
	[ -z "$SERVICE_UID" ] || set -- "$@" -c "$SERVICE_UID${SERVICE_GID:+:$SERVICE_GID}"
	[ -z "$SERVICE_MATCH_EXEC$_sv_start" ] || set -- "$@" -x "$_sv_exec"
	if [ -n "$SERVICE_DEBUG" ]; then
		echo "${SSD:-start-stop-daemon}" "$@" ${_service_args:+-- "$_service_args"}
		return 0
	fi
	if [ -n "$_service_nargs" ] && [ "$_service_nargs" -gt 0 ]; then
		eval "${SSD:-start-stop-daemon} \"\$@\" -- $_service_argv"
	else
		"${SSD:-start-stop-daemon}" "$@"
	fi
}

# _service_call ACTION EXEC ARGS...: service with EXEC and ARGS kept apart
# (ARGS quoted for eval, so arguments with blanks stay whole).
_service_call() {
	local _service_exec="$2" _service_argv= _service_nargs=0 _service_args= _sc_a _sc_act="$1"
	shift 2
	for _sc_a in "$@"; do
		_service_argv="$_service_argv '$(printf '%s' "$_sc_a" | sed "s/'/'\\\\''/g")'"
		_service_nargs=$((_service_nargs + 1))
		_service_args="${_service_args:+$_service_args }$_sc_a"
	done
	_service_run "$_sc_act"
}

service_check() { _service_call -C "$@"; }
service_signal() { SERVICE_SIG="${SERVICE_SIG:-USR1}" _service_call -K "$@"; }
service_start() { _service_call -S "$@"; }
service_reload() { SERVICE_SIG="${SERVICE_SIG:-$SERVICE_SIG_RELOAD}" _service_call -K "$@"; }

# service_stop EXEC: its stop signal, then KILL when it is still there after
# SERVICE_STOP_TIME seconds.
service_stop() {
	local _ss_try=0
	SERVICE_SIG="${SERVICE_SIG:-$SERVICE_SIG_STOP}" _service_call -K "$@" || return 1
	while [ "$_ss_try" -lt "$SERVICE_STOP_TIME" ]; do
		_service_call -C "$@" || return 0
		sleep 1
		_ss_try=$((_ss_try + 1))
	done
	SERVICE_SIG=KILL _service_call -K "$@"
	sleep 1
	! _service_call -C "$@"
}
