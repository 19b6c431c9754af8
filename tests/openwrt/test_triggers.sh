#!/bin/bash
# test_triggers: procd triggers on keel: the helper files rc.common writes, reload_config, and keel as PID 1 reloading daemons on uci commit, reload_config, interface up and mounts.
# SPDX-License-Identifier: MIT
#
# Part 1 runs rc.common and reload_config against a keelctl that records its
# calls. Part 2 runs keel as PID 1 in PID, mount and network namespaces (as
# test_keel does): overlays put rc.common and the library at /etc and /lib and
# fake daemons in /usr/sbin, which log each start and each signal.
. "$(dirname "$0")/lib.sh"

KEEL=$KEEL_BUILD/keel
KEELCTL_BIN=$KEEL_BUILD/keelctl
for b in "$KEEL" "$KEELCTL_BIN" "$KEEL_BUILD/uci"; do
	[ -x "$b" ] || { not_ok "$b exists (run make)"; finish; exit 1; }
done

D=$T/root
owrt_root "$D" || { not_ok "install"; finish; exit 1; }
check "install.sh installs reload_config as a command" [ -x "$D/sbin/reload_config" ]
unset KEEL_LIB_DIR
export OWRT_LOG=$T/log
: >"$OWRT_LOG"
chmod 666 "$OWRT_LOG"
I=$D/etc/init.d
RT=$KEEL_RUNTIME_DIR
CFG=$UCI_CONFIG_DIR
mkdir -p "$RT"
uci() { "$UCI_BIN" -c "$CFG" -t "$UCI_SAVE_DIR" "$@"; }

# script NAME <<EOF: an init script (rc.common header added).
script() {
	{ echo '#!/bin/sh /etc/rc.common'; cat; } >"$I/$1"
	chmod 755 "$I/$1"
}

# foo: arguments from its config, reloaded (so restarted) when the config changes.
script foo <<'S'
START=50
STOP=50
USE_PROCD=1
start_service() {
	local x
	config_load foo
	config_get x main x 1
	echo "foo start_service $x" >>"$OWRT_LOG"
	procd_open_instance
	procd_set_param command /usr/sbin/food -x "$x"
	procd_set_param respawn
	procd_close_instance
}
service_triggers() {
	procd_add_reload_trigger foo
}
S
# bar: reload_signal: a changed config file means a HUP, not a restart.
script bar <<'S'
START=50
STOP=50
USE_PROCD=1
start_service() {
	echo "bar start_service" >>"$OWRT_LOG"
	procd_open_instance
	procd_set_param command /usr/sbin/bard
	procd_set_param respawn
	procd_set_param file /etc/config/bar
	procd_set_param reload_signal HUP
	procd_set_param stderr 1
	procd_close_instance
}
service_triggers() {
	procd_open_trigger
	procd_add_config_trigger "config.change" "bar" /etc/init.d/bar reload
	procd_close_trigger
}
S
# ift: reloaded each time the interface lo comes up (down in a new network namespace).
script ift <<'S'
START=60
STOP=40
USE_PROCD=1
start_service() {
	echo "ift start_service" >>"$OWRT_LOG"
	procd_open_instance
	procd_set_param command /usr/sbin/iftd
	procd_close_instance
}
service_triggers() {
	procd_add_reload_interface_trigger lo
}
S
# mnt, mnt2: reloaded when the fstab mount holding their data is mounted
mkdir -p "$T/mnt/data" "$T/mnt/other"
for n in mnt:data/db mnt2:other; do
	script "${n%%:*}" <<S
START=70
USE_PROCD=1
start_service() {
	echo "${n%%:*} start_service" >>"\$OWRT_LOG"
	procd_open_instance
	procd_set_param command /usr/sbin/${n%%:*}d
	procd_close_instance
}
service_triggers() {
	procd_add_reload_mount_trigger $T/mnt/${n#*:}
}
S
done
printf "config mount\n\toption target '%s'\nconfig mount\n\toption target '%s/'\n" \
	"$T/mnt/data" "$T/mnt/other" >"$CFG/fstab"
printf "config foo 'main'\n\toption x '1'\n" >"$CFG/foo"
printf "config bar 'main'\n\toption y '1'\n" >"$CFG/bar"
printf "config baz 'main'\n" >"$CFG/baz"

# ---- part 1: the files rc.common writes ----
export KEELCTL=$T/keelctl
cat >"$KEELCTL" <<FAKE
#!/bin/sh
echo "\$*" >>"$T/ctl.log"
case "\$*" in
*" status "*..*) exit 3 ;;
*"--json status "*) echo '{"services":[{"name":"x","state":"running","pid":77}]}' ;;
esac
exit 0
FAKE
chmod 755 "$KEELCTL"
: >"$T/ctl.log"
for s in foo bar ift; do
	sh "$D/etc/rc.common" "$I/$s" start 2>>"$T/err" || not_ok "$s start"
done
eq "helpers beside the instances" "$(LC_ALL=C ls "$RT" | tr '\n' ' ')" \
	"bar..config bar.instance1 foo..config foo.instance1 ift..iface-lo ift.instance1 "
h=$RT/foo..config
eq "reload trigger: an event-started helper on the config file" \
	"$(grep -E '^(type|trigger|exec|env) ' "$h" | tr '\n' ';')" \
	"type once;env \"KEEL_PROCD_TRIGGER=foo\";trigger start \"$CFG/foo\" created changed removed;exec \"$I/foo\" \"reload\";"
check "the helper is marked, not an instance" grep -qx '# procd triggers of foo, written by /etc/rc.common' "$h"
eq "config trigger: its own command" "$(grep '^exec ' "$RT/bar..config")" 'exec "/etc/init.d/bar" "reload"'
eq "reload_signal: reload line" "$(grep '^reload ' "$RT/bar.instance1")" "reload signal HUP"
eq "stderr 1: the output goes to keel's log" "$(grep '^log ' "$RT/bar.instance1")" "log ring"
eq "no stdout/stderr: /dev/null, as with procd" "$(grep '^log ' "$RT/foo.instance1")" "log null"
check "reload_signal: the file sum is a comment, not in the description" \
	eval 'grep -q "^# files [0-9a-f]" "$RT/bar.instance1" && ! grep -q "(config" "$RT/bar.instance1"'
eq "interface trigger: waits for the device, restarts when it goes" \
	"$(grep -E '^(type|condition|condition-lost|exec) ' "$RT/ift..iface-lo" | tr '\n' ';')" \
	"type respawn;condition iface \"lo\" up;condition-lost restart;exec \"/bin/sh\" \"-c\" \"\\\"\$@\\\"; exec sleep 2147483647\" \"ift\" \"$I/ift\" \"reload\";"
eq "triggers still recorded" "$(cat "$RT/.foo.triggers")" "config foo"
mkdir -p "$T/chk"
cp "$RT"/* "$T/chk/"
check "keel check accepts instances and helpers" "$KEEL" check -q "$T/chk"
out=$(sh "$D/etc/rc.common" "$I/foo" status 2>/dev/null)
eq "status counts instances only" "$out:$?" "running:0"

# a changed file: bar's instance is signalled through keel, not rewritten into a restart
: >"$T/ctl.log"
printf "config bar 'main'\n\toption y '0'\n" >"$CFG/bar"
sh "$D/etc/rc.common" "$I/bar" reload
eq "reload_signal: reload, then keelctl reload of the instance" "$(tr '\n' ';' <"$T/ctl.log")" \
	"--socket $KEEL_SOCKET reload;--socket $KEEL_SOCKET reload bar.instance1;"
: >"$T/ctl.log"
sh "$D/etc/rc.common" "$I/bar" reload
eq "reload_signal: nothing changed, no signal" "$(tr '\n' ';' <"$T/ctl.log")" "--socket $KEEL_SOCKET reload;"
: >"$T/ctl.log"
ln -s "$I/bar" "$T/bar-link"
sh "$D/etc/rc.common" "$T/bar-link" reload
eq "reload_signal: called by another path, still no signal" "$(tr '\n' ';' <"$T/ctl.log")" "--socket $KEEL_SOCKET reload;"

# dropping a trigger drops its helper; stop removes them all
sed -i 's/procd_add_reload_trigger foo/:/' "$I/foo"
sh "$D/etc/rc.common" "$I/foo" start
check "a trigger no longer declared loses its helper" [ ! -e "$RT/foo..config" ]
sh "$D/etc/rc.common" "$I/ift" stop
check "stop removes the helpers" [ ! -e "$RT/ift..iface-lo" ] && [ ! -e "$RT/ift.instance1" ]
KEEL_PROCD_TRIGGER=bar sh "$D/etc/rc.common" "$I/bar" stop
check "stop run by its own helper keeps the helper" [ -e "$RT/bar..config" ] && [ ! -e "$RT/bar.instance1" ]
sh "$D/etc/rc.common" "$I/bar" stop
sed -i 's/^\t:$/\tprocd_add_reload_trigger foo/' "$I/foo"
sh "$D/etc/rc.common" "$I/foo" stop
check "the runtime dir is empty again" [ -z "$(ls -A "$RT")" ]

# a mount trigger: an event-started helper on the mount point
sh "$D/etc/rc.common" "$I/mnt" start 2>>"$T/err" || not_ok "mnt start"
eq "mount trigger: a helper started when the fstab target is mounted" \
	"$(grep -E '^(type|trigger|exec|env) ' "$RT/mnt..mount" 2>/dev/null | tr '\n' ';')" \
	"type once;env \"KEEL_PROCD_TRIGGER=mnt\";trigger start \"$T/mnt/data\" mounted;exec \"$I/mnt\" \"reload\";"
check "mount trigger: still a rule for ubus send mount.add" grep -q "^mount.add.target.$T/mnt/data." "$RT/.mnt.events"
mkdir -p "$T/chk2"
cp "$RT/mnt..mount" "$T/chk2/"
check "keel check accepts the mount helper" "$KEEL" check -q "$T/chk2"
sh "$D/etc/rc.common" "$I/mnt" stop
check "stop removes the mount helper" [ -z "$(ls -A "$RT")" ]

# reload_config against the recording keelctl
mkdir -p "$T/svc"
printf 'type respawn\ntrigger reload %s/baz\nexec /usr/sbin/bazd\n' "$CFG" >"$T/svc/bazd"
printf 'type respawn\ntrigger restart %s/ created\nexec /usr/sbin/newd\n' "$CFG" >"$T/svc/newd"
printf 'type once\ntrigger start "%s/bar" created changed removed\nexec /bin/true\n' "$CFG" >"$RT/bar..config"
rcfg() {
	: >"$T/ctl.log"
	KEEL_SERVICE_DIR=$T/svc KEEL_CONFIG_SUMS=$T/sums "$D/sbin/reload_config"
	tr '\n' ';' <"$T/ctl.log" | sed "s|--socket $KEEL_SOCKET ||g"
}
eq "reload_config: the first call records the configs only, as OpenWrt's" "$(rcfg)" ""
eq "reload_config: nothing changed, nothing done" "$(rcfg)" ""
uci set baz.main.z=1
uci commit baz
eq "reload_config: after uci commit baz, only baz's service" "$(rcfg)" "reload bazd;"
printf "config new 'x'\n" >"$CFG/new"
eq "reload_config: a new config counts as created" "$(rcfg)" "restart newd;"
rm -f "$CFG/new" "$RT/bar..config"
eq "reload_config: a removed config, no trigger on removal" "$(rcfg)" ""

# ---- part 2: keel as PID 1 ----
printf "config bar 'main'\n\toption y '1'\n" >"$CFG/bar"
unset KEELCTL
CONSOLE=$T/console.log
SOCK=$KEEL_SOCKET
owrt_ovl "$D" || { not_ok "overlay"; finish; exit 1; }
mkdir -p "$D/ovl/etc/init.d"
cp "$I/bar" "$D/ovl/etc/init.d/" # its trigger names /etc/init.d/bar
cat >"$D/ovl/sbin/fake-daemon" <<'F'
#!/bin/sh
# fake-daemon: logs its start, each HUP and its TERM; runs until stopped.
n=${0##*/}
echo "$n start $$ $*" >>"$OWRT_LOG"
trap 'echo "$n hup $$" >>"$OWRT_LOG"' HUP
trap 'echo "$n term $$" >>"$OWRT_LOG"; exit 0' TERM
while :; do sleep 1 & wait $!; done
F
chmod 755 "$D/ovl/sbin/fake-daemon"
for n in food bard iftd bazd mntd mnt2d; do ln -s fake-daemon "$D/ovl/sbin/$n"; done
# a native service (no rc.common) reloaded by keel's own trigger
printf '# bazd: reloaded on a change of the baz config.\ntype respawn\ntrigger reload %s/baz\nexec /usr/sbin/bazd\n' "$CFG" >"$I/bazd"
for n in foo bar ift mnt mnt2; do
	sh "$D/etc/rc.common" "$I/$n" enable || not_ok "enable $n"
done

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
count() { grep -cE -- "$1" "$OWRT_LOG"; }
hups() { grep -c "^$1 hup $2\$" "$OWRT_LOG"; }
svc_field() {
	ctl --json status "$1" 2>/dev/null | sed -n "s/.*\"$2\":\"\{0,1\}\([^\",]*\).*/\1/p"
}
state_is() { [ "$(svc_field "$1" state)" = "$2" ]; }
KEEL_NS= KEEL_PID1=
in_ns() { nsenter --target "$KEEL_PID1" --pid --mount --net -- env PATH="$KEEL_BUILD:$PATH" "$@"; }
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

: >"$OWRT_LOG"
env -i PATH="$KEEL_BUILD:/usr/sbin:/usr/bin:/sbin:/bin" OWRT_LOG="$OWRT_LOG" \
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

for s in foo.instance1 bar.instance1 ift.instance1 bazd; do
	check "$s runs" wait_until 20 state_is "$s" running
done
check "the config helpers wait for events" eval 'state_is foo..config waiting || ! state_is foo..config running'
check "the interface helper waits for lo" wait_until 10 state_is ift..iface-lo waiting

# uci commit foo: the helper runs /etc/init.d/foo reload, the new argument restarts food
fpid=$(svc_field foo.instance1 pid)
uci set foo.main.x=2
uci commit foo
check "uci commit foo: food restarted with the new argument" wait_until 20 eval 'count "^food start [0-9]+ -x 2$" >/dev/null'
check "... by a new process" wait_until 10 eval '[ "$(svc_field foo.instance1 pid)" != "$fpid" ] && state_is foo.instance1 running'

# uci commit bar: reload_signal, the same process gets HUP
bpid=$(svc_field bar.instance1 pid)
uci set bar.main.y=2
uci commit bar
check "uci commit bar: bard gets HUP" wait_until 20 eval '[ "$(hups bard "$bpid")" -ge 1 ]'
eq "... and keeps running: one start only" "$(count '^bard start')" 1
ctl reload bar.instance1 >/dev/null
check "keelctl reload bar.instance1: one more HUP" wait_until 20 eval '[ "$(hups bard "$bpid")" -ge 2 ]'

# the native service: keel's trigger on a uci commit
zpid=$(svc_field bazd pid)
uci set baz.main.z=2
uci commit baz
check "uci commit baz: bazd (native, trigger reload) gets HUP" wait_until 20 eval '[ "$(hups bazd "$zpid")" -ge 1 ]'

# reload_config: configs whose sums differ from the kept ones (changed while
# nobody watched) are acted on
n_foo=$(count '^foo start_service')
n_baz=$(hups bazd "$zpid")
printf 'foo\t0\nbaz\t0\n' >"$T/sums2"
KEEL_SERVICE_DIR=$I KEEL_CONFIG_SUMS=$T/sums2 KEELCTL=$KEELCTL_BIN "$D/sbin/reload_config"
eq "reload_config exits 0" "$?" 0
check "reload_config: foo's script reloaded" wait_until 20 eval '[ "$(count "^foo start_service")" -gt "$n_foo" ]'
check "reload_config: bazd reloaded" wait_until 20 eval '[ "$(hups bazd "$zpid")" -gt "$n_baz" ]'

# interface up: the helper runs /etc/init.d/ift reload
n_ift=$(count '^ift start_service')
in_ns ip link set lo up
check "lo up: ift's script reloaded" wait_until 20 eval '[ "$(count "^ift start_service")" -gt "$n_ift" ]'
check "the interface helper stays up while lo is" wait_until 10 state_is ift..iface-lo running
in_ns ip link set lo down
check "lo down: the helper waits again" wait_until 20 state_is ift..iface-lo waiting
n_ift=$(count '^ift start_service')
in_ns ip link set lo up
check "lo up again: reloaded again" wait_until 20 eval '[ "$(count "^ift start_service")" -gt "$n_ift" ]'

# mount triggers: mounting the fstab target reloads exactly the service naming it
check "the mount helpers wait for their mount points" \
	eval 'wait_until 20 state_is mnt.instance1 running && ! state_is mnt..mount running'
n_mnt=$(count '^mnt start_service')
n_mnt2=$(count '^mnt2 start_service')
in_ns mount -t tmpfs data "$T/mnt/data"
check "$T/mnt/data mounted: mnt's script reloaded" wait_until 20 eval '[ "$(count "^mnt start_service")" -gt "$n_mnt" ]'
sleep 0.5
eq "... and not mnt2's" "$(count '^mnt2 start_service')" "$n_mnt2"
in_ns mount -t tmpfs other "$T/mnt/other"
check "$T/mnt/other mounted: mnt2's script reloaded" wait_until 20 eval '[ "$(count "^mnt2 start_service")" -gt "$n_mnt2" ]'

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
check "no error on the console" eval '! grep -E "\[FAIL\]|error" "$CONSOLE"'

[ "$FAIL" -eq 0 ] || fail_dump
finish
