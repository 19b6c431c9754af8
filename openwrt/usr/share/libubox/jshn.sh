# jshn.sh: OpenWrt's json_* shell API (build, read and print JSON in shell scripts), for keel systems.
# SPDX-License-Identifier: MIT
#
# POSIX sh (busybox ash, dash; "local" is the only extension). A document is
# kept in shell variables, one set per namespace (json_set_namespace):
#   <ns>JN           containers made so far; <ns>JC current one; <ns>JR root
#   <ns>JT_<c>       object or array;  <ns>JU_<c> its parent;  <ns>JL_<c> entries
#   <ns>JK_<c>_<i>   entry i's key (arrays: i);  <ns>JY_<c>_<i> its type
#   <ns>JV_<c>_<i>   its value (object and array: the container number)
# json_load parses with "jshn -r" (the jsonfilter program under that name).

JSON_PREFIX=${JSON_PREFIX:-}

# _jv NAME: the value of the variable <ns>NAME, in _jv_r.
_jv() { eval "_jv_r=\${$JSON_PREFIX$1}"; }
# _js NAME VALUE: <ns>NAME=VALUE.
_js() { eval "$JSON_PREFIX$1=\$2"; }

json_set_namespace() {
	[ -z "$2" ] || eval "$2=\$JSON_PREFIX"
	JSON_PREFIX=$1
}

json_cleanup() {
	local _jc_n _jc_c=1 _jc_i _jc_l
	_jv JN
	_jc_n=${_jv_r:-0}
	while [ "$_jc_c" -le "$_jc_n" ]; do
		_jv "JL_$_jc_c"
		_jc_l=${_jv_r:-0}
		_jc_i=1
		while [ "$_jc_i" -le "$_jc_l" ]; do
			unset "${JSON_PREFIX}JK_${_jc_c}_$_jc_i" "${JSON_PREFIX}JY_${_jc_c}_$_jc_i" "${JSON_PREFIX}JV_${_jc_c}_$_jc_i"
			_jc_i=$((_jc_i + 1))
		done
		unset "${JSON_PREFIX}JT_$_jc_c" "${JSON_PREFIX}JU_$_jc_c" "${JSON_PREFIX}JL_$_jc_c"
		_jc_c=$((_jc_c + 1))
	done
	unset "${JSON_PREFIX}JN" "${JSON_PREFIX}JC" "${JSON_PREFIX}JR"
}

# _json_new TYPE PARENT: a new container; its number in _jn_r.
_json_new() {
	_jv JN
	_jn_r=$((${_jv_r:-0} + 1))
	_js JN "$_jn_r"
	_js "JT_$_jn_r" "$1"
	_js "JU_$_jn_r" "$2"
	_js "JL_$_jn_r" 0
}

json_init() {
	json_cleanup
	_json_new object 0
	_js JR "$_jn_r"
	_js JC "$_jn_r"
}

# _json_find CONTAINER KEY: the entry of KEY in _jf_r (empty when none). In an
# array KEY is the position (from 1).
_json_find() {
	local _jf_i=1 _jf_l
	_jf_r=
	_jv "JT_$1"
	if [ "$_jv_r" = array ]; then
		_jv "JL_$1"
		case $2 in '' | *[!0-9]*) return 1 ;; esac
		[ "$2" -ge 1 ] && [ "$2" -le "${_jv_r:-0}" ] && _jf_r=$2
		[ -n "$_jf_r" ]
		return
	fi
	_jv "JL_$1"
	_jf_l=${_jv_r:-0}
	while [ "$_jf_i" -le "$_jf_l" ]; do
		_jv "JK_${1}_$_jf_i"
		if [ "$_jv_r" = "$2" ]; then
			_jf_r=$_jf_i
			return 0
		fi
		_jf_i=$((_jf_i + 1))
	done
	return 1
}

# _json_add TYPE KEY VALUE: an entry of the current container (a key already
# there gets the new value in its place, as jshn does).
_json_add() {
	local _ja_c _ja_i
	_jv JC
	[ -n "$_jv_r" ] || json_init
	_jv JC
	_ja_c=$_jv_r
	_jv "JT_$_ja_c"
	if [ "$_jv_r" = object ] && _json_find "$_ja_c" "$2"; then
		_ja_i=$_jf_r
	else
		_jv "JL_$_ja_c"
		_ja_i=$((${_jv_r:-0} + 1))
		_js "JL_$_ja_c" "$_ja_i"
		_jv "JT_$_ja_c"
		if [ "$_jv_r" = array ]; then
			_js "JK_${_ja_c}_$_ja_i" "$_ja_i"
		else
			_js "JK_${_ja_c}_$_ja_i" "$2"
		fi
	fi
	_js "JY_${_ja_c}_$_ja_i" "$1"
	_js "JV_${_ja_c}_$_ja_i" "$3"
}

json_add_string() { _json_add string "$1" "$2"; }
json_add_int() {
	case $2 in
	'' | -) _json_add int "$1" 0 ;;
	*) _json_add int "$1" "$(printf '%d' "$2" 2>/dev/null || echo 0)" ;;
	esac
}
json_add_double() { _json_add double "$1" "$2"; }
json_add_boolean() {
	case $2 in
	1 | true | on | yes) _json_add boolean "$1" 1 ;;
	*) _json_add boolean "$1" 0 ;;
	esac
}
json_add_null() { _json_add null "$1" ""; }

_json_open() {
	local _jo_p
	_jv JC
	[ -n "$_jv_r" ] || json_init
	_jv JC
	_jo_p=$_jv_r
	_json_new "$1" "$_jo_p"
	_json_add "$1" "$2" "$_jn_r"
	_js JC "$_jn_r"
}

_json_close() {
	local _jcl_c
	_jv JC
	_jcl_c=$_jv_r
	_jv "JT_$_jcl_c"
	[ "$_jv_r" = "$1" ] || return 1
	_jv "JU_$_jcl_c"
	[ "${_jv_r:-0}" != 0 ] || return 1
	_js JC "$_jv_r"
}

json_add_object() { _json_open object "$1"; }
json_add_array() { _json_open array "$1"; }
json_close_object() { _json_close object; }
json_close_array() { _json_close array; }

# json_select KEY | .. : the child container KEY (a position in an array)
# becomes the current one; ".." its parent.
json_select() {
	local _jsl_c
	_jv JC
	_jsl_c=$_jv_r
	[ -n "$_jsl_c" ] || return 1
	if [ "$1" = .. ]; then
		_jv "JU_$_jsl_c"
		[ "${_jv_r:-0}" != 0 ] || return 1
		_js JC "$_jv_r"
		return 0
	fi
	[ -n "$1" ] || return 0
	if _json_find "$_jsl_c" "$1"; then
		_jv "JY_${_jsl_c}_$_jf_r"
		case $_jv_r in
		object | array)
			_jv "JV_${_jsl_c}_$_jf_r"
			_js JC "$_jv_r"
			return 0
			;;
		esac
	fi
	[ -n "$_json_no_warning" ] || echo "WARNING: Variable '$1' does not exist or is not an array/object" >&2
	return 1
}

# _json_entry KEY: KEY of the current container in _je_c/_je_i.
_json_entry() {
	_jv JC
	_je_c=$_jv_r
	[ -n "$_je_c" ] && _json_find "$_je_c" "$1" && _je_i=$_jf_r
}

# json_get_var VAR KEY [DEFAULT]
json_get_var() {
	local _jg_v
	if _json_entry "$2"; then
		_jv "JY_${_je_c}_$_je_i"
		case $_jv_r in
		object | array) _jv "JV_${_je_c}_$_je_i"; _jg_v="J_T$_jv_r" ;;
		*) _jv "JV_${_je_c}_$_je_i"; _jg_v=$_jv_r ;;
		esac
		eval "$1=\$_jg_v"
		return 0
	fi
	eval "$1=\$3"
	return 1
}

# json_get_vars KEY[:DEFAULT]...: each KEY into the variable of that name.
json_get_vars() {
	local _jgv_a
	for _jgv_a in "$@"; do
		case $_jgv_a in
		*:*) json_get_var "${_jgv_a%%:*}" "${_jgv_a%%:*}" "${_jgv_a#*:}" ;;
		*) json_get_var "$_jgv_a" "$_jgv_a" ;;
		esac
	done
}

json_get_type() {
	if _json_entry "$2"; then
		_jv "JY_${_je_c}_$_je_i"
		eval "$1=\$_jv_r"
		return 0
	fi
	eval "$1="
	return 1
}

json_is_a() {
	local _jia_t
	json_get_type _jia_t "$1" && [ "$_jia_t" = "$2" ]
}

# _json_container [KEY]: the current container, or its child KEY, in _jct_r.
_json_container() {
	_jv JC
	_jct_r=$_jv_r
	[ -n "$1" ] || return 0
	_json_entry "$1" || return 1
	_jv "JY_${_je_c}_$_je_i"
	case $_jv_r in object | array) ;; *) return 1 ;; esac
	_jv "JV_${_je_c}_$_je_i"
	_jct_r=$_jv_r
}

json_get_keys() {
	local _jk_out= _jk_i=1 _jk_l
	_json_container "$2" || { eval "$1="; return 1; }
	_jv "JL_$_jct_r"
	_jk_l=${_jv_r:-0}
	while [ "$_jk_i" -le "$_jk_l" ]; do
		_jv "JK_${_jct_r}_$_jk_i"
		_jk_out="${_jk_out:+$_jk_out }$_jv_r"
		_jk_i=$((_jk_i + 1))
	done
	eval "$1=\$_jk_out"
}

json_get_values() {
	local _jgl_out= _jgl_i=1 _jgl_l
	_json_container "$2" || { eval "$1="; return 1; }
	_jv "JL_$_jct_r"
	_jgl_l=${_jv_r:-0}
	while [ "$_jgl_i" -le "$_jgl_l" ]; do
		_jv "JV_${_jct_r}_$_jgl_i"
		_jgl_out="${_jgl_out:+$_jgl_out }$_jv_r"
		_jgl_i=$((_jgl_i + 1))
	done
	eval "$1=\$_jgl_out"
}

# json_for_each_item FUNCTION KEY [ARGS...]: FUNCTION VALUE KEY ARGS... for
# each entry of the container KEY (a plain value: once, for itself).
json_for_each_item() {
	local _jfe_fn="$1" _jfe_key="$2" _jfe_c _jfe_i=1 _jfe_l _jfe_k _jfe_v _jfe_t
	shift 2
	json_get_type _jfe_t "$_jfe_key" || return 0
	case $_jfe_t in
	object | array)
		_json_container "$_jfe_key"
		_jfe_c=$_jct_r
		_jv "JL_$_jfe_c"
		_jfe_l=${_jv_r:-0}
		while [ "$_jfe_i" -le "$_jfe_l" ]; do
			_jv "JK_${_jfe_c}_$_jfe_i"
			_jfe_k=$_jv_r
			_jv "JV_${_jfe_c}_$_jfe_i"
			_jfe_v=$_jv_r
			"$_jfe_fn" "$_jfe_v" "$_jfe_k" "$@"
			_jfe_i=$((_jfe_i + 1))
		done
		;;
	*)
		json_get_var _jfe_v "$_jfe_key"
		"$_jfe_fn" "$_jfe_v" "$_jfe_key" "$@"
		;;
	esac
}

# json_quote STRING: STRING as a JSON string literal (json-c's escapes, "/" too).
json_quote() {
	local _q_s="$1" _q_o= _q_c
	case $_q_s in
	*[\\\"/]* | *[![:print:]]*) ;;
	*)
		printf '"%s"' "$_q_s"
		return 0
		;;
	esac
	while [ -n "$_q_s" ]; do
		_q_c=${_q_s%"${_q_s#?}"}
		_q_s=${_q_s#?}
		case $_q_c in
		\\) _q_o="$_q_o\\\\" ;;
		\") _q_o="$_q_o\\\"" ;;
		/) _q_o="$_q_o\\/" ;;
		"
") _q_o="$_q_o\\n" ;;
		"	") _q_o="$_q_o\\t" ;;
		[[:cntrl:]])
			case $(printf '%d' "'$_q_c") in
			13) _q_o="$_q_o\\r" ;;
			8) _q_o="$_q_o\\b" ;;
			12) _q_o="$_q_o\\f" ;;
			*) _q_o="$_q_o$(printf '\\u%04x' "'$_q_c")" ;;
			esac
			;;
		*) _q_o="$_q_o$_q_c" ;;
		esac
	done
	printf '"%s"' "$_q_o"
}

# _json_dump CONTAINER INDENT: one container as JSON text (INDENT empty: one line).
_json_dump() {
	local _jd_c="$1" _jd_in="$2" _jd_t _jd_l _jd_i=1 _jd_y _jd_v _jd_k _jd_open _jd_close _jd_sep _jd_nl
	_jv "JT_$_jd_c"
	_jd_t=$_jv_r
	if [ "$_jd_t" = array ]; then _jd_open='[' _jd_close=']'; else _jd_open='{' _jd_close='}'; fi
	_jv "JL_$_jd_c"
	_jd_l=${_jv_r:-0}
	printf '%s' "$_jd_open"
	[ "$_jd_l" -gt 0 ] || { printf ' %s' "$_jd_close"; return 0; }
	while [ "$_jd_i" -le "$_jd_l" ]; do
		if [ -n "$_jd_in" ]; then
			[ "$_jd_i" = 1 ] || printf ','
			printf '\n%s\t' "${_jd_in# }"
		else
			[ "$_jd_i" = 1 ] && printf ' ' || printf ', '
		fi
		if [ "$_jd_t" = object ]; then
			_jv "JK_${_jd_c}_$_jd_i"
			json_quote "$_jv_r"
			printf ': '
		fi
		_jv "JY_${_jd_c}_$_jd_i"
		_jd_y=$_jv_r
		_jv "JV_${_jd_c}_$_jd_i"
		_jd_v=$_jv_r
		case $_jd_y in
		string) json_quote "$_jd_v" ;;
		boolean) [ "$_jd_v" = 1 ] && printf 'true' || printf 'false' ;;
		null) printf 'null' ;;
		object | array) _json_dump "$_jd_v" "${_jd_in:+$_jd_in	}" ;;
		*) printf '%s' "$_jd_v" ;;
		esac
		_jd_i=$((_jd_i + 1))
	done
	if [ -n "$_jd_in" ]; then
		printf '\n%s%s' "${_jd_in# }" "$_jd_close"
	else
		printf ' %s' "$_jd_close"
	fi
}

# json_dump [-i]: the document (json-c's one-line form; -i: indented by tabs).
json_dump() {
	_jv JR
	[ -n "$_jv_r" ] || json_init
	_jv JR
	if [ "$1" = -i ]; then
		_json_dump "$_jv_r" " "
	else
		_json_dump "$_jv_r" ""
	fi
	echo
}

json_load() {
	local _jl_cmds
	_jl_cmds=$(jshn -r "$1") || return 1
	eval "$_jl_cmds"
}

json_load_file() {
	local _jl_cmds
	_jl_cmds=$(jshn -R "$1") || return 1
	eval "$_jl_cmds"
}

# json_add_fields KEY=VALUE...: strings (KEY:int=N, KEY:boolean=B for others).
json_add_fields() {
	local _jaf_a _jaf_k _jaf_t
	for _jaf_a in "$@"; do
		_jaf_k=${_jaf_a%%=*}
		_jaf_t=string
		case $_jaf_k in *:*) _jaf_t=${_jaf_k#*:}; _jaf_k=${_jaf_k%%:*} ;; esac
		"json_add_$_jaf_t" "$_jaf_k" "${_jaf_a#*=}"
	done
}
