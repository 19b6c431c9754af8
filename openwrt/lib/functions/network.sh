# network.sh: OpenWrt's network_get_* helpers, answered from the kernel (ip) and UCI instead of netifd's ubus objects.
# SPDX-License-Identifier: MIT
#
# A logical interface (lan, wan) is a UCI network section; its Linux device is
# network.IFACE.device (or the older ifname; br-IFACE for "option type bridge"),
# or IFACE itself when a device has that name. Addresses, routes and the up
# state are the device's as "ip" shows them; DNS servers are the interface's
# section of resolv.conf.auto ("# Interface IFACE"), else its "dns" option.
# Values are read afresh on every call (network_flush_cache does nothing).
# Paths: SYS_CLASS_NET (/sys/class/net), RESOLV_CONF_AUTO (/tmp/resolv.conf.d/resolv.conf.auto).

: "${KEEL_LIB_DIR:=$IPKG_INSTROOT/lib}"
# jshn.sh is ROOT/usr/share/libubox/jshn.sh for the library ROOT/lib
. "${KEEL_LIB_DIR%/lib}/usr/share/libubox/jshn.sh"
command -v uci_get >/dev/null 2>&1 || . "$KEEL_LIB_DIR/functions.sh"

# _network_dev IFACE: the Linux device of IFACE, in _nd_r; 1 when it has none.
_network_dev() {
	local _nd_v= _nd_t
	_nd_r=
	[ -n "$1" ] || return 1
	if command -v uci_get >/dev/null 2>&1 && [ -n "$(uci_get network "$1" 2>/dev/null)" ]; then
		_nd_t=$(uci_get network "$1" type 2>/dev/null)
		if [ "$_nd_t" = bridge ]; then
			_nd_v="br-$1"
		else
			_nd_v=$(uci_get network "$1" device 2>/dev/null)
			[ -n "$_nd_v" ] || _nd_v=$(uci_get network "$1" ifname 2>/dev/null)
			# a list: its first item; '@wan': the device of wan
			# shellcheck disable=SC2086
			set -- "$1" $_nd_v
			_nd_v=${2#\'}
			_nd_v=${_nd_v%\'}
			case $_nd_v in @*) _network_dev "${_nd_v#@}"; return ;; esac
		fi
	fi
	[ -n "$_nd_v" ] || { [ -e "${SYS_CLASS_NET:-/sys/class/net}/$1" ] && _nd_v=$1; }
	_nd_r=$_nd_v
	[ -n "$_nd_r" ]
}

# _network_set VAR VALUE: VAR=VALUE, true when VALUE is not empty.
_network_set() {
	eval "$1=\$2"
	[ -n "$2" ]
}

# _network_addr IFACE FAMILY(4|6) GLOBAL PREFIX(0|1): the device's first address
# (of global scope when GLOBAL is set; with /MASK when PREFIX is 1).
_network_addr() {
	local _na
	_network_dev "$1" || return 1
	_na=$(ip -"$2" -o addr show dev "$_nd_r" ${3:+scope global} 2>/dev/null |
		sed -n 's/.* inet6\{0,1\} \([0-9a-fA-F.:]*\/[0-9]*\).*/\1/p' | sed -n 1p)
	[ "$4" = 1 ] || _na=${_na%/*}
	printf '%s' "$_na"
}

network_get_ipaddr() { _network_set "$1" "$(_network_addr "$2" 4 "" 0)"; }
network_get_ipaddr6() { _network_set "$1" "$(_network_addr "$2" 6 1 0)"; }
network_get_subnet() { _network_set "$1" "$(_network_addr "$2" 4 "" 1)"; }
network_get_subnet6() { _network_set "$1" "$(_network_addr "$2" 6 1 1)"; }

# network_get_prefix6 VAR IFACE: a delegated prefix (UCI ip6prefix; netifd's, without it).
network_get_prefix6() {
	_network_set "$1" "$(uci_get network "$2" ip6prefix 2>/dev/null)"
}

# _network_all FAMILY PREFIX VAR IFACE: every address, blank-separated.
_network_all() {
	local _naa _naa_scope=
	_network_dev "$4" || { eval "$3="; return 1; }
	# netifd lists the addresses it configured: not IPv6 link-local ones
	[ "$1" = 6 ] && _naa_scope="scope global"
	# shellcheck disable=SC2086
	_naa=$(ip -"$1" -o addr show dev "$_nd_r" $_naa_scope 2>/dev/null |
		sed -n 's/.* inet6\{0,1\} \([0-9a-fA-F.:]*\/[0-9]*\).*/\1/p')
	[ "$2" = 1 ] || _naa=$(printf '%s\n' "$_naa" | sed 's,/.*,,')
	_network_set "$3" "$(echo $_naa)"
}

network_get_ipaddrs() { _network_all 4 0 "$1" "$2"; }
network_get_ipaddrs6() { _network_all 6 0 "$1" "$2"; }
network_get_subnets() { _network_all 4 1 "$1" "$2"; }
network_get_subnets6() { _network_all 6 1 "$1" "$2"; }
network_get_ipaddrs_all() {
	local _nia4 _nia6
	_network_all 4 0 _nia4 "$2"
	_network_all 6 0 _nia6 "$2"
	_network_set "$1" "$(echo $_nia4 $_nia6)"
}

# _network_gw FAMILY IFACE: the next hop of the device's default route.
_network_gw() {
	_network_dev "$2" || return 1
	ip -"$1" route show default dev "$_nd_r" 2>/dev/null | sed -n 's/.* via \([^ ]*\).*/\1/p' | sed -n 1p
}

network_get_gateway() { _network_set "$1" "$(_network_gw 4 "$2")"; }
network_get_gateway6() { _network_set "$1" "$(_network_gw 6 "$2")"; }

# _network_resolv IFACE KEYWORD: the KEYWORD lines of IFACE's section of resolv.conf.auto.
_network_resolv() {
	local _nr_f
	for _nr_f in "$RESOLV_CONF_AUTO" /tmp/resolv.conf.d/resolv.conf.auto /tmp/resolv.conf.auto; do
		[ -n "$_nr_f" ] && [ -f "$_nr_f" ] || continue
		awk -v ifc="$1" -v kw="$2" '
			/^# Interface / { cur = $3; next }
			cur == ifc && $1 == kw { for (i = 2; i <= NF; i++) printf "%s ", $i }' "$_nr_f"
		return 0
	done
}

network_get_dnsserver() {
	local _nds
	_nds=$(_network_resolv "$2" nameserver)
	[ -n "$_nds" ] || _nds=$(uci_get network "$2" dns 2>/dev/null)
	_network_set "$1" "$(echo $_nds)"
}

network_get_dnssearch() {
	local _ndx
	_ndx=$(_network_resolv "$2" search)
	[ -n "$_ndx" ] || _ndx=$(uci_get network "$2" dns_search 2>/dev/null)
	_network_set "$1" "$(echo $_ndx)"
}

# network_get_device VAR IFACE (layer 3) / network_get_physdev VAR IFACE (layer 2): the same device here.
network_get_device() {
	_network_dev "$2"
	_network_set "$1" "$_nd_r"
}
network_get_physdev() { network_get_device "$@"; }

# network_is_up IFACE: the device is administratively up.
network_is_up() {
	_network_dev "$1" || return 1
	ip link show dev "$_nd_r" 2>/dev/null | sed -n 1p | grep -q '[<,]UP[,>]'
}

# network_get_protocol VAR IFACE / network_get_metric VAR IFACE: from UCI.
network_get_protocol() { _network_set "$1" "$(uci_get network "$2" proto 2>/dev/null)"; }
network_get_metric() { _network_set "$1" "$(uci_get network "$2" metric 0 2>/dev/null)"; }

# _network_ifaces: the interface sections of UCI network.
_network_ifaces() {
	_uci -q show network 2>/dev/null | sed -n "s/^network\.\([^.=]*\)=interface\$/\1/p"
}

# network_find_wan VAR / network_find_wan6 VAR: the interface holding the default route.
_network_wan() {
	local _nw_i
	for _nw_i in $(_network_ifaces); do
		[ "$_nw_i" = loopback ] && continue
		[ -n "$(_network_gw "$2" "$_nw_i")" ] && { eval "$1=\$_nw_i"; return 0; }
	done
	eval "$1="
	return 1
}
network_find_wan() { _network_wan "$1" 4; }
network_find_wan6() { _network_wan "$1" 6; }

# netifd's device hold-off: nothing to hold off without netifd.
network_defer_device() { return 0; }
network_ready_device() { return 0; }
network_flush_cache() { return 0; }

# network_ifstatus_json IFACE: "ubus call network.interface.IFACE status", as far as the kernel knows.
network_ifstatus_json() {
	local _nj_up=false _nj_a _nj_out _nj_l= _nj_m _nj_gw _nj_d _nj_proto
	_network_dev "$1" || return 1
	network_is_up "$1" && _nj_up=true
	network_get_protocol _nj_proto "$1"
	_nj_out="\"up\": $_nj_up, \"pending\": false, \"available\": true, \"autostart\": true"
	_nj_out="$_nj_out, \"interface\": $(json_quote "$1"), \"proto\": $(json_quote "${_nj_proto:-none}")"
	_nj_out="$_nj_out, \"l3_device\": $(json_quote "$_nd_r"), \"device\": $(json_quote "$_nd_r")"
	for _nj_m in 4 6; do
		_nj_l=
		for _nj_a in $(ip -"$_nj_m" -o addr show dev "$_nd_r" 2>/dev/null |
			sed -n 's/.* inet6\{0,1\} \([0-9a-fA-F.:]*\/[0-9]*\).*/\1/p'); do
			_nj_l="${_nj_l:+$_nj_l, }{ \"address\": \"${_nj_a%/*}\", \"mask\": ${_nj_a#*/} }"
		done
		_nj_out="$_nj_out, \"ipv$_nj_m-address\": [ $_nj_l ]"
	done
	_nj_l=
	_nj_gw=$(_network_gw 4 "$1")
	[ -z "$_nj_gw" ] || _nj_l="{ \"target\": \"0.0.0.0\", \"mask\": 0, \"nexthop\": \"$_nj_gw\", \"source\": \"0.0.0.0\/0\" }"
	_nj_gw=$(_network_gw 6 "$1")
	[ -z "$_nj_gw" ] || _nj_l="${_nj_l:+$_nj_l, }{ \"target\": \"::\", \"mask\": 0, \"nexthop\": \"$_nj_gw\", \"source\": \"::\/0\" }"
	_nj_out="$_nj_out, \"route\": [ $_nj_l ]"
	_nj_l=
	network_get_dnsserver _nj_d "$1"
	for _nj_a in $_nj_d; do
		_nj_l="${_nj_l:+$_nj_l, }$(json_quote "$_nj_a")"
	done
	_nj_out="$_nj_out, \"dns-server\": [ $_nj_l ]"
	printf '{ %s }\n' "$_nj_out"
}
