#!/bin/bash
# test_openwrt: one boot of keel with OpenWrt init scripts — rc.d boot order, procd instances (respawn, UCI reload), Debian's dropbear and dnsmasq and busybox's crond/ntpd/httpd under procd-style scripts, interface, config and mount triggers, keelctl status of both kinds, K## scripts at poweroff.
# SPDX-License-Identifier: MIT
# The image holds the OpenWrt layer as openwrt/install.sh installs it, the example
# scripts and configs of examples/openwrt unchanged, two scripts of the test (S10/K10 and
# S95/K95) that log their boot and stop with network's runtime state, and native keel
# services beside them. One boot covers everything: each boot costs seconds under TCG.
. "$(dirname "$0")/lib.sh"
vm_setup test_openwrt
# dummy: the example network config's br-lan is a dummy device (no bridge is needed to
# see network bring it up and down); a virtio disk (ext4) for the mount triggers.
VM_MODULES="dummy virtio_pci virtio_blk"
UCI_PROG=$KEEL_BUILD/uci
[ -x "$UCI_PROG" ] || vm_die "no uci in $KEEL_BUILD (make VARIANT=musl)"
vm_root_new
vm_guest_helpers
T=/usr/libexec/keel-test
EX=$KEEL_SRC/examples/openwrt

# --- the OpenWrt layer, as a firmware build puts it in the image ---
# keel-ubusd first: install.sh enables its service when it finds it
[ -x "$KEEL_BUILD/keel-ubusd" ] || vm_die "no keel-ubusd in $KEEL_BUILD (make VARIANT=musl)"
vm_install_prog "$KEEL_BUILD/keel-ubusd" /sbin/keel-ubusd
"$KEEL_SRC/openwrt/install.sh" "$VM_ROOT" || vm_die "openwrt/install.sh failed"
vm_install_prog "$UCI_PROG" /sbin/uci
[ -x "$KEEL_BUILD/jsonfilter" ] || vm_die "no jsonfilter in $KEEL_BUILD (make VARIANT=musl)"
vm_install_prog "$KEEL_BUILD/jsonfilter" /usr/bin/jsonfilter
ln -s jsonfilter "$VM_ROOT/usr/bin/jshn"
for n in network uhttpd cron; do
	vm_copy "$EX/$n" "/etc/init.d/$n" 0755
done
for f in "$EX"/config/*; do
	vm_copy "$f" "/etc/config/${f##*/}"
done
# procd-style scripts written as OpenWrt's packages write them (tests/openwrt/scripts),
# for Debian's dropbear and dnsmasq (with their libraries) and ntpd
SC=$KEEL_SRC/tests/openwrt/scripts
for n in dropbear dnsmasq sysntpd; do
	vm_copy "$SC/$n" "/etc/init.d/$n" 0755
done
vm_copy "$SC/config/dropbear" /etc/config/dropbear
vm_copy "$SC/config/dhcp" /etc/config/dhcp
for b in dropbear dnsmasq; do
	[ -x "/usr/sbin/$b" ] || vm_die "no /usr/sbin/$b (scripts/deps.sh: dropbear-bin dnsmasq-base)"
	vm_install_prog "/usr/sbin/$b" "/usr/sbin/$b"
done
vm_install_prog /usr/bin/dropbearkey /usr/bin/dropbearkey
mkdir -p "$VM_ROOT/etc/dropbear" "$VM_ROOT/www"
printf '127.0.0.1 localhost\n192.168.1.1 keel-router.lan\n' >"$VM_ROOT/etc/hosts"
echo "keel" >"$VM_ROOT/www/index.html"
printf 'nobody:x:65534:65534:nobody:/var:/bin/false\n' >>"$VM_ROOT/etc/passwd"
printf 'nogroup:x:65534:\n' >>"$VM_ROOT/etc/group"
# ntpd and busybox httpd: a time server section for sysntpd, a plain procd script for httpd
cat >>"$VM_ROOT/etc/config/system" <<'EOF'

config timeserver 'ntp'
	list server '192.168.1.254'
	option enabled '1'
EOF
vm_file /etc/init.d/httpd 0755 <<'EOF'
#!/bin/sh /etc/rc.common
# httpd: busybox httpd on the lan, procd-style.
START=60
USE_PROCD=1
start_service() {
	procd_open_instance
	procd_set_param command /usr/sbin/httpd -f -p 8080 -h /www
	procd_set_param respawn
	procd_close_instance
}
EOF
# OpenWrt's /var/run is /run; network writes resolv.conf.auto there, uci keeps state in
# /var/state; busybox crond wants its table dir.
ln -s /run "$VM_ROOT/var/run"
mkdir -p "$VM_ROOT/var/state" "$VM_ROOT/etc/crontabs"

# The test's own scripts, in the examples' style. Each logs to /tmp/rc.log (read back
# through the shell) and to the console (the shell is gone by the time K## scripts run).
# network's runtime state (uci -P /var/state) shows whether network ran before them.
for s in first:10 last:95; do
	n=${s%:*} q=${s#*:} setup=
	# the lan device must exist before S20network brings it up
	[ "$n" = first ] && setup="modprobe dummy numdummies=0 && ip link add br-lan type dummy"
	vm_file "/etc/init.d/$n" 0755 <<EOF
#!/bin/sh /etc/rc.common
# $n: START=$q / STOP=$q; logs its boot and stop with network's lan state, for the order checks.
START=$q
STOP=$q

note() {
	echo "\$*" >>/tmp/rc.log
	echo "TEST: \$*" >/dev/console
}

boot() {
	${setup:-:}
	note "boot $n lan=\$(uci_get_state network lan up 0)"
}

stop() {
	note "stop $n lan=\$(uci_get_state network lan up 0)"
}
EOF
done

# Stand-ins for uhttpd (not in Debian) and ntpd (not in Debian's busybox-static): they
# report their start with pid and arguments and their TERM, and keep their arguments in
# /proc/PID/cmdline. crond and httpd are busybox's.
for n in uhttpd ntpd; do
	vm_file "/usr/sbin/$n" 0755 <<'EOF'
#!/bin/sh
# fake daemon: reports its start (pid, arguments) and its TERM on the console, runs until stopped.
n=${0##*/}
echo "TEST: start $n $$ $*" >/dev/console
# the sleep runs in the background so TERM is handled at once
trap 'kill $! 2>/dev/null; echo "TEST: term $n $$" >/dev/console; exit 0' TERM
while :; do sleep 3600 & wait $!; done
EOF
done

# Guest probes, so the typed command lines stay short.
vm_file $T/svcpid 0755 <<'EOF'
#!/bin/sh
# svcpid NAME: the pid keel reports for a service (empty when it has none).
keelctl --json status "$1" 2>/dev/null | sed -n 's/.*"pid":\([1-9][0-9]*\).*/\1/p'
EOF
vm_file $T/newpid 0755 <<'EOF'
#!/bin/sh
# newpid NAME OLDPID SECS: waits until NAME runs with a pid other than OLDPID and prints it; 1 at the deadline.
read -r up _ </proc/uptime
end=$((${up%.*} + $3))
while :; do
	p=$(/usr/libexec/keel-test/svcpid "$1")
	if [ -n "$p" ] && [ "$p" != "$2" ] && keelctl status "$1" >/dev/null 2>&1; then
		echo "$p"
		exit 0
	fi
	read -r up _ </proc/uptime
	[ "${up%.*}" -lt "$end" ] || exit 1
	sleep 0.2
done
EOF
vm_file $T/allup 0755 <<'EOF'
#!/bin/sh
# allup SECS NAME...: waits until keel reports every NAME running (or done); 1 at the deadline.
read -r up _ </proc/uptime
end=$((${up%.*} + $1))
shift
for s in "$@"; do
	until keelctl status "$s" >/dev/null 2>&1; do
		read -r up _ </proc/uptime
		[ "${up%.*}" -lt "$end" ] || { echo "$s not up"; exit 1; }
		sleep 0.2
	done
done
EOF

# --- mount triggers: two fstab mounts, each named by one script's trigger ---
# (as fstools' block would mount them; the test mounts the disk by hand)
cat >>"$VM_ROOT/etc/config/fstab" <<'EOF'

config mount
	option target '/mnt/data'
	option label 'data'

config mount
	option target '/mnt/other'
	option label 'other'
EOF
mkdir -p "$VM_ROOT/mnt/data" "$VM_ROOT/mnt/other"
for n in store:/mnt/data/db other:/mnt/other; do
	vm_file "/etc/init.d/${n%%:*}" 0755 <<EOF
#!/bin/sh /etc/rc.common
# ${n%%:*}: reloaded when the fstab mount holding ${n#*:} is mounted (procd's mount trigger).
START=70
USE_PROCD=1
start_service() {
	echo "TEST: ${n%%:*} start_service" >/dev/console
	procd_open_instance
	procd_set_param command /usr/libexec/keel-test/daemon ${n%%:*}d
	procd_close_instance
}
service_triggers() {
	procd_add_reload_mount_trigger ${n#*:}
}
EOF
done
VM_DISK=$VM_WORK/data.img
vm_disk "$VM_DISK" 8

# --- native keel services beside the scripts ---
# the examples' getty: a shell on the serial console, stopped with SIGHUP
vm_service getty <"$KEEL_SRC/examples/services/getty"
# A native service ordered after an OpenWrt script by its name (docs/services.md).
vm_service lan-check <<EOF
description "lan address check"
type wait
after network
exec /bin/sh -c "ip -4 addr show dev br-lan | grep -q 192.168.1.1/24 && $T/mark lan-ready"
EOF

# --- enable, the way an image build does: each script's own enable, below IPKG_INSTROOT ---
for n in first network dropbear dnsmasq sysntpd httpd uhttpd cron store other last; do
	env -i PATH="$PATH" IPKG_INSTROOT="$VM_ROOT" sh "$VM_ROOT/etc/rc.common" "$VM_ROOT/etc/init.d/$n" enable ||
		vm_not_ok "build: enable $n"
done
links=$(cd "$VM_ROOT/etc/rc.d" && for l in *; do printf '%s->%s ' "$l" "$(readlink "$l")"; done)
want="K10first->../init.d/first K50cron->../init.d/cron K50dropbear->../init.d/dropbear"
want="$want K90network->../init.d/network K95last->../init.d/last S10first->../init.d/first"
want="$want S19dnsmasq->../init.d/dnsmasq S19dropbear->../init.d/dropbear"
want="$want S20network->../init.d/network S50cron->../init.d/cron S50uhttpd->../init.d/uhttpd"
want="$want S60httpd->../init.d/httpd S70other->../init.d/other S70store->../init.d/store"
want="$want S95last->../init.d/last S98sysntpd->../init.d/sysntpd "
if [ "$links" = "$want" ]; then vm_ok "build: enable made the rc.d links"; else vm_not_ok "build: enable made the rc.d links" "got: $links"; fi

vm_pack
vm_boot

# What a guest command printed: the serial console also carries keel's and the daemons'
# lines, so comparisons drop those, and pids are the last line that is only a number.
out_plain() { grep -vE '^(keel: |TEST: )' "$VM_OUT"; }
out_pid() { grep -E '^[0-9]+$' "$VM_OUT" | tail -n 1; }

# --- boot order by START ---
# keel runs S links one by one in name order and says [ OK ] as each ends; the first wait
# covers the kernel's boot.
# (keel describes a link as "NAME (rc.d S##)".)
check "boot: S95last reached" vm_wait '^keel: \[ OK \] last \(rc\.d S95\)$' 90
check "boot: S links ran in START order" vm_in_order \
	'^keel: \[ OK \] first \(rc\.d S10\)$' '^keel: \[ OK \] dropbear \(rc\.d S19\)$' \
	'^keel: \[ OK \] network \(rc\.d S20\)$' \
	'^keel: \[ OK \] cron \(rc\.d S50\)$' '^keel: \[ OK \] uhttpd \(rc\.d S50\)$' \
	'^keel: \[ OK \] last \(rc\.d S95\)$'
check "boot: native service after network saw the lan address" vm_wait '^TEST: mark lan-ready' 10
if vm_run 'cat /tmp/rc.log' 30 && [ "$(out_plain)" = "boot first lan=0"$'\n'"boot last lan=1" ]; then
	vm_ok "boot: S10first before network, S95last after (script log)"
else
	vm_not_ok "boot: S10first before network, S95last after (script log)" "log: $(tr '\n' '|' <"$VM_OUT")"
fi

# --- procd instances as keel services ---
if vm_run "$T/allup 30 dropbear.instance1 dnsmasq.dnsmasq uhttpd.main cron.instance1 sysntpd.instance1 httpd.instance1" 40; then
	vm_ok "procd: dropbear, dnsmasq, uhttpd, crond, ntpd, httpd instances run under keel"
else
	vm_not_ok "procd: dropbear, dnsmasq, uhttpd, crond, ntpd, httpd instances run under keel" "$(cat "$VM_OUT")"
fi
check "procd: disabled dropbear section has no instance" vm_run '! keelctl list | grep -q dropbear.instance2'
# cmdline PID: the process's arguments, blank-separated
cmdline() { vm_run "tr '\\0' ' ' </proc/$1/cmdline; echo" 20 && out_plain | tail -n 1; }
# S19dropbear ran before S20network gave br-lan its address: no instance then; the
# interface trigger (br-lan ipv4) started it bound to the address
vm_run "$T/svcpid dropbear.instance1" 20
dpid=$(out_pid)
got=$(cmdline "$dpid")
if [ "$got" = "/usr/sbin/dropbear -F -P /var/run/dropbear.1.pid -p 192.168.1.1:2222 -g -T 3 " ]; then
	vm_ok "interface trigger: br-lan's address started dropbear bound to it"
else
	vm_not_ok "interface trigger: br-lan's address started dropbear bound to it" "pid '$dpid': $got"
fi
check "interface trigger: the helper waits on br-lan's IPv4 address" \
	vm_run 'keelctl cond | grep -q "^iface br-lan ipv4 *true"' 20
check "dropbear (Debian's) listens on 192.168.1.1:2222" \
	vm_run '(for i in 1 2 3 4 5 6 7 8 9 10; do netstat -ltn | grep -q "192.168.1.1:2222 " && exit 0; sleep 0.3; done; exit 1)' 20
check "dnsmasq (Debian's) answers from /etc/hosts" \
	vm_run 'nslookup keel-router.lan 127.0.0.1 | grep -q "192.168.1.1"' 30
check "ubus call service list: dropbear's instance running, in procd's shape" \
	vm_run '[ "$(ubus call service list | jsonfilter -e "@.dropbear.instances.instance1.running")" = true ]' 30
check "ubus socket: keel-ubusd (a keel service) answers service list through /var/run/ubus.sock" \
	vm_run '[ "$(keel-ubusd -c -s /var/run/ubus.sock call service list | jsonfilter -e "@.dropbear.instances.instance1.running")" = true ]' 30
check "ubus: dropbear's mdns record in its data" \
	vm_run '[ "$(ubus call service list "{\"name\":\"dropbear\"}" | jsonfilter -e "@.dropbear.data.mdns.ssh_2222.port")" = 2222 ]' 30
# the real busybox crond: arguments and environment from /etc/config/system
if vm_run "p=\$($T/svcpid cron.instance1); tr '\\0' ' ' </proc/\$p/cmdline; echo; tr '\\0' '\\n' </proc/\$p/environ | grep ^TZ=" 20 &&
	[ "$(out_plain)" = "/usr/sbin/crond -f -c /etc/crontabs -l 8 "$'\n'"TZ=CET-1CEST,M3.5.0,M10.5.0/3" ]; then
	vm_ok "procd: crond runs with the configured log level and TZ"
else
	vm_not_ok "procd: crond runs with the configured log level and TZ" "$(tr '\n' '|' <"$VM_OUT")"
fi
if vm_run '/etc/init.d/uhttpd status && /etc/init.d/uhttpd enabled && echo enabled' 20 &&
	[ "$(out_plain)" = "running"$'\n'"enabled" ]; then
	vm_ok "procd: uhttpd status and enabled through rc.common"
else
	vm_not_ok "procd: uhttpd status and enabled through rc.common" "$(tr '\n' '|' <"$VM_OUT")"
fi

# --- keelctl status lists both kinds ---
state_of() { awk -v n="$1" '$1 == n { print $2; exit }' "$VM_WORK/status.out"; }
if vm_run 'keelctl status' 20; then
	cp "$VM_OUT" "$VM_WORK/status.out"
	vm_note "keelctl status:"
	sed 's/^/#   /' "$VM_WORK/status.out"
	for pair in getty:running lan-check:done first:done network:done last:done \
		dropbear.instance1:running uhttpd.main:running cron.instance1:running; do
		n=${pair%%:*} want=${pair#*:}
		got=$(state_of "$n")
		if [ "$got" = "$want" ]; then vm_ok "status: $n $want"; else vm_not_ok "status: $n $want" "got '$got'"; fi
	done
	check "status: rc.d script described by its link" grep -qE '^network .* network \(rc\.d S20\)$' "$VM_WORK/status.out"
else
	vm_not_ok "status: keelctl status ran" "exit $?; output: $(head -c 300 "$VM_OUT")"
fi

# --- respawn: kill -9 a procd instance declared with respawn ---
vm_run "$T/svcpid dropbear.instance1" 20
old=$(out_pid)
if [ -n "$old" ] && vm_run "kill -9 $old && $T/newpid dropbear.instance1 $old 30" 40; then
	new=$(out_pid)
	vm_ok "respawn: dropbear back after kill -9 ($old -> $new)"
	check "respawn: the new dropbear started with the same arguments" \
		eval '[ "$(cmdline "$new")" = "/usr/sbin/dropbear -F -P /var/run/dropbear.1.pid -p 192.168.1.1:2222 -g -T 3 " ]'
else
	vm_not_ok "respawn: dropbear back after kill -9" "old pid '$old'; $(cat "$VM_OUT")"
	new=
fi

# --- UCI change + reload: the instance restarts with the new argument ---
vm_run "$T/svcpid uhttpd.main" 20
uold=$(out_pid)
check "reload: uci set + commit + /etc/init.d/uhttpd reload" \
	vm_run 'uci set uhttpd.main.home=/srv/www && uci commit uhttpd && /etc/init.d/uhttpd reload' 40
if [ -n "$uold" ] && vm_run "$T/newpid uhttpd.main $uold 30" 40; then
	unew=$(out_pid)
	vm_ok "reload: uhttpd.main restarted ($uold -> $unew)"
	if vm_run "tr '\\0' ' ' </proc/$unew/cmdline" 20 && grep -q ' -f -h /srv/www -n 3 ' "$VM_OUT"; then
		vm_ok "reload: /proc/PID/cmdline has the new home"
	else
		vm_not_ok "reload: /proc/PID/cmdline has the new home" "$(cat "$VM_OUT")"
	fi
	# procd_set_param file /etc/config/uhttpd: a change of the file alone (an option the
	# command does not use) must restart the instance too, as procd does
	vm_run 'uci set uhttpd.main.note=changed && uci commit uhttpd && /etc/init.d/uhttpd reload' 40
	if vm_run "$T/newpid uhttpd.main $unew 15" 25; then
		vm_ok "reload: a config-file-only change restarts uhttpd.main ($unew -> $(out_pid))"
	else
		vm_not_ok "reload: a config-file-only change restarts uhttpd.main" "$(cat "$VM_OUT")"
	fi
else
	vm_not_ok "reload: uhttpd.main restarted" "old pid '$uold'; $(cat "$VM_OUT")"
fi
# an unchanged instance is left alone
if [ -n "$new" ] && vm_run "/etc/init.d/dropbear reload && $T/svcpid dropbear.instance1" 40 &&
	[ "$(out_pid)" = "$new" ]; then
	vm_ok "reload: unchanged dropbear keeps its pid"
else
	vm_not_ok "reload: unchanged dropbear keeps its pid" "want '$new', got '$(cat "$VM_OUT")'"
fi
# uci set + uci commit + reload_config: exactly the affected daemon restarts, with its
# new arguments; the others keep their pids
pids() {
	vm_run "for s in dropbear.instance1 dnsmasq.dnsmasq uhttpd.main cron.instance1 sysntpd.instance1 httpd.instance1; do printf '%s ' \$($T/svcpid \$s); done; echo" 20 &&
		out_plain | tail -n 1
}
before=$(pids)
set -- $before
dold=$1
check "reload_config: uci set + commit dropbear Port=2200, reload_config" \
	vm_run 'reload_config && uci set dropbear.@dropbear[0].Port=2200 && uci commit dropbear && reload_config' 40
if vm_run "$T/newpid dropbear.instance1 $dold 30" 40; then
	dnew=$(out_pid)
	got=$(cmdline "$dnew")
	if [ "$got" = "/usr/sbin/dropbear -F -P /var/run/dropbear.1.pid -p 192.168.1.1:2200 -g -T 3 " ]; then
		vm_ok "reload_config: dropbear restarted with -p 192.168.1.1:2200 ($dold -> $dnew)"
	else
		vm_not_ok "reload_config: dropbear restarted with the new port" "$got"
	fi
	vm_run 'sleep 2' 10
	after=$(pids)
	if [ "${after#* }" = "${before#* }" ]; then
		vm_ok "reload_config: dnsmasq, uhttpd, crond, ntpd, httpd kept their pids"
	else
		vm_not_ok "reload_config: the other daemons kept their pids" "before '$before', after '$after'"
	fi
else
	vm_not_ok "reload_config: dropbear restarted" "$(cat "$VM_OUT")"
fi
# --- mount triggers: mounting the disk on /mnt/data reloads store, and only store ---
check "mount trigger: store's helper waits for /mnt/data" \
	vm_run 'grep -q "^trigger start \"/mnt/data\" mounted$" /run/keel/services/store..mount' 20
vm_mark
check "mount trigger: the virtio disk mounted on /mnt/data" \
	vm_run 'modprobe -a virtio_pci virtio_blk && (for i in $(seq 50); do [ -e /sys/block/vda ] && break; sleep 0.1; done; mount -t ext4 /dev/vda /mnt/data)' 30
check "mount trigger: store's script reloaded" vm_wait '^TEST: store start_service$' 30
vm_run 'sleep 1' 10
check "mount trigger: other's script not reloaded" eval '! vm_seen "^TEST: other start_service"'
check "mount trigger: one reload of store" eval '[ "$(vm_console | grep -c "^TEST: store start_service$")" = 1 ]'
check "mount trigger: store's instance still runs" vm_run 'keelctl status store.instance1 >/dev/null' 20
check "mount trigger: umount fires no reload" \
	eval 'vm_mark; vm_run "umount /mnt/data && sleep 1" 20 && ! vm_seen "^TEST: store start_service"'
check "boot: no [FAIL] so far" eval '! vm_console 0 | grep -E "^keel: \[FAIL\]"'

# --- poweroff: K## scripts in order, then the VM powers off ---
vm_mark
vm_send 'keelctl poweroff'
check "poweroff: QEMU exits" vm_wait_exit 60
check "poweroff: keel powered off" vm_seen '^keel: powering off'
# K10first sees network still up, K95last sees it down: K90network ran between them.
check "poweroff: K10first, K90network, K95last in order" vm_in_order \
	'^TEST: stop first lan=1$' '^TEST: stop last lan=0$'
check "poweroff: K links ran in STOP order (K50dropbear's killall dropbear spared it)" vm_in_order \
	'^keel: \[ OK \] first \(rc\.d K10\)$' '^keel: \[ OK \] cron \(rc\.d K50\)$' \
	'^keel: \[ OK \] dropbear \(rc\.d K50\)$' '^keel: \[ OK \] network \(rc\.d K90\)$' \
	'^keel: \[ OK \] last \(rc\.d K95\)$'
check "poweroff: procd daemons got TERM" vm_seen "^TEST: term uhttpd"
check "poweroff: no script failed" eval '! vm_seen "^keel: \[FAIL\]|keelctl reload failed"'
vm_finish
