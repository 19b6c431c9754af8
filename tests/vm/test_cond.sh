#!/bin/bash
# test_cond: one boot with a NIC — start conditions (iface/route after a real DHCP lease, !path marker), a path trigger intercepting a vendor upgrade, keelctl cond, poweroff.
# SPDX-License-Identifier: MIT
# The guest gets QEMU's user-mode network (restrict=on: the guest reaches nothing but
# QEMU's own DHCP server, which then offers no router, so the hook sets QEMU's gateway)
# and busybox udhcpc. udhcpc waits for a marker the test creates through the console, so
# the test sees user-script waiting for its address first.
# The wz_mini case: the vendor's iCamera drops /tmp/Upgrade/upgraderun.sh (a folder that
# does not exist at boot) and runs it a moment later; a trigger service must move it away
# in between.
. "$(dirname "$0")/lib.sh"
vm_setup test_cond
# virtio_pci (the PCI transport) and virtio_net are modules in Debian's cloud kernel.
VM_MODULES="virtio_pci virtio_net"
# romfile= : no PXE option ROM to load, the kernel is given directly.
VM_QEMU_EXTRA="-netdev user,id=n0,restrict=on -device virtio-net-pci,netdev=n0,romfile="
vm_root_new
vm_guest_helpers
T=/usr/libexec/keel-test

vm_service getty <"$KEEL_SRC/examples/services/getty"
vm_service kmod <<'EOF'
description "load network driver"
type wait
exec /sbin/modprobe -a virtio_pci virtio_net
EOF

# --- (2) DHCP, and a script that needs the address and the default route ---
# busybox's default.script may be absent: udhcpc gets a hook of the test's own.
vm_file $T/dhcp-hook 0755 <<'EOF'
#!/bin/sh
# dhcp-hook: udhcpc's script: sets the leased address and default route, logs when.
case $1 in
deconfig)
	ip -4 addr flush dev "$interface"
	ip link set "$interface" up
	;;
bound | renew)
	ip -4 addr flush dev "$interface"
	ip addr add "$ip/${mask:-24}" dev "$interface"
	read -r up _ </proc/uptime
	echo "addr $up $ip" >>/tmp/dhcp.log
	# QEMU's DHCP server leaves the router out when restrict=on: its gateway then.
	gw=${router:-10.0.2.2}
	ip route replace default via "${gw%% *}" dev "$interface"
	read -r up _ </proc/uptime
	echo "route $up $gw" >>/tmp/dhcp.log
	echo "TEST: dhcp $1 $ip gw $gw at $up" >/dev/console
	;;
esac
exit 0
EOF
# Short retry times: the default pause after three unanswered discovers is 20 s.
vm_service udhcpc <<EOF
description "dhcp client"
type respawn
condition iface eth0
condition path /tmp/go-dhcp
exec /bin/sh -c "ip link set eth0 up && exec udhcpc -f -i eth0 -t 10 -T 1 -A 1 -s $T/dhcp-hook"
EOF
vm_file $T/user-script 0755 <<'EOF'
#!/bin/sh
# user-script: records when it ran and the network it found then.
read -r up _ </proc/uptime
{
	echo "ran $up"
	ip -4 addr show dev eth0
	ip -4 route show
} >/tmp/user-script.log 2>&1
echo "TEST: user-script ran $up" >/dev/console
EOF
vm_service user-script <<EOF
description "user script after network"
type once
condition iface eth0 ipv4
condition route default4
exec $T/user-script
EOF

# --- (3) the wz_mini upgrade intercept ---
# Time stamps: the monotonic clock in ns from /proc/timer_list's third line, read with
# the shell's own read (no process started, so the stamp does not add to the latency);
# /proc/uptime (10 ms steps) where that file is missing.
stamp='{ read -r _; read -r _; read -r _ _ ns _; } 2>/dev/null </proc/timer_list ||
	{ read -r up _ </proc/uptime; ns=$(( ${up%.*} * 1000000000 + 1${up#*.}0000000 - 1000000000 )); }'
vm_file $T/intercept 0755 <<EOF
#!/bin/sh
# intercept: moves the vendor's upgrade script away before the vendor runs it; logs when.
$stamp
if mv -f "\$KEEL_TRIGGER_PATH" /tmp/Upgrade/upgraderun.old; then r=renamed; else r=missing; fi
echo "intercept \$ns \$r \$KEEL_TRIGGER_PATH \$KEEL_TRIGGER_EVENT" >>/tmp/intercept.log
echo "TEST: intercept \$r \$KEEL_TRIGGER_PATH \$KEEL_TRIGGER_EVENT" >/dev/console
EOF
vm_service upgrade-intercept <<EOF
description "wz_mini upgrade intercept"
trigger start /tmp/Upgrade/upgraderun.sh created
exec $T/intercept
EOF
vm_file $T/icamera 0755 <<EOF
#!/bin/sh
# icamera: the vendor's side: makes /tmp/Upgrade, writes upgraderun.sh, runs it a moment later.
mkdir -p /tmp/Upgrade
$stamp
printf '#!/bin/sh\necho "TEST: vendor upgrade ran" >/dev/console\n: >/tmp/vendor-upgrade-ran\n' \\
	>/tmp/Upgrade/upgraderun.sh
echo "created \$ns" >>/tmp/icamera.log
chmod 755 /tmp/Upgrade/upgraderun.sh 2>/dev/null
# The vendor's own pause between download and run (what is modelled, not a test wait).
sleep 1
/tmp/Upgrade/upgraderun.sh 2>/dev/null
rc=\$?
echo "attempt \$rc" >>/tmp/icamera.log
echo "TEST: icamera upgrade attempt status \$rc" >/dev/console
EOF
# Started by the test (marker through the console), so the upgrade happens on an idle system.
vm_service icamera <<EOF
description "vendor iCamera"
type once
condition path /tmp/go-icamera
exec $T/icamera
EOF

# --- (4) a marker file switches a service off ---
vm_service debug-off <<EOF
description "runs unless debug mode"
type once
condition !path /etc/debug-mode
exec $T/mark debug-off
EOF

vm_pack
vm_boot

# What a guest command printed, without the console lines of keel and the services.
out_plain() { grep -vE '^(keel: |TEST: |udhcpc)' "$VM_OUT"; }
# cond_value REGEX: true or false, from the keelctl cond line (in $VM_OUT) whose condition matches REGEX.
cond_value() { out_plain | grep -E "^$1 +(true|false)" | awk '{ for (i = 1; i <= NF; i++) if ($i == "true" || $i == "false") { print $i; exit } }'; }
show_out() { vm_note "$1:"; out_plain | sed 's/^/#   /'; }

check "boot: serial console" vm_wait '^keel: \[ OK \] serial console$' 60
check "boot: no error in the service files" eval '! vm_console 0 | grep -qE "^keel: error:"'
check "path: !path /etc/debug-mode service ran" vm_wait '^TEST: mark debug-off' 10
# modprobe has returned only after eth0 was registered, so keel has the link's netlink
# message by then.
check "boot: network driver loaded" vm_wait '^keel: \[ OK \] load network driver$' 30

# --- before the lease: user-script waits and says for what ---
vm_run 'keelctl status user-script' 20
rc=$?
show_out "keelctl status user-script (before the lease, exit $rc)"
if [ $rc -eq 3 ] && out_plain | grep -qE '^user-script +waiting .*waiting for: .*iface eth0 ipv4'; then
	vm_ok "iface: user-script waiting for: iface eth0 ipv4"
else
	vm_not_ok "iface: user-script waiting for: iface eth0 ipv4" "exit $rc"
fi
vm_run 'keelctl cond' 20
rc=$?
show_out "keelctl cond (before the lease, exit $rc)"
check "cond: iface eth0 ipv4 false before the lease" [ "$(cond_value 'iface eth0 ipv4')" = false ]
check "cond: udhcpc's marker path false before it is made" [ "$(cond_value 'path /tmp/go-dhcp')" = false ]
check "cond: iface eth0 (exists) true once the driver is loaded" [ "$(cond_value 'iface eth0( exists)?')" = true ]
check "iface: user-script did not run before the lease" eval '! vm_seen "^TEST: user-script ran"'

# --- the lease: the marker starts udhcpc, the address and route start user-script ---
check "dhcp: marker made" vm_run 'touch /tmp/go-dhcp' 20
check "dhcp: udhcpc bound 10.0.2.15" vm_wait '^TEST: dhcp bound 10\.0\.2\.15 gw 10\.0\.2\.2' 20
check "iface: user-script ran after the lease" vm_wait '^TEST: user-script ran' 15
vm_run 'cat /tmp/dhcp.log /tmp/user-script.log' 20
show_out "dhcp.log, user-script.log"
check "iface: user-script saw 10.0.2.15 on eth0" eval 'out_plain | grep -qE "inet 10\.0\.2\.15/"'
check "route: user-script saw the default route" eval 'out_plain | grep -qE "^default via 10\.0\.2\.2"'
t_route=$(out_plain | awk '$1 == "route" { print $2; exit }')
t_user=$(out_plain | awk '$1 == "ran" { print $2; exit }')
if [ -n "$t_route" ] && [ -n "$t_user" ] && awk -v a="$t_route" -v b="$t_user" 'BEGIN { exit !(a <= b) }'; then
	vm_ok "route: user-script ran after the route was set ($t_route s -> $t_user s uptime)"
else
	vm_not_ok "route: user-script ran after the route was set" "route at '$t_route', user-script at '$t_user'"
fi
vm_run 'keelctl status user-script' 20
rc=$?
check "iface: keelctl status user-script done" eval "[ $rc -eq 0 ] && out_plain | grep -qE '^user-script +done'"

# --- the vendor's upgrade, intercepted ---
check "trigger: /tmp/Upgrade absent before the vendor step" vm_run '! [ -e /tmp/Upgrade ]' 20
check "trigger: vendor step started" vm_run 'touch /tmp/go-icamera' 20
check "trigger: vendor's attempt finished" vm_wait '^TEST: icamera upgrade attempt status' 20
check "trigger: vendor's attempt failed" vm_seen '^TEST: icamera upgrade attempt status [1-9]'
check "trigger: vendor's script never ran" eval '! vm_seen "^TEST: vendor upgrade ran"'
vm_run 'cat /tmp/icamera.log /tmp/intercept.log; ls /tmp/Upgrade; [ ! -e /tmp/vendor-upgrade-ran ] && echo no-vendor-run' 20
show_out "icamera.log, intercept.log, ls /tmp/Upgrade"
check "trigger: intercept renamed upgraderun.sh (created)" \
	eval 'out_plain | grep -qE "^intercept [0-9]+ renamed /tmp/Upgrade/upgraderun\.sh created$"'
check "trigger: intercept ran once for one file" [ "$(out_plain | grep -c '^intercept ')" -eq 1 ]
check "trigger: upgraderun.old left, upgraderun.sh gone" \
	eval 'out_plain | grep -qx upgraderun.old && ! out_plain | grep -qx upgraderun.sh && out_plain | grep -qx no-vendor-run'
t_c=$(out_plain | awk '$1 == "created" { print $2; exit }')
t_i=$(out_plain | awk '$1 == "intercept" { print $2; exit }')
if [ -n "$t_c" ] && [ -n "$t_i" ]; then
	vm_note "latency upgraderun.sh created -> intercept exec: $(((t_i - t_c) / 1000)) us (guest clock, TCG)"
fi
# (its echo "TEST: ..." line is split by vm_console like a console line: look at another)
vm_run 'cat /tmp/Upgrade/upgraderun.old' 20
check "trigger: the moved file holds the vendor's script" eval 'out_plain | grep -q "^: >/tmp/vendor-upgrade-ran$"'

# --- keelctl cond after the lease ---
vm_run 'keelctl cond' 20
rc=$?
show_out "keelctl cond (after the lease, exit $rc)"
check "cond: header" eval 'out_plain | grep -qE "^CONDITION +VALUE +SERVICES"'
check "cond: iface eth0 ipv4 true, used by user-script" eval 'out_plain | grep -qE "^iface eth0 ipv4 +true +.*user-script"'
check "cond: route default4 true, used by user-script" eval 'out_plain | grep -qE "^route default4 +true +.*user-script"'
check "cond: !path /etc/debug-mode true, used by debug-off" eval 'out_plain | grep -qE "^!path /etc/debug-mode +true +.*debug-off"'
check "cond: path /tmp/go-dhcp true, used by udhcpc" eval 'out_plain | grep -qE "^path /tmp/go-dhcp +true +.*udhcpc"'
if vm_run 'keelctl --json cond' 20 && grep -qE '"condition": *"!path /etc/debug-mode", *"value": *true' "$VM_OUT"; then
	vm_ok "cond: --json names !path /etc/debug-mode true"
else
	vm_not_ok "cond: --json names !path /etc/debug-mode true" "$(head -c 400 "$VM_OUT")"
fi
# The marker appears: the negated condition turns false (keel sees it through inotify,
# so the guest polls keelctl cond with a deadline, in a subshell: an exit must not end
# the console's shell).
check "path: marker made, !path /etc/debug-mode turns false" vm_run \
	'touch /etc/debug-mode; (i=0; until keelctl cond | grep -qE "^!path /etc/debug-mode +false"; do i=$((i+1)); [ $i -lt 50 ] || exit 1; sleep 0.1; done)' 20
check "boot: no [FAIL]" eval '! vm_console 0 | grep -qE "^keel: \[FAIL\]"'

# --- (5) poweroff ---
vm_mark
vm_send 'keelctl poweroff'
check "poweroff: QEMU exits" vm_wait_exit 40
check "poweroff: keel powered off" vm_seen '^keel: powering off'
vm_finish
