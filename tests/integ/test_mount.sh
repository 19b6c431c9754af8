# test_mount: the mount table as an event source — `mounted` conditions, mount triggers, a storm of 500 mounts, and no watcher when nothing needs one.
# SPDX-License-Identifier: MIT
. "$(dirname "$0")/lib.sh"

sys_new mount
M=$OUT/mnt
mkdir -p "$M/sd" "$M/data" "$M/usb" "$M/my card" "$OUT/burst"
chmod 755 "$M" "$M"/* "$OUT/burst"

# trig NAME: records the trigger it was started for.
cat >"$BIN/trig" <<EOF
#!/bin/sh
"$BIN/rec" trig "\$1" "\$KEEL_TRIGGER_PATH" "\$KEEL_TRIGGER_EVENT"
EOF
# usr1d NAME: a daemon that records USR1 (its reload signal).
cat >"$BIN/usr1d" <<EOF
#!/bin/sh
trap '"$BIN/rec" usr1 "\$1"' USR1
trap '"$BIN/rec" stop "\$1"; exit 0' TERM
"$BIN/rec" start "\$1"
while :; do sleep 5 & wait \$!; done
EOF
chmod 755 "$BIN/trig" "$BIN/usr1d"

# the wz_mini camera: its recorder waits for the SD card
svc cam <<EOF
condition mounted $M/sd
condition-lost restart
exec $BIN/daemon cam
EOF
svc cam_keep <<EOF
condition mounted $M/sd
exec $BIN/daemon cam_keep
EOF
# a fallback that runs while there is no card
svc nocard <<EOF
condition !mounted $M/sd
condition-lost restart
exec $BIN/daemon nocard
EOF
svc spaced <<EOF
condition mounted "$M/my card"
exec $BIN/daemon spaced
EOF
# triggers: start on each mount and unmount below $M, reload on /mnt/data
svc onmnt <<EOF
type once
trigger start $M/ mounted unmounted
exec $BIN/trig onmnt
EOF
svc rel <<EOF
reload signal USR1
trigger reload $M/data mounted
exec $BIN/usr1d rel
EOF
svc burst <<EOF
type once
trigger start $OUT/burst/ mounted
exec $BIN/trig burst
EOF
svc mid <<EOF
condition mounted $OUT/burst/m250
condition-lost restart
exec $BIN/daemon mid
EOF
# bad lines
svc bad_rel <<EOF
condition mounted relative/sd
exec $BIN/daemon bad_rel
EOF
svc bad_slash <<EOF
condition mounted $M/sd/
exec $BIN/daemon bad_slash
EOF
svc bad_ev <<EOF
type once
trigger start $M//x mounted
exec $BIN/daemon bad_ev
EOF
svc good <<EOF
exec $BIN/daemon good
EOF

bad_line() {
	console_has "^keel: error: $SVC/$1:$2: .*${3:-}" && ! console_has "^keel: error: $SVC/$1:$2: unknown keyword"
}
not_started() { ! log_has "^start $1 "; }
starts() { log_count "start $1"; }
trigs() { log_count "trig $1"; }
# in_ns CMD...: in keel's mount namespace (the mounts keel sees)
in_ns() { nsenter --target "$KEEL_PID1" --mount -- "$@"; }
mountinfo_fds() { ls -l "/proc/$KEEL_PID1/fd" 2>/dev/null | grep -c '/mountinfo$'; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$KEEL_PID1/stat"; }

keel_start || { finish; exit 1; }
check "the rest boots: a plain service runs" wait_log "^start good " 20
check "mounted, relative path: error with file:line" bad_line bad_rel 1 relative/sd
check "mounted, trailing '/': error with file:line" bad_line bad_slash 1
check "mount trigger, doubled '/': error with file:line" bad_line bad_ev 2
for n in bad_rel bad_slash bad_ev; do
	check "$n: not started" not_started "$n"
done
eq_count() { [ "$(mountinfo_fds)" = "$1" ]; }
check "the mount table is watched: one fd on mountinfo" eq_count 1

# ---- mounted / !mounted ----
check "no card: cam waits" wait_state cam waiting 10
check "status NAME says what it waits for" \
	eval 'ctl status cam | grep -qF "waiting for: mounted $M/sd"'
check "keelctl cond lists it, false" eval 'ctl cond | grep -qE "^mounted $M/sd +false +cam,cam_keep"'
check "no card: the fallback runs" wait_log "^start nocard " 10

in_ns mount -t tmpfs -o size=64k card "$M/sd"
check "card mounted: cam starts" wait_log "^start cam " 10
check "card mounted: cam_keep starts" wait_log "^start cam_keep " 10
check "card mounted: the fallback stops (condition-lost restart)" wait_log "^stop nocard " 10
check "trigger start on $M/: run with the mount point and 'mounted'" wait_log "^trig onmnt $M/sd mounted " 10
check "keelctl cond: true" eval 'ctl cond | grep -qE "^mounted $M/sd +true "'
check "rel: not reloaded by another mount point" not log_has "^usr1 rel "

in_ns umount "$M/sd"
check "card unmounted: cam stops (condition-lost restart)" wait_log "^stop cam " 10
check "... and waits again" wait_state cam waiting 10
check "card unmounted: cam_keep keeps running (the default, keep)" \
	eval 'sleep 0.3; state_is cam_keep running && ! log_has "^stop cam_keep "'
check "card unmounted: the fallback starts again" wait_until 10 eval '[ "$(starts nocard)" -ge 2 ]'
check "trigger: 'unmounted'" wait_log "^trig onmnt $M/sd unmounted " 10

in_ns mount -t tmpfs card "$M/sd"
check "card back: cam starts again" wait_until 10 eval '[ "$(starts cam)" -ge 2 ]'

# a blank in the mount point (the kernel writes it \040)
in_ns mount -t tmpfs sp "$M/my card"
check "a mount point with a blank: its service starts" wait_log "^start spaced " 10

# ---- trigger reload ----
check "rel runs" wait_state rel running 10
in_ns mount -t tmpfs data "$M/data"
check "mount on $M/data: rel reloaded (USR1)" wait_log "^usr1 rel " 10
# a second file system stacked on the same point is a mount of its own
in_ns mount -t tmpfs data2 "$M/data"
check "a mount stacked on $M/data: reloaded again" wait_until 10 eval '[ "$(log_count "usr1 rel")" -ge 2 ]'
in_ns umount "$M/data"
check "the top one unmounted: still mounted below, no 'unmounted' in between" \
	eval 'sleep 0.3; ctl cond >/dev/null; [ "$(log_count "usr1 rel")" = 2 ]'

# ---- a storm: 500 mounts at once ----
# PID 1's answers to a control request during the storm (a client of the
# socket, timed from the send to the end of the answer), and its CPU.
cat >"$OUT/storm.py" <<'EOF'
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
base, n, op = sys.argv[1], int(sys.argv[2]), sys.argv[3]
for i in range(n):
    p = ("%s/m%03d" % (base, i)).encode()
    r = libc.mount(b"st", p, b"tmpfs", 0, None) if op == "mount" else libc.umount2(p, 2)
    if r:
        sys.exit("%s %s: %s" % (op, p, os.strerror(ctypes.get_errno())))
EOF
cat >"$OUT/ping.py" <<'EOF'
import socket, subprocess, sys, time
sock, cmd = sys.argv[1], sys.argv[2:]
def ask():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(10)
    t = time.monotonic()
    s.connect(sock)
    s.sendall(b"list\n")
    got = b""
    while True:
        b = s.recv(65536)
        if not b:
            break
        got += b
    s.close()
    if b"good" not in got:
        bad.append(got)
    return (time.monotonic() - t) * 1000
lat, bad = [], []
p = subprocess.Popen(cmd)
while p.poll() is None:
    lat.append(ask())
    time.sleep(0.005)
end = time.monotonic() + 0.3
while time.monotonic() < end:
    lat.append(ask())
    time.sleep(0.005)
lat.sort()
print(p.returncode, len(bad), len(lat), "%.1f" % lat[len(lat) // 2], "%.1f" % lat[len(lat) * 9 // 10], "%.1f" % lat[-1])
EOF
for i in $(seq 0 499); do mkdir "$(printf '%s/m%03d' "$OUT/burst" "$i")"; done
c0=$(cpu_ticks)
t0=$(now_ms)
read -r rc nbad n med p90 max < <(python3 "$OUT/ping.py" "$SOCK" nsenter --target "$KEEL_PID1" --mount -- \
	python3 "$OUT/storm.py" "$OUT/burst" 500 mount)
t1=$(now_ms)
c1=$(cpu_ticks)
note "500 mounts in $((t1 - t0)) ms (with 300 ms after): $n answers, median $med ms, 90% within $p90 ms, max $max ms; PID 1 CPU $((c1 - c0)) ticks"
check "storm: all 500 mounted" [ "$rc" = 0 ]
check "storm: every answer is the service list" [ "$nbad" = 0 ]
check "storm: PID 1 answers within 100 ms (median and 90%)" \
	python3 -c "import sys; sys.exit(not ($med <= 100 and $p90 <= 100 and $max <= 2000))"
check "storm: the condition on one of them holds" wait_log "^start mid " 10
check "storm: the trigger's last run saw the last mount point" wait_until 10 eval \
	'[ "$(grep "^trig burst " "$LOG" | tail -n 1 | cut -d" " -f3,4)" = "$OUT/burst/m499 mounted" ]'
check "storm: coalesced, far fewer runs than mounts" eval '[ "$(trigs burst)" -ge 1 ] && [ "$(trigs burst)" -lt 100 ]'
c2=$(cpu_ticks)
sleep 1
c3=$(cpu_ticks)
note "PID 1 CPU in the second after the storm: $((c3 - c2)) ticks"
check "storm over: PID 1 idle (no spin)" [ "$((c3 - c2))" -le 2 ]
in_ns python3 "$OUT/storm.py" "$OUT/burst" 500 umount
check "500 unmounted: the condition is lost" wait_log "^stop mid " 10
check "keel still answers" keel_answers

# ---- nothing needs the mount table: no fd ----
rm -f "$SVC"/cam "$SVC"/cam_keep "$SVC"/nocard "$SVC"/spaced "$SVC"/onmnt "$SVC"/rel "$SVC"/burst \
	"$SVC"/mid "$SVC"/bad_*
ctl reload >/dev/null
check "no mounted condition or mount trigger left: the fd is closed" wait_until 10 eq_count 0

keel_stop
finish
