#!/bin/bash
# test_ubusd: keel-ubusd through its socket, with a ubus client written from the protocol (ubus_client.py): HELLO, LOOKUP, service list and system board answered by the ubus shim, client objects, events, garbage, network.interface.NAME following UCI's network file, the install paths following SHARE_DIR.
# SPDX-License-Identifier: MIT
#
# keel-ubusd runs as a plain process of the test; the shim it runs answers
# from a fake keelctl (every instance running, pid 4242), as test_scripts does.
. "$(dirname "$0")/lib.sh"

UBUSD=$KEEL_BUILD/keel-ubusd
[ -x "$UBUSD" ] || { not_ok "$UBUSD exists (run make)"; finish; exit 1; }
command -v python3 >/dev/null || { not_ok "python3 is installed"; finish; exit 1; }

D=$T/root
owrt_root "$D" || { not_ok "install"; finish; exit 1; }
RT=$KEEL_RUNTIME_DIR
mkdir -p "$RT" "$T/bin"
export UBUS_EVENTS=$T/ubus.events
export KEELCTL=$T/bin/keelctl
cat >"$KEELCTL" <<FAKE
#!/bin/sh
[ "\$1" = --socket ] && shift 2
one() { printf '{"name":"%s","state":"running","pid":4242}' "\$1"; }
case \$1 in
--json)
	if [ -n "\$3" ]; then printf '{"services":[%s]}\n' "\$(one "\$3")"; exit 0; fi
	sep= ; printf '{"services":['
	for f in "$RT"/*; do [ -f "\$f" ] || continue; printf '%s' "\$sep"; one "\${f##*/}"; sep=,; done
	printf ']}\n' ;;
esac
exit 0
FAKE
printf '#!/bin/sh\necho "$1" >>"%s/fired"\n' "$T" >"$T/bin/fire"
chmod 755 "$T"/bin/*

# a procd-style script with one instance and a raw trigger
cat >"$D/etc/init.d/demo" <<S
#!/bin/sh /etc/rc.common
USE_PROCD=1
start_service() {
	procd_open_instance
	procd_set_param command /usr/sbin/demod -f "two words"
	procd_set_param respawn
	procd_close_instance
}
service_triggers() {
	procd_add_raw_trigger custom.go 1000 $T/bin/fire custom.go
}
S
chmod 755 "$D/etc/init.d/demo"
printf "config interface 'loopback'\n\toption device 'lo'\n\nconfig interface 'lan'\n\toption device 'br-lan'\n" \
	>"$UCI_CONFIG_DIR/network"
sh "$D/etc/rc.common" "$D/etc/init.d/demo" start 2>"$T/start.err" || not_ok "demo start" "$(cat "$T/start.err")"

SOCK=$T/ubus/ubus.sock
# wait_grep TEXT FILE: TEXT shows up in FILE within 5 s
wait_grep() {
	for _i in $(seq 50); do grep -q "$1" "$2" 2>/dev/null && return 0; sleep 0.1; done
	return 1
}
"$UBUSD" -s "$SOCK" -L "$T/ubus.sock" -u "$D/bin/ubus" -t 10 -r 3 3>"$T/ready" 2>"$T/ubusd.err" &
UPID=$!
for _i in $(seq 50); do [ -s "$T/ready" ] && break; sleep 0.1; done
check "ready fd: a newline once listening" [ -S "$SOCK" ] && [ -s "$T/ready" ]
check "the socket is 0660 (no ACLs: root and its group)" [ "$(stat -c %a "$SOCK")" = 660 ]
check "-L: the compat link" [ "$(readlink "$T/ubus.sock")" = "$SOCK" ]

python3 "$KEEL_SRC/tests/openwrt/ubus_client.py" "$T/ubus.sock" "$T" >"$T/client.out" 2>&1
rc=$?
cat "$T/client.out"
PASS=$((PASS + $(grep -c '^ok ' "$T/client.out")))
FAIL=$((FAIL + $(grep -c '^not ok ' "$T/client.out")))
[ "$rc" -eq 0 ] || grep -q '^not ok ' "$T/client.out" || not_ok "the client ran to the end" "$(tail -5 "$T/client.out")"

check "keel-ubusd is still running" kill -0 "$UPID"

# the ubus command reaches the socket's clients: calls, list, events
export UBUS_SOCKET=$SOCK
U=$D/bin/ubus
$U -t 10 wait_for test.shim &
WAITER=$!
sleep 0.3
python3 "$KEEL_SRC/tests/openwrt/ubus_client.py" "$SOCK" "$T" serve >"$T/serve.out" 2>&1 &
SERVE=$!
for _i in $(seq 50); do [ -s "$T/serve.ready" ] && break; sleep 0.1; done
eq "a client serves test.shim and listens to shim.*" "$(cat "$T/serve.ready" 2>/dev/null)" "0 0 0"
wait "$WAITER"
eq "ubus wait_for: waits for a client's object to come" "$?" 0
$U -t 1 wait_for test.never 2>/dev/null
eq "ubus wait_for: an object that does not come: exit 7 after -t" "$?" 7
eq "ubus call on a client's object, through keel-ubusd" "$($U -S call test.shim echo '{ "a": 5 }')" '{"got":{"a":5}}'
$U call test.shim nosuch 2>"$T/u.err"
eq "... its status as the exit code and ubus's message" "$?:$(cat "$T/u.err")" "3:Command failed: Method not found"
check "ubus list: the client's object among the built-in ones" eval '$U list | grep -qx test.shim && $U list | grep -qx service'
eq "ubus -v list: the client's signature" "$($U -v list test.shim | sed 1d)" '	"echo":{"a":"Integer"}'
eq "ubus call service list still answered by the command itself" \
	"$($U call service list | jsonfilter -e '@.demo.instances.instance1.running')" true
$U send shim.hello '{ "x": 2 }'
for _i in $(seq 50); do grep -q shim.hello "$T/serve.events" 2>/dev/null && break; sleep 0.1; done
eq "ubus send reaches the socket's listeners" "$(cat "$T/serve.events" 2>/dev/null)" "shim.hello [('x', 2)]"
check "... and still the events file (the triggers ran)" wait_grep '"shim.hello"' "$T/ubus.events"
kill "$SERVE" 2>/dev/null
wait "$SERVE" 2>/dev/null
unset UBUS_SOCKET

# a shim that never answers: the call times out, its process group is killed
printf '#!/bin/sh\nsleep 30 &\necho $! >"%s/sleep.pid"\nwait\n' "$T" >"$T/bin/stuck"
chmod 755 "$T/bin/stuck"
"$UBUSD" -s "$T/slow.sock" -u "$T/bin/stuck" -t 1 2>>"$T/ubusd.err" &
SPID=$!
for _i in $(seq 50); do [ -S "$T/slow.sock" ] && break; sleep 0.1; done
python3 "$KEEL_SRC/tests/openwrt/ubus_client.py" "$T/slow.sock" timeout >"$T/client2.out" 2>&1
cat "$T/client2.out"
PASS=$((PASS + $(grep -c '^ok ' "$T/client2.out")))
FAIL=$((FAIL + $(grep -c '^not ok ' "$T/client2.out")))
sleep 0.3
# alive PID: exists and is no zombie
alive() { [ -e "/proc/$1" ] && ! grep -q '^[0-9]* ([^)]*) Z' "/proc/$1/stat" 2>/dev/null; }
check "... and the stuck shim's own child was killed with it" eval '[ -s "$T/sleep.pid" ] && ! alive "$(cat "$T/sleep.pid")"'
kill "$SPID"
wait "$SPID"

# a firmware built with other paths (make install passes SHARE_DIR, SERVICE_DIR, SBINDIR):
# the service file, its link and its exec follow them, as the preinit services do
P=$T/paths
mkdir -p "$P/usr/sbin"
cp "$UBUSD" "$P/usr/sbin/keel-ubusd"
SHARE_DIR=/lib/keel/share SERVICE_DIR=/etc/keel/enabled SBINDIR=/usr/sbin \
	sh "$KEEL_SRC/openwrt/install.sh" "$P" 2>"$T/paths.err" || not_ok "install.sh with other paths" "$(cat "$T/paths.err")"
eq "SHARE_DIR: ubusd's service file is installed there" "$(ls "$P/lib/keel/share" 2>&1)" ubusd
eq "SERVICE_DIR: the link enabling it is there, to SHARE_DIR's file" \
	"$(readlink "$P/etc/keel/enabled/ubusd")" /lib/keel/share/ubusd
eq "SBINDIR: the service runs keel-ubusd from there" "$(grep '^exec' "$P/lib/keel/share/ubusd" 2>&1)" \
	"exec /usr/sbin/keel-ubusd -r 3 -L /var/run/ubus.sock"
check "... and nothing in /usr/share/init" [ ! -e "$P/usr/share/init/ubusd" ] && [ ! -e "$P/etc/init.d/ubusd" ]
eq "the defaults: /usr/share/init/ubusd, enabled in /etc/init.d when /sbin/keel-ubusd is there" \
	"$(readlink "$D/etc/init.d/ubusd" 2>&1):$(grep '^exec' "$D/usr/share/init/ubusd")" \
	":exec /sbin/keel-ubusd -r 3 -L /var/run/ubus.sock"
kill "$UPID"
wait "$UPID"
eq "SIGTERM: exit 0" "$?" 0
check "... and the socket is removed" [ ! -e "$SOCK" ]
[ "$FAIL" -eq 0 ] || sed 's/^/# ubusd: /' "$T/ubusd.err"
finish
