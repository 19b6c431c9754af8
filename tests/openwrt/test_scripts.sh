#!/bin/bash
# test_scripts: init scripts written the way OpenWrt's packages write them (dropbear, dnsmasq, uhttpd, odhcpd, network, firewall, sysntpd, cron, log, urandom_seed, umount, system) run unchanged under dash and busybox sh; ubus, jsonfilter, jshn, validate_data, network.sh, service.sh.
# SPDX-License-Identifier: MIT
#
# The scripts live in tests/openwrt/scripts/ and source /lib/functions/*.sh and
# call /etc/init.d/NAME as on a device: the body runs in a mount namespace where
# overlays put the installed layer at those paths and a tmpfs on /tmp and /run.
# keelctl is a fake (the services' pids are sleeps of the test). A network
# namespace holds br-lan (a bridge) and eth1 (a veth) with addresses and a
# default route: network.sh reads them from the kernel with "ip" (busybox's,
# under busybox sh, as on a device).
. "$(dirname "$0")/lib.sh"

if [ -z "$OWRT_IN_NS" ]; then
	D=$T/root
	owrt_root "$D" || { not_ok "install"; finish; exit 1; }
	for f in "$KEEL_SRC"/tests/openwrt/scripts/*; do
		[ -f "$f" ] && cp "$f" "$D/etc/init.d/"
	done
	chmod 755 "$D"/etc/init.d/*
	cp "$KEEL_SRC"/tests/openwrt/scripts/config/* "$D/etc/config/"
	owrt_ovl "$D" || { not_ok "overlay"; finish; exit 1; }
	mkdir -p "$D/ovl/etc/crontabs" "$D/ovl/etc/init.d"
	echo "* * * * * true" >"$D/ovl/etc/crontabs/root"
	# the triggers name /etc/init.d/NAME
	cat >"$D/etc/init.d/mnt" <<'S'
#!/bin/sh /etc/rc.common
# mnt: restarted when the file system holding its data is mounted.
USE_PROCD=1
start_service() { echo "mnt start" >>"$OWRT_LOG"; }
service_triggers() { procd_add_restart_mount_trigger /mnt/data/db /srv; }
S
	cat >"$D/etc/init.d/priv" <<'S'
#!/bin/sh /etc/rc.common
# priv: no_new_privs and a capabilities file, as ujail-minded packages declare them.
USE_PROCD=1
start_service() {
	procd_open_instance
	procd_set_param command /usr/sbin/privd -f
	procd_set_param no_new_privs 1
	procd_set_param capabilities /etc/capabilities/privd.json
	procd_close_instance
}
S
	mkdir -p "$D/ovl/etc/capabilities"
	echo '{ "bounding": [ "CAP_NET_BIND_SERVICE", "CAP_NET_RAW" ], "effective": [ "CAP_NET_RAW" ] }' \
		>"$D/ovl/etc/capabilities/privd.json"
	chmod 755 "$D/etc/init.d/mnt" "$D/etc/init.d/priv"
	cp "$D"/etc/init.d/* "$D/ovl/etc/init.d/"
	for sh in dash busybox; do
		OWRT_IN_NS=1 OWRT_D=$D TEST_SHELL=$sh unshare --mount --net --propagation private sh -c '
			set -e
			mount -t overlay owrt-etc -o lowerdir="$0/ovl/etc:/etc" /etc
			mount -t overlay owrt-lib -o lowerdir="$0/ovl/lib:/lib" /lib
			mount -t overlay owrt-sbin -o lowerdir="$0/ovl/sbin:/usr/sbin" /usr/sbin
			mount -t overlay owrt-share -o lowerdir="$0/ovl/share:/usr/share" /usr/share
			# fresh /run and /tmp; the work dir (in /tmp) is bound back in
			mount -t tmpfs tmpfs /run
			mkdir /run/t
			mount --bind "$2" /run/t
			mount -t tmpfs tmpfs /tmp
			mkdir -p "$2"
			mount --bind /run/t "$2"
			exec bash "$1"
		' "$D" "$0" "$T" || FAIL=$((FAIL + 1))
	done
	finish
	exit
fi

# ---- inside the namespace, once per shell ----
D=$OWRT_D
case $TEST_SHELL in dash) SH=dash ;; *) SH="busybox sh" ;; esac
unset KEEL_LIB_DIR # /lib, as on a device
RT=$KEEL_RUNTIME_DIR
rm -rf "$RT" "$D/etc/rc.d"
mkdir -p "$RT" "$T/bin" "$T/ip"
export OWRT_LOG=$T/log SYSTEM_OUT=$T
: >"$OWRT_LOG"

# the fake keelctl: every instance runs, with a pid from $T/pid.NAME (4242 without)
export KEELCTL=$T/bin/keelctl
cat >"$KEELCTL" <<FAKE
#!/bin/sh
echo "\$*" >>"$T/ctl.log"
[ "\$1" = --socket ] && shift 2
one() { printf '{"name":"%s","state":"running","pid":%s}' "\$1" "\$(cat "$T/pid.\$1" 2>/dev/null || echo 4242)"; }
case \$1 in
--json)
	if [ -n "\$3" ]; then printf '{"services":[%s]}\n' "\$(one "\$3")"; exit 0; fi
	sep= ; printf '{"services":['
	for f in "$RT"/*; do [ -f "\$f" ] || continue; printf '%s' "\$sep"; one "\${f##*/}"; sep=,; done
	printf ']}\n' ;;
esac
exit 0
FAKE
printf '#!/bin/sh\necho "fw3 $*" >>"%s"\n' "$OWRT_LOG" >"$T/bin/fw3"
printf '#!/bin/sh\n:\n' >"$T/bin/logger"
chmod 755 "$T"/bin/*
export PATH="$T/bin:$PATH"
# the interfaces of the namespace
if [ ! -e /sys/class/net/br-lan ]; then
	ip link set lo up
	ip link add br-lan type bridge
	ip link set br-lan up
	ip link add eth1 type veth peer name eth1p
	ip link set eth1p up
	ip link set eth1 up
	ip addr add 10.0.0.2/24 dev eth1
	ip -6 addr add 2001:db8::2/64 dev eth1 nodad
	ip route add default via 10.0.0.1 dev eth1
fi
lan_up() { ip addr add 192.168.1.1/24 dev br-lan; }
lan_down() { ip addr flush dev br-lan; }
lan_up

rc() {
	local n=$1
	shift
	$SH /etc/rc.common "/etc/init.d/$n" "$@"
}
I=/etc/init.d
US=$(printf '\037')
file() { cat "$RT/$1" 2>/dev/null; }
execl() { sed -n 's/^exec //p' "$RT/$1" 2>/dev/null; }

# ---- enable: rc.d links as OpenWrt names them ----
for s in dropbear dnsmasq uhttpd odhcpd network firewall sysntpd cron log urandom_seed umount system; do
	rc $s enable || [ $s = umount ] || not_ok "enable $s"
done
eq "enable: the links of START and STOP" "$(ls "$RC_D_DIR" | tr '\n' ' ')" \
	"K12log K50dropbear K85odhcpd K90network K90umount S10system S12log S19dnsmasq S19dropbear S19firewall S20network S35odhcpd S50cron S50uhttpd S98sysntpd S99urandom_seed "

# ---- dropbear: validation, interface binding, mdns, triggers, extra command ----
rc dropbear start
eq "dropbear: bound to lan's address, the configured flags" "$(execl dropbear.instance1)" \
	'"/usr/sbin/dropbear" "-F" "-P" "/var/run/dropbear.1.pid" "-p" "192.168.1.1:2222" "-g" "-T" "3"'
check "dropbear: the disabled section has no instance" [ ! -e "$RT/dropbear.instance2" ]
eq "dropbear: mdns in the service data" \
	"$(jsonfilter -i "$RT/.dropbear.data" -e '@.mdns.ssh_2222.service' -e '@.mdns.ssh_2222.port' | tr '\n' ' ')" "_ssh._tcp.local 2222 "
check "dropbear: interface trigger: a helper waiting for br-lan's address (static ipaddr)" grep -q '^condition iface "br-lan" ipv4$' "$RT/dropbear..iface-br-lan"
check "dropbear: extra_command in the help" eval 'rc dropbear help | grep -q "^	killclients     Kill dropbear processes except servers and yourself$"'
eq "dropbear: extra_command runs" "$(rc dropbear killclients)" "killclients: nothing to do in this test"
eq "dropbear: status" "$(rc dropbear status):$?" "running:0"
echo 0 >"$T/pid.dropbear.instance1"
eq "dropbear: status when it does not run: exit 5" "$(rc dropbear status):$?" "not running:5"
rm "$T/pid.dropbear.instance1"
eq "dropbear: status of an unknown instance: exit 4" "$(rc dropbear status nosuch):$?" "unknown instance \"nosuch\":4"
"$UCI_BIN" -c "$UCI_CONFIG_DIR" -t "$UCI_SAVE_DIR" set dropbear.@dropbear[0].Port=abc
"$UCI_BIN" -c "$UCI_CONFIG_DIR" -t "$UCI_SAVE_DIR" commit dropbear
out=$(rc dropbear start 2>&1)
check "dropbear: an invalid Port fails validation" eval 'echo "$out" | grep -q "validation failed"'
check "dropbear: ... and the instance is gone" [ ! -e "$RT/dropbear.instance1" ]
cp "$KEEL_SRC/tests/openwrt/scripts/config/dropbear" "$UCI_CONFIG_DIR/dropbear"
lan_down
rc dropbear start
check "dropbear: lan without an address: no instance yet" [ ! -e "$RT/dropbear.instance1" ]
check "dropbear: ... but the interface trigger is there" [ -e "$RT/dropbear..iface-br-lan" ]
lan_up
rc dropbear reload
check "dropbear: lan up, reload: bound to it" grep -q '"192.168.1.1:2222"' "$RT/dropbear.instance1"

# ---- dnsmasq: generated config, netdev, data, jail, raw trigger, boot ----
rc dnsmasq start
conf=$(cat /tmp/etc/dnsmasq.conf 2>/dev/null | tr '\n' ';')
eq "dnsmasq: the generated config" "$conf" \
	"# generated by /etc/init.d/dnsmasq;dhcp-leasefile=/tmp/dhcp.leases;port=53;domain=lan;server=9.9.9.9;server=/example/10.1.1.1;interface=br-lan;dhcp-range=set:lan,192.168.1.100,192.168.1.149,6h;"
f=$RT/dnsmasq.dnsmasq
check "dnsmasq: netdev: waits for br-lan" grep -q '^condition iface "br-lan" exists$' "$f"
check "dnsmasq: jail recorded" grep -q '^# procd jail dnsmasq ubus log$' "$f"
d1=$(grep '^description ' "$f")
rc dnsmasq boot
check "dnsmasq: boot changes the data: the instance is new" [ "$(grep '^description ' "$f")" != "$d1" ]
eq "dnsmasq: the raw interface trigger" "$(cut -d "$US" -f1,4 "$RT/.dnsmasq.events" | grep interface)" \
	"interface.*$US'/etc/init.d/dnsmasq' 'reload'"

# ---- uhttpd: lists, stdout/stderr, limits, named instance ----
rc uhttpd start
eq "uhttpd: arguments from lists" "$(execl uhttpd.main)" \
	'"/usr/sbin/uhttpd" "-f" "-h" "/www" "-n" "5" "-t" "60" "-p" "0.0.0.0:80" "-p" "[::]:80"'
eq "uhttpd: stdout/stderr and limits" "$(grep -E '^(log|rlimit) ' "$RT/uhttpd.main" | tr '\n' ';')" "log ring;rlimit nofile 1024 2048;"

# ---- odhcpd: reload by signal ----
# The stand-in says when its trap is set: a HUP before that would end it
# (a fixed sleep here was too short on a loaded machine). HUP back to its
# default first: a shell cannot trap a signal ignored when it started, as
# it is under nohup.
rm -f "$T/odhcpd.trap"
env --default-signal=HUP sh -c 'trap "echo odhcpd HUP >>\"$0\"" HUP; : >"$1"; while :; do sleep 0.1; done' "$OWRT_LOG" "$T/odhcpd.trap" &
hp=$!
echo "$hp" >"$T/pid.odhcpd.instance1"
for _i in $(seq 200); do [ -e "$T/odhcpd.trap" ] && break; sleep 0.05; done
rc odhcpd start
rc odhcpd reload
wait_for() { for _i in $(seq 100); do grep -q "$1" "$OWRT_LOG" && return 0; sleep 0.1; done; return 1; }
check "odhcpd: reload sends HUP through procd_send_signal" wait_for "odhcpd HUP"

# ---- ubus: procd's JSON and events ----
L=$(ubus -S call service list)
eq "ubus service list: running, pid, command" \
	"$(jsonfilter -s "$L" -e '@.uhttpd.instances.main.running' -e '@.uhttpd.instances.main.pid' -e '@.uhttpd.instances.main.command[0]' | tr '\n' ' ')" \
	"true 4242 /usr/sbin/uhttpd "
eq "ubus service list: respawn and limits" \
	"$(jsonfilter -s "$L" -e '@.uhttpd.instances.main.respawn.retry' -e '@.uhttpd.instances.main.limits.nofile' | tr '\n' ' ')" "5 1024 2048 "
V=$(ubus call service list '{ "name": "dnsmasq", "verbose": true }')
eq "ubus service list NAME verbose: one service, its triggers" \
	"$(jsonfilter -s "$V" -e '@[*].triggers[0][0]' -e '@.dnsmasq.triggers[0][1][1][2]' -e 'K=@' | tr '\n' ' ')" \
	"config.change dhcp export K='dnsmasq'; "
check "ubus call prints indented JSON" eval 'ubus call service list "{\"name\":\"uhttpd\"}" | grep -q "^		\"instances\": {$"'
check "procd_running through the JSON" eval "rc uhttpd running"
eq "info: the service as service list shows it" "$(rc uhttpd info | jsonfilter -e '@.uhttpd.instances.main.command[1]')" "-f"
: >"$T/ctl.log"
grep -q . "$OWRT_LOG" && : >"$OWRT_LOG"
ubus send interface.update '{ "interface": "lan" }'
check "ubus send: odhcpd's raw trigger reloads it (HUP)" wait_for "odhcpd HUP"
kill "$hp" 2>/dev/null
rc system start
mv "$T/hostname" "$T/hostname.1"
ubus call service event '{ "type": "config.change", "data": { "package": "system" } }'
for _i in $(seq 50); do [ -s "$T/hostname" ] && break; sleep 0.1; done
check "ubus event config.change: the scripts of that config reload" [ -s "$T/hostname" ]
eq "system: hostname and zone from the validated section" "$(cat "$T/hostname" "$T/TZ" "$T/board" | tr '\n' ' ')" \
	"keelbox CET-1CEST,M3.5.0,M10.5.0/3 generic "
mkdir -p /tmp/sysinfo && echo "acme,router-1" >/tmp/sysinfo/board_name
rc system reload
eq "board_name from /tmp/sysinfo" "$(cat "$T/board")" "acme,router-1"
ubus call service set '{ "name": "extra", "instances": { "one": { "command": [ "/bin/sleep", "99 9" ], "env": { "A": "b c" }, "respawn": [ 60, 3, 0 ] } } }'
eq "ubus service set: an instance file" "$(execl extra.one)" '"/bin/sleep" "99 9"'
check "ubus service set: env and respawn" eval "grep -q '^env \"A=b c\"\$' '$RT/extra.one' && grep -q '^respawn window 60s delay 3s max-delay 3s\$' '$RT/extra.one'"
ubus call service delete '{ "name": "extra" }'
check "ubus service delete: gone" [ ! -e "$RT/extra.one" ]
ubus -t 3 listen 'custom.*' >"$T/listen.out" &
lp=$!
sleep 0.5
ubus send other.event '{ "x": 1 }'
ubus send custom.hello '{ "who": "keel" }'
wait "$lp"
eq "ubus listen: the events of its pattern sent meanwhile" "$(cat "$T/listen.out")" '{ "custom.hello": { "who": "keel" } }'
rc uhttpd trace
check "trace: start with TRACE_SYSCALLS, recorded in the instance" grep -q '^# procd trace 1' "$RT/uhttpd.main"
rc uhttpd start
ubus call service foo '{}' 2>"$T/ubus.err"
eq "ubus: unknown method: exit 4, ubus's message" "$?:$(cat "$T/ubus.err")" "4:Command failed: Not found"
ubus call service list '{ bad' 2>/dev/null
eq "ubus: bad JSON: exit 2" "$?" 2
eq "ubus call system board" "$(ubus call system board | jsonfilter -e '@.kernel')" "$(uname -r)"
check "ubus call system info: memory" eval '[ "$(ubus call system info | jsonfilter -e "@.memory.total")" -gt 0 ]'
eq "ubus call network.interface.wan status" \
	"$(ubus call network.interface.wan status | jsonfilter -e '@.up' -e '@["ipv4-address"][0].address' -e '@["ipv4-address"][0].mask' -e '@.route[0].nexthop' -e '@.l3_device' | tr '\n' ' ')" \
	"true 10.0.0.2 24 10.0.0.1 eth1 "
check "ubus list" eval 'ubus list | grep -qx network.interface.lan'
eq "service NAME COMMAND: the script's command" "$(service uhttpd status)" "running"
eq "service: each script, enabled, running (single-quoted JSON to ubus, as OpenWrt's)" \
	"$(service | grep /uhttpd)" "$(printf "%-30s\t%10s\t%10s" "$INIT_D_DIR/uhttpd" enabled running)"
eq "service: an unknown one" "$(service nosuch start):$?" "Service nosuch not found.:1"

# ---- network, firewall, sysntpd, cron, log, urandom_seed, umount ----
rc network start
check "network: watch recorded" grep -q '^# procd watch network.interface$' "$RT/network.instance1"
check "network: reload through ubus" rc network reload
eq "network: the data trigger" "$(cut -d "$US" -f1-3 "$RT/.network.events" | grep data)" "service.data.update${US}name${US}wireless"
: >"$OWRT_LOG"
rc firewall boot
rc firewall reload
rc firewall stop
eq "firewall: fw3 boot, reload, stop" "$(tr '\n' ';' <"$OWRT_LOG")" "fw3 -q start;fw3 reload;fw3 flush;"
rc firewall start
eq "firewall: no instance, triggers only: active" "$(rc firewall status):$?" "active with no instances:0"
rc sysntpd start
eq "sysntpd: servers from the validated list" "$(execl sysntpd.instance1)" \
	'"/usr/sbin/ntpd" "-n" "-N" "-p" "0.openwrt.pool.ntp.org" "-p" "1.openwrt.pool.ntp.org"'
check "sysntpd: reload on wan (eth1) up" [ -e "$RT/sysntpd..iface-eth1" ]
eq "sysntpd: procd data with json_*" "$(jsonfilter -i "$RT/.sysntpd.data" -e '@.server[1]')" "1.openwrt.pool.ntp.org"
rc cron start
eq "cron: loglevel from system" "$(execl cron.instance1)" '"/usr/sbin/crond" "-f" "-c" "/etc/crontabs" "-l" "8"'
rc log start
eq "log: remote instance" "$(execl log.log_remote)" \
	'"/sbin/logread" "-f" "-h" "" "-r" "10.0.0.9" "514" "-p" "/var/run/logread.pid" "-t"'
eq "log: respawn 5 1 -1: never gives up" "$(grep '^respawn ' "$RT/log.log_remote")" "respawn window 5s delay 1s max-delay 1s"
: >"$OWRT_LOG"
rc urandom_seed boot
eq "urandom_seed: boot" "$(cat "$OWRT_LOG")" "urandom_seed: seed file: /etc/urandom.seed"
rc umount stop
check "umount: stop" grep -q "umount stop" "$OWRT_LOG"

# ---- mount triggers: procd_get_mountpoints, fired by ubus send mount.add ----
eq "procd_get_mountpoints" "$(. /lib/functions.sh; . /lib/functions/procd.sh; procd_get_mountpoints /mnt/data/db /srv)" "/mnt/data"
rc mnt start
: >"$OWRT_LOG"
ubus send mount.add '{ "target": "/mnt/other" }'
ubus send mount.add '{ "target": "/mnt/data" }'
check "mount trigger: mount.add of /mnt/data restarts the service" wait_for "mnt start"
sleep 0.3
eq "mount trigger: only for its mount point" "$(grep -c "mnt start" "$OWRT_LOG")" 1

# ---- no_new_privs, capabilities: through setpriv where util-linux has it ----
rc priv start
if command -v setpriv >/dev/null 2>&1; then
	eq "no_new_privs and the bounding set through setpriv" "$(execl priv.instance1)" \
		"\"$(command -v setpriv)\" \"--no-new-privs\" \"--bounding-set\" \"-all,+net_bind_service,+net_raw\" \"/usr/sbin/privd\" \"-f\""
	mkdir -p "$T/chk" && cp "$RT/priv.instance1" "$T/chk/" &&
		check "keel check accepts it" "$KEEL_BUILD/keel" check -q "$T/chk"
else
	check "without setpriv: recorded" grep -q '^# procd no_new_privs 1 (no setpriv' "$RT/priv.instance1"
fi
check "no_new_privs in service list" eval '[ "$(ubus call service list | jsonfilter -e "@.priv.instances.instance1.no_new_privs")" = true ]'

# procd_set_config_changed: the config.change event, as reload_config sends it
mv "$T/hostname" "$T/hostname.2"
$SH -c '. /lib/functions.sh; . /lib/functions/procd.sh; procd_set_config_changed system'
for _i in $(seq 50); do [ -s "$T/hostname" ] && break; sleep 0.1; done
check "procd_set_config_changed system: system's script reloads" [ -s "$T/hostname" ]

# ---- jsonfilter, jshn, validate_data, network.sh, service.sh, functions ----
J='{"a":{"b":[1,2,{"c":"x/y"}]},"up":true,"n":null,"l":[{"n":"wan","up":false},{"n":"lan","up":true}]}'
eq "jsonfilter: paths" "$(jsonfilter -s "$J" -e '@.a.b[2].c' -e '$.a.b[-1].c' -e '@["a"]["b"][0]' | tr '\n' ' ')" "x/y x/y 1 "
eq "jsonfilter: filter" "$(jsonfilter -s "$J" -e '@.l[@.up=true].n')" "lan"
eq "jsonfilter: objects as json-c prints them" "$(jsonfilter -s "$J" -e '@.a')" '{ "b": [ 1, 2, { "c": "x\/y" } ] }'
eq "jsonfilter: export" "$(jsonfilter -s "$J" -e 'N=@.l[*].n' -e 'B=@.up')" "export N='wan'\\ 'lan'; export B=1; "
eq "jsonfilter: types" "$(jsonfilter -s "$J" -t '@.a' -t '@.up' -t '@.n')" "$(printf 'object\nboolean\nnull')"
jsonfilter -s "$J" -e '@.nosuch'
eq "jsonfilter: no match: exit 1" "$?" 1
jsonfilter -s '{bad' -e '@' 2>/dev/null
eq "jsonfilter: bad JSON: exit 126" "$?" 126
eq "jsonfilter: -l limit" "$(jsonfilter -s '[1,2,3]' -l 2 -e '@[*]' | tr '\n' ' ')" "1 2 "
out=$($SH -c '. /usr/share/libubox/jshn.sh
	json_init; json_add_string name "a b"; json_add_int n 3; json_add_boolean ok 1
	json_add_array l; json_add_string "" x; json_add_string "" y; json_close_array
	json_add_object o; json_add_double d 1.5; json_close_object
	s=$(json_dump); json_cleanup
	json_load "$s"; json_get_vars name n; json_get_type t l; json_select l; json_get_values v; json_select ..
	json_select o; json_get_var d d; json_select ..; json_get_keys k
	echo "$s|$name|$n|$t|$v|$d|$k"')
eq "jshn: build, dump, load, read" "$out" \
	'{ "name": "a b", "n": 3, "ok": true, "l": [ "x", "y" ], "o": { "d": 1.5 } }|a b|3|array|x y|1.5|name n ok l o'
eq "validate_data DATATYPE VALUE" "$(/sbin/validate_data 'or(port,portrange)' 10-20; /sbin/validate_data uinteger aa)" \
	"$(printf 'or(port,portrange) - 10-20 = true\nuinteger - aa = false')"
eq "validate_data PACKAGE TYPE SECTION: values and defaults for eval" \
	"$(/sbin/validate_data uhttpd uhttpd main 'max_requests:uinteger:3' 'nosuch:string:dflt' 'listen_http:list(string)')" \
	"max_requests='5'; nosuch='dflt'; listen_http='0.0.0.0:80 [::]:80'; "
out=$($SH -c '. /lib/functions.sh; . /lib/functions/network.sh
	network_get_ipaddr a wan; network_get_subnet s wan; network_get_gateway g wan; network_get_device d lan
	network_get_ipaddr6 a6 wan; network_get_dnsserver dns lan; network_find_wan w
	network_is_up wan && u=up; network_get_ipaddr x nosuch || x=none
	echo "$a|$s|$g|$d|$a6|$dns|$w|$u|$x"')
eq "network.sh: addresses, gateway, device, dns, wan" "$out" \
	"10.0.0.2|10.0.0.2/24|10.0.0.1|br-lan|2001:db8::2|192.168.1.53|wan|up|none"
eq "service.sh: the start-stop-daemon command" \
	"$($SH -c '. /lib/functions/service.sh; SERVICE_DEBUG=1 SERVICE_DAEMONIZE=1 SERVICE_WRITE_PID=1 service_start /bin/sleep 10')" \
	"start-stop-daemon -q -S -b -m -p /var/run/sleep.pid -x /bin/sleep -- 10"
out=$($SH -c '. /lib/functions.sh
	printf "mtd0: 00040000 00010000 \"u-boot\"\nmtd3: 00f00000 00010000 \"firmware\"\n" >/tmp/mtd
	PROC_MTD=/tmp/mtd find_mtd_index firmware
	echo "root=/dev/sda2 console=ttyS0 console=tty0" >/tmp/cmdline
	PROC_CMDLINE=/tmp/cmdline cmdline_get_var console | tr "\n" " "
	xor 00ff 0f0f')
eq "functions.sh: find_mtd_index, cmdline_get_var, xor" "$(echo $out)" "3 ttyS0 tty0 0ff0"
out=$($SH -c '. /lib/functions.sh
	uci_set uhttpd main home /srv; a=$(uci_get uhttpd main home); uci_revert uhttpd; b=$(uci_get uhttpd main home)
	echo "$a $b"')
eq "uci_revert drops the staged change" "$out" "/srv /www"

finish
