#!/bin/bash
# test_keel: keel as PID 1 in a PID namespace running the example OpenWrt scripts: boot order, procd instances, respawn, reload, shutdown.
# SPDX-License-Identifier: MIT
#
# The scripts start with "#!/bin/sh /etc/rc.common" and source /lib/functions.sh:
# inside the namespace, overlays put the installed files at those paths (and
# fake daemons in /usr/sbin), so the scripts run unchanged. --net keeps the
# network example's `ip` calls away from the host should the fake be missed.
. "$(dirname "$0")/lib.sh"

KEEL=$KEEL_BUILD/keel
KEELCTL_BIN=$KEEL_BUILD/keelctl
for b in "$KEEL" "$KEELCTL_BIN" "$KEEL_BUILD/uci"; do
	[ -x "$b" ] || { not_ok "$b exists (run make)"; finish; exit 1; }
done

D=$T/root
owrt_root "$D" || { not_ok "install"; finish; exit 1; }
# the scripts must find the library where a device has it: /lib
unset KEEL_LIB_DIR
unset KEELCTL
export OWRT_LOG=$T/log OWRT_OUT=$T/out
: >"$OWRT_LOG"
chmod 666 "$OWRT_LOG"
mkdir -p "$OWRT_OUT" "$KEEL_RUNTIME_DIR"
CONSOLE=$T/console.log
SOCK=$KEEL_SOCKET
I=$D/etc/init.d

cp "$KEEL_SRC"/examples/openwrt/network "$KEEL_SRC"/examples/openwrt/dropbear \
	"$KEEL_SRC"/examples/openwrt/uhttpd "$KEEL_SRC"/examples/openwrt/cron "$I/"
cp "$KEEL_SRC"/examples/openwrt/config/* "$D/etc/config/"

# Scripts of the test itself: they log their boot and stop.
for s in first:10 last:95 early:5; do
	n=${s%:*} q=${s#*:}
	cat >"$I/$n" <<S
#!/bin/sh /etc/rc.common
# $n: logs its boot and stop for the order checks.
START=$q
STOP=$q
boot() { echo "boot $n" >>"\$OWRT_LOG"; }
stop() { echo "stop $n" >>"\$OWRT_LOG"; }
S
done
# A procd instance whose arguments need every kind of quoting.
cat >"$I/quoter" <<'S'
#!/bin/sh /etc/rc.common
# quoter: one instance with hard arguments, a pidfile and an environment.
START=60
USE_PROCD=1
start_service() {
	procd_open_instance
	procd_set_param command /usr/sbin/argdump "two words" 'q"uote' 'back\slash' '50%' '$HOME' "$(printf 'new\nline')" ''
	procd_set_param env GREETING="hello world" LD_PRELOAD=
	procd_set_param pidfile /run/quoter.pid
	procd_set_param respawn 1 1 0
	procd_close_instance
}
S
chmod 755 "$I"/*

# Overlay layers: the installed rc.common and library, fake daemons.
owrt_ovl "$D" || { not_ok "overlay"; finish; exit 1; }
cat >"$D/ovl/sbin/fake-daemon" <<'F'
#!/bin/sh
# fake-daemon: logs its start (pid, arguments) and its TERM, runs until stopped.
n=${0##*/}
echo "$n start $$ $*" >>"$OWRT_LOG"
trap 'echo "$n term $$" >>"$OWRT_LOG"; exit 0' TERM
while :; do sleep 1 & wait $!; done
F
cat >"$D/ovl/sbin/fake-cmd" <<'F'
#!/bin/sh
# fake-cmd: logs a command line (ip, udhcpc) and succeeds.
echo "${0##*/} $*" >>"$OWRT_LOG"
F
cat >"$D/ovl/sbin/argdump" <<'F'
#!/bin/sh
# argdump: records its arguments, environment and pid, then waits.
printf '[%s]' "$@" >"$OWRT_OUT/args"
printf '%s|%s|%s' "$GREETING" "${LD_PRELOAD-unset}" "$$" >"$OWRT_OUT/env"
trap 'exit 0' TERM
while :; do sleep 1 & wait $!; done
F
chmod 755 "$D"/ovl/sbin/*
for n in dropbear uhttpd crond; do ln -s fake-daemon "$D/ovl/sbin/$n"; done
for n in ip udhcpc; do ln -s fake-cmd "$D/ovl/sbin/$n"; done

# Enabling is what a firmware build does: rc.common called by path.
for n in network dropbear uhttpd cron first last quoter early; do
	sh "$D/etc/rc.common" "$I/$n" enable || not_ok "enable $n"
done
check "links in rc.d" [ "$(ls "$RC_D_DIR" | tr '\n' ' ')" = \
	"K10first K50cron K50dropbear K5early K90network K95last S10first S20network S50cron S50dropbear S50uhttpd S5early S60quoter S95last " ]

now_ms() { echo $(($(date +%s%N) / 1000000)); }
wait_until() {
	local end=$(($(now_ms) + $1 * 1000))
	shift
	while ! "$@"; do
		[ "$(now_ms)" -lt "$end" ] || return 1
		sleep 0.05
	done
}
ctl() { timeout 30 "$KEELCTL_BIN" --socket "$SOCK" "$@"; }
log_has() { grep -qE -- "$1" "$OWRT_LOG"; }
log_line() { grep -nE -- "$1" "$OWRT_LOG" | head -n 1 | cut -d: -f1; }
log_order() {
	local a b
	while [ $# -ge 2 ]; do
		a=$(log_line "$1") b=$(log_line "$2")
		[ -n "$a" ] && [ -n "$b" ] && [ "$a" -lt "$b" ] || { echo "# not in order: $1 / $2"; return 1; }
		shift
	done
}
svc_field() {
	ctl --json status "$1" 2>/dev/null | sed -n "s/.*\"$2\":\"\{0,1\}\([^\",]*\).*/\1/p"
}
state_is() { [ "$(svc_field "$1" state)" = "$2" ]; }
KEEL_NS= KEEL_PID1=
in_ns() { nsenter --target "$KEEL_PID1" --pid --mount -- env PATH="$KEEL_BUILD:$PATH" "$@"; }
fail_dump() {
	echo "# console:"
	tail -n 40 "$CONSOLE" | sed 's/^/#   /'
	echo "# log:"
	sed 's/^/#   /' "$OWRT_LOG"
}
kill_ns() {
	[ -n "$KEEL_PID1" ] && kill -9 "$KEEL_PID1" 2>/dev/null
	[ -n "$KEEL_NS" ] && { kill -9 "$KEEL_NS" 2>/dev/null; wait "$KEEL_NS" 2>/dev/null; }
	KEEL_NS= KEEL_PID1=
}
trap 'kill_ns; _lib_cleanup' EXIT

# PID 1 of the namespace mounts the overlays and a fresh /run, then becomes keel.
env -i PATH="$KEEL_BUILD:/usr/sbin:/usr/bin:/sbin:/bin" OWRT_LOG="$OWRT_LOG" OWRT_OUT="$OWRT_OUT" \
	UCI_CONFIG_DIR="$UCI_CONFIG_DIR" UCI_SAVE_DIR="$UCI_SAVE_DIR" UCI_STATE_DIR="$UCI_STATE_DIR" \
	RC_D_DIR="$RC_D_DIR" INIT_D_DIR="$INIT_D_DIR" KEEL_RUNTIME_DIR="$KEEL_RUNTIME_DIR" KEEL_SOCKET="$SOCK" \
	${ASAN_OPTIONS:+"ASAN_OPTIONS=$ASAN_OPTIONS"} \
	unshare --pid --fork --mount --mount-proc --net sh -c '
		set -e
		mount -t overlay owrt-etc -o lowerdir="$0/ovl/etc:/etc" /etc
		mount -t overlay owrt-lib -o lowerdir="$0/ovl/lib:/lib" /lib
		mount -t overlay owrt-sbin -o lowerdir="$0/ovl/sbin:/usr/sbin" /usr/sbin
		mount -t overlay owrt-share -o lowerdir="$0/ovl/share:/usr/share" /usr/share
		mount -t tmpfs tmpfs /run
		exec "$1" --service-dir "$0/etc/init.d" --runtime-dir "$KEEL_RUNTIME_DIR" --socket "$KEEL_SOCKET" --cmdline ""
	' "$D" "$KEEL" >"$CONSOLE" 2>&1 </dev/null &
KEEL_NS=$!
find_pid1() { KEEL_PID1=$(pgrep -P "$KEEL_NS" | head -n 1); [ -n "$KEEL_PID1" ]; }
if ! wait_until 20 find_pid1 || ! wait_until 20 eval "ctl list >/dev/null 2>&1"; then
	not_ok "keel starts and answers"
	fail_dump
	finish
	exit 1
fi
ok "keel starts and answers"

# ---- boot ----
check "boot reaches S95last" wait_until 30 log_has "^boot last"
check "boot order follows START (S10first, S20network, S95last)" \
	log_order "^boot first" "^ip link set dev lo up" "^ip addr replace 192.168.1.1/24 dev br-lan" "^boot last"
check "network: the disabled wan was not brought up" eval '! log_has "eth1"'
check "network: runtime state through uci_toggle_state" \
	[ "$("$UCI_BIN" -c "$UCI_CONFIG_DIR" -t "$UCI_SAVE_DIR" -P "$UCI_STATE_DIR" get network.lan.up)" = 1 ]
for s in dropbear.instance1 uhttpd.main cron.instance1 quoter.instance1; do
	check "$s runs under keel" wait_until 20 state_is "$s" running
done
check "dropbear: the disabled section has no instance" [ ! -e "$KEEL_RUNTIME_DIR/dropbear.instance2" ]
check "dropbear: started with the configured port" log_has "^dropbear start [0-9]+ -F -P /var/run/dropbear.1.pid -p 22$"
check "cron: env from the config" grep -q '^env "TZ=CET-1CEST,M3.5.0,M10.5.0/3"$' "$KEEL_RUNTIME_DIR/cron.instance1"
check "quoter: arguments arrive exactly" wait_until 10 eval \
	'[ "$(cat "$OWRT_OUT/args" 2>/dev/null)" = "[two words][q\"uote][back\\slash][50%][\$HOME][new
line][]" ]'
qpid=$(cut -d'|' -f3 "$OWRT_OUT/env" 2>/dev/null)
eq "quoter: env as declared (empty LD_PRELOAD kept)" "$(cut -d'|' -f1,2 "$OWRT_OUT/env" 2>/dev/null)" "hello world|"
eq "quoter: pidfile holds the service's pid" "$(in_ns cat /run/quoter.pid 2>/dev/null)" "$qpid"
eq "status through rc.common" "$(in_ns "$I/dropbear" status)" running
check "running through rc.common" in_ns "$I/uhttpd" running

# ---- respawn ----
pid=$(svc_field dropbear.instance1 pid)
in_ns kill -9 "$pid"
new_pid() { p=$(svc_field dropbear.instance1 pid); state_is dropbear.instance1 running && [ -n "$p" ] && [ "$p" != 0 ] && [ "$p" != "$pid" ]; }
check "dropbear killed: keel respawns it with a new pid" wait_until 20 new_pid
check "the new dropbear logged its start" eval '[ "$(grep -c "^dropbear start" "$OWRT_LOG")" -ge 2 ]'

# ---- reload ----
dpid=$(svc_field dropbear.instance1 pid)
upid=$(svc_field uhttpd.main pid)
"$UCI_BIN" -c "$UCI_CONFIG_DIR" -t "$UCI_SAVE_DIR" set uhttpd.main.home=/srv/www
"$UCI_BIN" -c "$UCI_CONFIG_DIR" -t "$UCI_SAVE_DIR" commit uhttpd
check "uhttpd reload succeeds" in_ns "$I/uhttpd" reload
restarted() { p=$(svc_field uhttpd.main pid); state_is uhttpd.main running && [ -n "$p" ] && [ "$p" != "$upid" ]; }
check "reload: uhttpd restarted" wait_until 20 restarted
check "reload: with the new argument" wait_until 10 log_has "^uhttpd start [0-9]+ -f -h /srv/www "
in_ns "$I/dropbear" reload
eq "reload without change: dropbear keeps its pid" "$(svc_field dropbear.instance1 pid)" "$dpid"

# ---- stop / start ----
in_ns "$I/cron" stop
check "stop: the instance leaves keel" wait_until 20 eval '! ctl list | grep -qx cron.instance1'
out=$(in_ns "$I/cron" status)
eq "status after stop" "$out" inactive
in_ns "$I/cron" start
check "start: the instance is back" wait_until 20 state_is cron.instance1 running

# ---- shutdown ----
ctl poweroff >/dev/null
gone() { ! kill -0 "$KEEL_NS" 2>/dev/null; }
if wait_until 60 gone; then
	ok "poweroff ends the namespace"
	wait "$KEEL_NS" 2>/dev/null
	KEEL_NS= KEEL_PID1=
else
	not_ok "poweroff ends the namespace"
	kill_ns
fi
check "shutdown runs K## stops in order (K10first, K90network, K95last)" \
	log_order "^stop first" "^ip link set dev br-lan down" "^stop last"
# START=5 gives S5early as on OpenWrt: keel runs it in the glob's order (after S50, before S60)
check "S5early (one digit) runs, in name order" log_order "^boot first" "^boot early" "^boot last"
check "K5early (one digit) runs at shutdown, in name order" log_order "^stop first" "^stop early" "^stop last"
check "daemons got TERM" eval 'log_has "^uhttpd term" && log_has "^dropbear term"'
check "no script failed" eval '! grep -E "\[FAIL\]|error" "$CONSOLE"'

[ "$FAIL" -eq 0 ] || fail_dump
finish
