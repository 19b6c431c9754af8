# test_notify: `ready notify` and `watchdog` with real sd_notify clients (libsystemd, systemd-notify); outsiders, garbage and floods are ignored.
# SPDX-License-Identifier: MIT
. "$(dirname "$0")/lib.sh"

sys_new notify
NSOCK=$SYS/notify

# The client is Debian's libsystemd (sd_notify, sd_watchdog_enabled), not
# code of ours: what keel must understand is what real daemons send.
NC=$SYS/notify_client
if ! cc -O2 -Wall -o "$NC" "$KEEL_SRC/tests/integ/notify_client.c" -lsystemd 2>"$OUT/cc.txt"; then
	not_ok "notify client builds (needs libsystemd-dev)" "$(head -n 5 "$OUT/cc.txt")"
	finish
	exit 1
fi
chmod 755 "$NC"
C="$NC log $LOG"

SDN=$(command -v systemd-notify || true)
[ -n "$SDN" ] || note "skip: systemd-notify not installed (package systemd): its checks are left out"

# ns_kill SIG PID / ns_alive PID: PID as keel's namespace numbers it.
ns_kill() { nsenter -t "$KEEL_PID1" -p -m kill -s "$1" "$2"; }
ns_alive() { nsenter -t "$KEEL_PID1" -p -m kill -0 "$1" 2>/dev/null; }
# A zombie still answers kill -0: gone means keel has reaped it.
ns_gone() { ! ns_alive "$1"; }
# The number recorded on the first log line starting with WORDS.
log_word() { grep -- "^$1 " "$LOG" | head -n 1 | awk '{print $(NF-1)}'; }
status_is() { [ "$(svc_field "$1" status 2>/dev/null)" = "$2" ]; }
pid_is() { [ "$(svc_field "$1" pid 2>/dev/null)" = "$2" ]; }
starts() { log_count "start $1"; }

# ---- gating, STATUS= ----
svc gate <<EOF
ready notify
exec $C rec "start gate" status "warming up" wait $OUT/go.gate rec "ready gate" ready status "serving 42 clients" pause
EOF
svc after_gate <<EOF
after gate
exec $BIN/job after_gate
EOF
svc req_gate <<EOF
requires gate
exec $BIN/job req_gate
EOF

# ---- systemd-notify, from a child of the service's shell ----
if [ -n "$SDN" ]; then
	cat >"$BIN/sysd" <<EOF
#!/bin/sh
# sysd: readiness through systemd-notify; its BARRIER=1 waits until keel drops the fd it sends.
"$BIN/rec" start sysd
timeout 10 $SDN --status="told by systemd-notify"
"$BIN/rec" status-rc sysd \$?
while [ ! -e "$OUT/go.sysd" ]; do sleep 0.05; done
"$BIN/rec" loop-begin sysd
i=0
while [ \$i -lt 5 ]; do
	timeout 10 $SDN --status="loop \$i" || "$BIN/rec" loop-fail sysd \$?
	i=\$((i + 1))
done
"$BIN/rec" loop-end sysd
"$BIN/rec" ready sysd
timeout 10 $SDN --ready
"$BIN/rec" ready-rc sysd \$?
exec sleep 600
EOF
	chmod 755 "$BIN/sysd"
	svc sysd <<EOF
ready notify
exec $BIN/sysd
EOF
	svc after_sysd <<EOF
after sysd
exec $BIN/job after_sysd
EOF
fi

# ---- the watchdog ----
svc wdenv <<EOF
ready notify
watchdog 1s
exec $C wdenv wdenv ready keepalive wdenv 0 200
EOF
# Three keepalives, then silence while still alive: hung.
svc wdstop <<EOF
type respawn limit 2
ready notify
watchdog 1s
exec $C rec "start wdstop" ready keepalive wdstop 3 200 rec "silent wdstop" pause
EOF
svc wdtrig <<EOF
type respawn limit 1
ready notify
watchdog 30s
exec $C rec "start wdtrig" ready wait $OUT/go.wdtrig rec "trigger wdtrig" notify WATCHDOG=trigger pause
EOF

# ---- MAINPID= ----
svc mainpid <<EOF
type respawn
ready notify
exec $C rec "start mainpid" mainpid mainpid ready pause
EOF
# The old main process stays: the new one is its child, not keel's.
svc mainpid2 <<EOF
type respawn
ready notify
exec $C rec "start mainpid2" mainpid mainpid2 ready pause
EOF

# ---- ready timeout, EXTEND_TIMEOUT_USEC, RELOADING, STOPPING ----
svc never <<EOF
ready notify timeout 1s
exec $C trapterm never rec "start never" status "never ready" pause
EOF
svc needs_never <<EOF
requires never
exec $BIN/job needs_never
EOF
svc extend <<EOF
ready notify timeout 1s
exec $C rec "start extend" extend 4000000 sleep 2000 rec "ready extend" ready pause
EOF
svc extend_short <<EOF
ready notify timeout 1s
exec $C trapterm extend_short rec "start extend_short" extend 2500000 pause
EOF
# systemd 253's clients add MONOTONIC_USEC to RELOADING=1: an unknown key.
svc reload <<EOF
ready notify
exec $C ready wait $OUT/go.reload notify "RELOADING=1\nMONOTONIC_USEC=12345" rec "reloading reload" wait $OUT/go.reload2 ready rec "reloaded reload" pause
EOF
svc stopping <<EOF
type respawn
ready notify
exec $C rec "start stopping" ready wait $OUT/go.stopping notify STOPPING=1 rec "stopping stopping" exit 3
EOF

# ---- outsiders, garbage, floods ----
svc unrelated <<EOF
ready notify
exec $C rec "start unrelated" status "mine" pause
EOF
svc after_unrelated <<EOF
after unrelated
exec $BIN/job after_unrelated
EOF
svc hostile <<EOF
ready notify
exec $C rec "start hostile" self hostile garbage big 5000 STATUS=toolong-early notify MAINPID=1 status garbage-done wait $OUT/go.hostile big 4096 STATUS=exact4096 big 5000 STATUS=toolong ready wait $OUT/go.flood flood 10000 rec "flooded hostile" status "after flood" pause
EOF

keel_start --notify-socket "$NSOCK" || { finish; exit 1; }

# ---- gating ----
wait_log "^start gate " 20
check "gate: starting until READY=1" wait_until 10 eval 'state_is gate starting && status_is gate "warming up"'
check "gate: STATUS= before READY=1 in --json status" status_is gate "warming up"
check "gate: the after-dependent waits" not log_has "^start after_gate "
check "gate: the requires-dependent waits" not log_has "^start req_gate "

# ---- outsiders, sent while gate is still starting: the socket is one
# queue, so once gate's READY=1 has been acted on, these were read too ----
wait_log "^start unrelated " 20
wait_until 10 status_is unrelated mine
# From the host: a pid that does not exist in keel's namespace.
NOTIFY_SOCKET=$NSOCK "$NC" log "$LOG" notify $'READY=1\nSTATUS=hijacked from host' ||
	note "host client could not send (status $?)"
# From inside keel's namespace, but no service's process.
nsenter -t "$KEEL_PID1" -p -m env NOTIFY_SOCKET="$NSOCK" "$NC" log "$LOG" self outsider \
	notify $'READY=1\nSTATUS=hijacked inside\nMAINPID=1' ||
	note "namespace client could not send (status $?)"
if [ -n "$SDN" ]; then
	NOTIFY_SOCKET=$NSOCK timeout 10 "$SDN" --ready --status="hijacked by systemd-notify" ||
		note "systemd-notify from the host: status $?"
fi

touch "$OUT/go.gate"
check "gate: after-dependent starts after READY=1" \
	eval 'wait_log "^start after_gate " 20 && log_before "ready gate" "start after_gate"'
check "gate: requires-dependent starts after READY=1" \
	eval 'wait_log "^start req_gate " 20 && log_before "ready gate" "start req_gate"'
check "gate: running once ready" state_is gate running
check "gate: STATUS= in --json status" wait_until 10 status_is gate "serving 42 clients"
check "gate: STATUS= in keelctl status NAME" eval 'ctl status gate | grep -qF "serving 42 clients"'

check "outsiders: READY=1 from processes outside every service ignored" state_is unrelated starting
check "outsiders: their STATUS= ignored" status_is unrelated mine
check "outsiders: the after-dependent still waits" not log_has "^start after_unrelated "

# ---- systemd-notify ----
if [ -n "$SDN" ]; then
	wait_log "^status-rc sysd " 20
	check "systemd-notify: --status from a child of the service shown" \
		wait_until 10 status_is sysd "told by systemd-notify"
	check "systemd-notify: returns 0 (its barrier completed)" [ "$(log_word "status-rc sysd")" = 0 ]
	check "systemd-notify: the dependent waits" not log_has "^start after_sysd "
	touch "$OUT/go.sysd"
	check "systemd-notify --ready: the dependent starts after" \
		eval 'wait_log "^start after_sysd " 20 && log_before "ready sysd" "start after_sysd"'
	check "systemd-notify --ready: returns 0" eval 'wait_log "^ready-rc sysd 0 " 20'
	check "systemd-notify: no barrier timed out" not log_has "^loop-fail sysd "
	b=$(log_time "loop-begin sysd") e=$(log_time "loop-end sysd")
	ms=$(awk -v b="$b" -v e="$e" 'BEGIN { printf "%d", (e - b) * 1000 }')
	# Each systemd-notify waits until every copy of the pipe end it sent
	# with BARRIER=1 is closed (5 s at most): fast only if PID 1 keeps none.
	check "systemd-notify: 5 barriers answered at once (${ms} ms)" [ "${ms:-99999}" -lt 3000 ]
fi

# ---- watchdog ----
wait_log "^wdenv wdenv " 20
line=$(grep '^wdenv wdenv ' "$LOG")
self=$(echo "$line" | sed -n 's/.* self=\([0-9]*\).*/\1/p')
check "watchdog: WATCHDOG_USEC=1000000 in the environment" eval 'echo "$line" | grep -q " usec=1000000 "'
check "watchdog: WATCHDOG_PID is the service's pid ($self)" eval 'echo "$line" | grep -q " pid=$self "'
check "watchdog: sd_watchdog_enabled says 1 s" eval 'echo "$line" | grep -q " enabled=1 wusec=1000000 "'
check "NOTIFY_SOCKET is the --notify-socket path" eval 'echo "$line" | grep -qF " notify=$NSOCK "'
check "watchdog: keepalives every 200 ms keep it running past 1 s" wait_log "^keepalive wdenv 10 " 20
check "watchdog: ... still running, no failure" \
	eval 'state_is wdenv running && [ "$(svc_field wdenv restarts)" = 0 ] && ! console_has "wdenv: no watchdog"'

check "watchdog: keepalives stop -> [FAIL] on the console" \
	wait_for '\[FAIL\] wdstop: no watchdog keepalive within (1s|1000 ?ms)' 20
check "watchdog: ... respawned" wait_until 20 eval '[ "$(starts wdstop)" -ge 2 ]'
silent=$(log_time "silent wdstop")
second=$(grep '^start wdstop ' "$LOG" | sed -n 2p | awk '{print $NF}')
gap=$(awk -v a="$silent" -v b="$second" 'BEGIN { printf "%d", (b - a) * 1000 }')
# The last keepalive came ~200 ms before "silent": the restart comes no
# sooner than 1 s after it.
check "watchdog: ... not before the interval ran out (${gap} ms after the last keepalive)" \
	[ "${gap:-0}" -ge 750 ]

touch "$OUT/go.wdtrig"
check "WATCHDOG=trigger: [FAIL] on the console" wait_for '\[FAIL\] wdtrig' 20
check "WATCHDOG=trigger: respawned" wait_until 20 eval '[ "$(starts wdtrig)" -ge 2 ]'
t1=$(log_time "trigger wdtrig")
t2=$(grep '^start wdtrig ' "$LOG" | sed -n 2p | awk '{print $NF}')
gap=$(awk -v a="$t1" -v b="$t2" 'BEGIN { printf "%d", (b - a) * 1000 }')
check "WATCHDOG=trigger: at once, not after the 30 s interval (${gap} ms)" [ "${gap:-99999}" -lt 10000 ]

# ---- MAINPID= ----
wait_log "^child mainpid " 20
wait_log "^parent mainpid " 20
child=$(log_word "child mainpid")
parent=$(log_word "parent mainpid")
check "MAINPID: running" wait_state mainpid running 20
check "MAINPID: keel watches the child ($child)" wait_until 10 pid_is mainpid "$child"
ns_kill KILL "$parent"
wait_until 10 ns_gone "$parent"
check "MAINPID: the old main process's death is no failure" \
	eval 'state_is mainpid running && [ "$(svc_field mainpid restarts)" = 0 ] && ! console_has "FAIL\] mainpid"'
check "MAINPID: ... still watching the child" pid_is mainpid "$child"
check "MAINPID: ... not restarted" [ "$(starts mainpid)" = 1 ]
ns_kill KILL "$child"
check "MAINPID: the new main process's death respawns it" wait_until 20 eval '[ "$(starts mainpid)" -ge 2 ]'
check "MAINPID: ... counted as a restart" wait_until 10 eval '[ "$(svc_field mainpid restarts)" -ge 1 ]'
wait_log "^parent mainpid2 " 20
child=$(log_word "child mainpid2")
check "MAINPID (old main still alive): keel watches the child ($child)" wait_until 10 pid_is mainpid2 "$child"
ns_kill KILL "$child"
check "MAINPID (old main still alive): the new main process's death respawns it" \
	wait_until 10 eval '[ "$(starts mainpid2)" -ge 2 ]'

# ---- ready timeout, extension ----
check "ready timeout: [FAIL] without READY=1" wait_for '\[FAIL\] never: not ready within 1000 ?ms' 20
check "ready timeout: failed" wait_state never failed 20
check "ready timeout: its process was stopped" wait_log "^stop never " 20
check "ready timeout: the requires-dependent is skipped" \
	eval 'wait_state needs_never skipped 20 && ! log_has "^start needs_never "'

check "EXTEND_TIMEOUT_USEC: ready after 2 s with a 1 s timeout" wait_state extend running 20
check "EXTEND_TIMEOUT_USEC: ... no failure" not console_has '\[FAIL\] extend:'
check "EXTEND_TIMEOUT_USEC: the extension runs out -> failed" wait_state extend_short failed 20
check "EXTEND_TIMEOUT_USEC: ... stopped" wait_log "^stop extend_short " 20
b=$(log_time "start extend_short") e=$(log_time "stop extend_short")
ms=$(awk -v b="$b" -v e="$e" 'BEGIN { printf "%d", (e - b) * 1000 }')
check "EXTEND_TIMEOUT_USEC: ... after the 2.5 s extension, not the 1 s timeout (${ms} ms)" \
	[ "${ms:-0}" -ge 2300 ]

# ---- RELOADING=1 ----
check "RELOADING: running first" wait_state reload running 20
touch "$OUT/go.reload"
# docs/liveness.md: the state stays running, the status reads "reloading".
check "RELOADING=1: status reloading, state running" \
	wait_until 5 eval '[ "$(svc_field reload status)" = reloading ] && state_is reload running'
touch "$OUT/go.reload2"
check "RELOADING=1 then READY=1: running again" wait_state reload running 20

# ---- STOPPING=1 ----
wait_state stopping running 20
touch "$OUT/go.stopping"
wait_log "^stopping stopping " 20
rm -f "$OUT/go.stopping"
check "STOPPING=1 then exit 3: still respawned" wait_until 20 eval '[ "$(starts stopping)" -ge 2 ]'
check "STOPPING=1: no [FAIL] for it" not console_has '\[FAIL\] stopping'

# ---- garbage ----
wait_log "^self hostile " 20
hpid=$(log_word "self hostile")
check "garbage: read past malformed datagrams (a later STATUS= shown)" \
	wait_until 20 status_is hostile garbage-done
check "garbage: no READY=1 read into it" state_is hostile starting
check "garbage: MAINPID=1 (PID 1 itself) refused" pid_is hostile "$hpid"
touch "$OUT/go.hostile"
check "garbage: READY=1 after it works" wait_state hostile running 20
st=$(svc_field hostile status)
case $st in toolong*) note "status: a 5000-byte datagram was read" ;; '') note "status: empty" ;; esac
check "datagram of 4096 bytes taken, 5000 bytes ignored" eval '[ "${st#exact4096}" != "$st" ]'
check "garbage: still watching its own pid" pid_is hostile "$hpid"

# ---- flood: 10,000 from the service (read and attributed) and 10,000 from
# the host (pid 0 in keel's namespace), while keelctl list must answer ----
cat >"$OUT/flood.py" <<'EOF'
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
sent = 0
for i in range(10000):
    try:
        s.sendto(b"READY=1\nSTATUS=host flood %d" % i, socket.MSG_DONTWAIT, sys.argv[1])
        sent += 1
    except (BlockingIOError, ConnectionRefusedError):
        pass
print(sent)
EOF
python3 "$OUT/flood.py" "$NSOCK" >"$OUT/hostflood.txt" 2>&1 &
hf=$!
touch "$OUT/go.flood"
worst=0 n=0 end=$(($(now_ms) + 20000))
while :; do
	t0=$(now_ms)
	ctl list >/dev/null 2>&1 || { worst=99999; break; }
	d=$(($(now_ms) - t0))
	n=$((n + 1))
	[ "$d" -gt "$worst" ] && worst=$d
	if log_has "^flooded hostile " && ! kill -0 "$hf" 2>/dev/null; then break; fi
	[ "$(now_ms)" -lt "$end" ] || { note "flood: not over after 20 s"; break; }
done
wait "$hf"
note "host flood: $(cat "$OUT/hostflood.txt") datagrams sent; keelctl list answered $n times during the floods"
check "flood: keelctl list answers within 1 s throughout (worst ${worst} ms)" [ "$worst" -lt 1000 ]
check "flood: all 10,000 read, the next STATUS= shown" wait_until 20 status_is hostile "after flood"
check "flood: host datagrams ignored (unrelated still starting)" state_is unrelated starting
check "flood: PID 1 answers right after" eval 'wait_until 1 keel_answers'

check "poweroff ends the namespace" keel_stop
finish
